/*
 * osreadback.c: what an install or an update wrote, read back from the
 * device rather than the page cache and held to its signed sha256: a disk
 * that drops or changes writes is caught before anything boots from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "osinstall.h"
#include "sha256.h"

#define CHUNK (1u << 20)

/* PATH again, without O_DIRECT, its cached pages dropped first. */
static int reopen_cached(const char *path, int *fd)
{
	int nfd = open(path, O_RDONLY | O_CLOEXEC);

	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	posix_fadvise(nfd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

/*
 * os_read_back: the SIZE bytes at OFF of PATH, of which the first HEADLEN
 * are not on the disk yet and are hashed from HEAD instead, against WANT.
 */
int os_read_back(const char *path, unsigned long long off, unsigned long long size, const void *head,
		 size_t headlen, const uint8_t want[32], struct perr *e)
{
	unsigned char *buf = NULL;
	unsigned long long at = headlen;
	struct sha256 h;
	uint8_t got[32];
	int fd, direct = 1, hashing = 0, rc = 0;

	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL) {
		direct = 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	if (fd < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	if (posix_memalign((void **)&buf, 4096, CHUNK) != 0) {
		close(fd);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	if (headlen > size)
		rc = perr(e, -EINVAL, "%s: read back: a head past the end", path);
	else if (sha256_init(&h) < 0)
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	else
		hashing = 1;
	if (rc == 0 && headlen > 0)
		sha256_update(&h, head, headlen);
	while (rc == 0 && at < size) {
		/* Whole 4 KiB blocks, as O_DIRECT wants; only SIZE of them hashed. */
		size_t want_n = size - at < CHUNK ? (size_t)((size - at + 4095) & ~4095ULL) : CHUNK;
		ssize_t n = pread(fd, buf, want_n, (off_t)(off + at));

		/* O_DIRECT refuses an offset its file system does not align:
		 * the cache, emptied, serves as well. */
		if (n < 0 && errno == EINVAL && direct) {
			direct = 0;
			if ((rc = reopen_cached(path, &fd)) < 0)
				perr(e, rc, "%s: %s", path, strerror(-rc));
			continue;
		}
		if (n <= 0) {
			rc = perr(e, n < 0 ? -errno : -EIO, "%s: read back: %s", path,
				  n < 0 ? strerror(errno) : "ends early");
			break;
		}
		if ((unsigned long long)n > size - at)
			n = (ssize_t)(size - at);
		sha256_update(&h, buf, (size_t)n);
		at += (unsigned long long)n;
	}
	if (hashing && sha256_final(&h, got) < 0 && rc == 0)
		rc = perr(e, -EIO, "%s: read back: sha256 failed", path);
	if (rc == 0 && memcmp(got, want, 32) != 0)
		rc = perr(e, -EIO, "%s: read back, it differs from the signed image: the disk may be "
			  "failing", path);
	free(buf);
	close(fd);
	return rc;
}
