/*
 * fileio.c: Cairn's one way to read and write files: a bounded file read
 * whole, a regular file opened without following a link or blocking on a
 * FIFO, and the one atomic write (a new file beside the old, synced,
 * renamed over it, the directory synced; every error reported).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "perr.h"

static int read_fd(int fd, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n == size) {
			char extra;

			r = read(fd, &extra, 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -errno;
			if (r > 0)
				return -EFBIG;
			break;
		}
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

/* file_read: PATH into BUF (NUL-terminated, so at most SIZE-1 bytes);
 * -EFBIG when the file is longer. */
int file_read(const char *path, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int fd, rc;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	rc = read_fd(fd, buf, size - 1, &n);
	close(fd);
	if (rc < 0)
		return rc;
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return 0;
}

/* SIZE-1 bytes of PATH, NUL-ended: from its start, or (TAIL) its last ones. */
static int read_part(const char *path, char *buf, size_t size, int tail, size_t *len)
{
	struct stat st;
	off_t at = 0;
	ssize_t r;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (tail && fstat(fd, &st) == 0 && st.st_size > (off_t)(size - 1))
		at = st.st_size - (off_t)(size - 1);
	do
		r = pread(fd, buf, size - 1, at);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return (int)r;
	buf[r] = '\0';
	*len = (size_t)r;
	return 0;
}

/* file_read_head: PATH's first SIZE-1 bytes (all of it when shorter), NUL-ended; the rest is not read. */
int file_read_head(const char *path, char *buf, size_t size, size_t *len)
{
	return read_part(path, buf, size, 0, len);
}

/* file_read_tail: PATH's last SIZE-1 bytes (all of it when shorter), NUL-ended: a log's newest lines. */
int file_read_tail(const char *path, char *buf, size_t size, size_t *len)
{
	return read_part(path, buf, size, 1, len);
}

/* file_read_alloc: PATH into a new NUL-terminated buffer of at most MAX
 * bytes; -EFBIG when the file is longer. */
int file_read_alloc(const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd, rc = 0;

	if (cap > max + 2)
		cap = max + 2;
	b = malloc(cap);
	if (b == NULL)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		free(b);
		return rc;
	}
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			if (cap > max + 2)
				cap = max + 2;
			nb = realloc(b, cap);
			if (nb == NULL) {
				rc = -ENOMEM;
				goto err;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			rc = -EFBIG;
			goto err;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
err:
	close(fd);
	free(b);
	return rc;
}

/*
 * file_open_regular: dirfd/path for reading, if it is a regular file (its
 * stat in *st).  Opened without blocking, so a FIFO put in a file's place
 * is refused instead of holding the reader (and whatever lock it holds)
 * until someone writes to it; never through a symlink.
 */
int file_open_regular(int dirfd, const char *path, struct stat *st, struct perr *e)
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
 * file_read_at: the whole of dirfd/path, at most max bytes, into a new
 * buffer with a NUL after it (the caller frees *buf).  A bigger file is
 * refused before it is read.
 */
int file_read_at(int dirfd, const char *path, size_t max, char **buf, size_t *len, struct perr *e)
{
	struct stat st = { 0 };
	size_t got = 0;
	ssize_t r;
	char *b;
	int fd, rc;

	fd = file_open_regular(dirfd, path, &st, e);
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

/* file_write_all: all of buf to fd, through short writes and EINTR. */
int file_write_all(int fd, const void *buf, size_t len)
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

/* The directory that holds path (relative to dirfd) as a handle to write
 * in (*name its last component): dirfd itself when path has no slash. */
static int parent_at(int dirfd, const char *path, int *dfd, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	*name = slash != NULL ? slash + 1 : path;
	*dfd = dirfd;
	if (**name == '\0')
		return -EISDIR;
	if (slash == NULL)
		return 0;
	if ((size_t)(slash - path) >= sizeof dir)
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*dfd = openat(dirfd, dir[0] != '\0' ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *dfd < 0 ? -errno : 0;
}

/* Write, sync and rename NAME's new contents in directory DFD; then sync
 * DFD (through a handle of its own, so DFD may be an O_PATH one). */
static int write_in(int dfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, sfd, rc;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", name, (long)getpid()) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	rc = file_write_all(fd, data, len);
	if (rc == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dfd, tmp, dfd, name) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(dfd, tmp, 0);
		return rc;
	}
	sfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return -errno;
	if (fsync(sfd) < 0)
		rc = -errno;
	close(sfd);
	return rc;
}

/*
 * file_write_at: PATH (relative to DIRFD, or AT_FDCWD) holds DATA
 * afterwards or, on any failure or a crash at any point, what it held
 * before, never a part: a new file beside it (never one that was there: a
 * link planted under its name is removed, not followed), written, synced,
 * renamed over PATH (whatever PATH was, a link too, is replaced), and the
 * directory synced.  DIRFD may be an O_PATH handle.  0 or -errno.
 */
int file_write_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	const char *name;
	int dfd, rc;

	rc = parent_at(dirfd, path, &dfd, &name);
	if (rc < 0)
		return rc;
	rc = write_in(dfd, name, data, len, mode);
	if (dfd != dirfd)
		close(dfd);
	return rc;
}

/* file_write_atomic: file_write_at of PATH from the working directory. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return file_write_at(AT_FDCWD, path, data, len, mode);
}

/* file_mkdirs: path and every missing directory above it (like mkdir -p). */
int file_mkdirs(int dirfd, const char *path, mode_t mode)
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
