/*
 * util.c: the small pieces every pkg module needs: an error that says
 * what and why, reading a bounded file whole, writing one atomically
 * (temporary name, fsync, rename, fsync of the directory), and SHA-256
 * through OpenSSL's EVP interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

int perr(struct perr *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return rc < 0 ? rc : -EINVAL;
}

/*
 * util_open_file: dirfd/path for reading, if it is a regular file (its
 * stat in *st).  Opened without blocking, so a FIFO put in a file's place
 * is refused instead of holding the reader (and whatever lock it holds)
 * until someone writes to it; never through a symlink.
 */
int util_open_file(int dirfd, const char *path, struct stat *st, struct perr *e)
{
	int fd, fl;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return perr(e, -errno, "%s: %s", path, errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
	if (fstat(fd, st) < 0 || (fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		fl = perr(e, -errno, "%s: %s", path, strerror(errno));
		close(fd);
		return fl;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return perr(e, -EINVAL, "%s: not a regular file (%s): refused", path,
			    S_ISFIFO(st->st_mode) ? "a FIFO" : S_ISDIR(st->st_mode) ? "a directory" :
			    S_ISSOCK(st->st_mode) ? "a socket" : "a device");
	}
	return fd;
}

/*
 * util_read_all: the whole of dirfd/path, at most max bytes, into a new
 * buffer with a NUL after it (the caller frees *buf).  A bigger file is
 * refused before it is read.
 */
int util_read_all(int dirfd, const char *path, size_t max, char **buf, size_t *len, struct perr *e)
{
	struct stat st = { 0 };
	size_t got = 0;
	ssize_t r;
	char *b;
	int fd, rc;

	fd = util_open_file(dirfd, path, &st, e);
	if (fd < 0)
		return fd;
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return perr(e, -EFBIG, "%s: bigger than any such file may be", path);
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		close(fd);
		return perr(e, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, b + got, (size_t)st.st_size - got);
		if (r <= 0) {
			rc = perr(e, r < 0 ? -errno : -EIO, "%s: %s", path,
				  r < 0 ? strerror(errno) : "file shrank while read");
			free(b);
			close(fd);
			return rc;
		}
		got += (size_t)r;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* The directory that holds path (relative to dirfd), opened for fsync. */
static int parent_open(int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (slash == NULL)
		return openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if ((size_t)(slash - path) >= sizeof dir)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return openat(dirfd, dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * util_write_atomic: path holds buf afterwards, or (on any failure or a
 * crash at any point) what it held before: written under a temporary
 * name, fsynced, renamed over path, and the directory fsynced.
 */
int util_write_atomic(int dirfd, const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[4096];
	int fd, dfd, rc = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || (rc = util_write_all(fd, buf, len)) < 0 || fsync(fd) < 0) {
		rc = rc < 0 ? rc : -errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, path) < 0) {
		rc = -errno;
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	dfd = parent_open(dirfd, path);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd) < 0)
		rc = -errno;
	close(dfd);
	return rc;
}

/* util_mkdirs: path and every missing directory above it (like mkdir -p). */
int util_mkdirs(int dirfd, const char *path, mode_t mode)
{
	char p[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof p)
		return -ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
			return -errno;
		p[i] = i == n ? '\0' : '/';
	}
	return 0;
}

int sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->ctx = NULL;
		return -ENOMEM;
	}
	h->ctx = c;
	return 0;
}

int sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	return EVP_DigestUpdate(h->ctx, buf, len) == 1 ? 0 : -EIO;
}

/* sha256_final: the digest into out, and the context freed. */
int sha256_final(struct sha256 *h, uint8_t out[32])
{
	unsigned n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, out, &n) == 1 && n == 32;

	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	return ok ? 0 : -EIO;
}

int sha256_buf(const void *buf, size_t len, uint8_t out[32])
{
	struct sha256 h;

	if (sha256_init(&h) < 0)
		return -ENOMEM;
	if (sha256_update(&h, buf, len) < 0) {
		EVP_MD_CTX_free(h.ctx);
		return -EIO;
	}
	return sha256_final(&h, out);
}
