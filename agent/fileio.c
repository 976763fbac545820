/* fileio.c: read a file whole into a bounded buffer; replace one atomically. */
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

/* file_write_at: NAME (one component) of directory DIRFD holds DATA or
 * its old contents, never a part: a new file beside it (never one that
 * was there: a link planted under its name is removed, not followed),
 * written, synced, renamed over NAME (whatever NAME was, a link too, is
 * replaced).  DIRFD may be an O_PATH handle; the caller syncs it. */
int file_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	size_t off = 0;
	ssize_t w;
	int fd, rc = 0;

	if (strchr(name, '/') != NULL)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", name, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			goto err;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = -errno;
		goto err;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = -errno;
		goto err;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = -errno;
		goto err;
	}
	return 0;
err:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return rc;
}

/* file_write_atomic: PATH holds DATA or its old contents, never a part
 * (file_write_at), its directory synced after. */
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *name = slash != NULL ? slash + 1 : path;
	int dfd, rc;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	rc = file_write_at(dfd, name, data, len, mode);
	if (rc == 0)
		fsync(dfd);
	close(dfd);
	return rc;
}

/* err_fail: the reason in err (a caller's buffer of errsz bytes); -EINVAL. */
int err_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
