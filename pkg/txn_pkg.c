/* txn_pkg.c: a package file read once, hash-checked, for a transaction to install. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn.h"
#include "sha256.h"

/* p's metadata text parsed in place into p->m, then compacted. */
static int meta_parse(struct txn_pkg *p, const char *name, struct perr *e)
{
	char err[256];
	int rc;

	if (pkg_meta_alloc(&p->m, p->meta_text, p->meta_len) < 0)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	rc = pkg_meta_parse(p->meta_text, p->meta_len, &p->m, err, sizeof err);
	if (rc < 0)
		return perr(e, rc, "%s: %s", name, err);
	if (pkg_meta_compact(&p->m, &p->meta_text) < 0)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

/*
 * txn_pkg_load: read the package at fd once (len bytes from base; len < 0:
 * the whole file), hashing every byte and keeping its header and
 * metadata; the hash and size must be the index's (sha256 NULL: not
 * checked) before the metadata is parsed at all.
 */
int txn_pkg_load(struct txn_pkg *p, int fd, off_t base, long long len, const uint8_t sha256[32],
		 unsigned long long size, const char *name, struct perr *e)
{
	static unsigned char buf[1 << 16];
	struct pkg_header h;
	struct sha256 hs;
	struct stat st;
	unsigned long long at = 0, keep = PKG_HEADER_MAX;
	char err[256];
	uint8_t got[32];
	int rc = 0;

	memset(p, 0, sizeof *p);
	p->fd = -1;
	if (fstat(fd, &st) < 0)
		return perr(e, -errno, "%s: %s", name, strerror(errno));
	/* A block device only as a range of a bundle written to a disk. */
	if (!S_ISREG(st.st_mode) && !(S_ISBLK(st.st_mode) && len >= 0))
		return perr(e, -EINVAL, "%s: not a regular file", name);
	if (len >= 0)
		st.st_size = (off_t)len;
	if (sha256 != NULL && (unsigned long long)st.st_size != size)
		return perr(e, -EINVAL, "%s: %llu bytes, the index says %llu: refused", name,
			    (unsigned long long)st.st_size, size);
	if (sha256_init(&hs) < 0)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	p->meta_text = malloc(PKG_HEADER_MAX + 1);
	if (p->meta_text == NULL) {
		sha256_final(&hs, got);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	while (at < (unsigned long long)st.st_size) {
		size_t want = (unsigned long long)st.st_size - at < sizeof buf ?
			      (size_t)((unsigned long long)st.st_size - at) : sizeof buf;
		ssize_t r = pread(fd, buf, want, base + (off_t)at);

		if (r <= 0) {
			rc = perr(e, r < 0 ? -errno : -EIO, "%s: %s", name,
				  r < 0 ? strerror(errno) : "shrank while read");
			break;
		}
		sha256_update(&hs, buf, (size_t)r);
		/* Keep the header, then (once its length is known) the metadata. */
		if (at < keep) {
			size_t n = (size_t)((unsigned long long)r < keep - at ? (unsigned long long)r : keep - at);

			if (keep == PKG_HEADER_MAX) {
				memcpy(p->meta_text + at, buf, n);
				if (at + n >= PKG_HEADER_MAX || at + n == (unsigned long long)st.st_size) {
					char *m2;

					if (pkg_header_parse(p->meta_text, (size_t)(at + n), &h, err, sizeof err) < 0) {
						rc = perr(e, -EINVAL, "%s: %s", name, err);
						break;
					}
					keep = h.header_len + h.meta_len;
					m2 = realloc(p->meta_text, keep + 1);
					if (m2 == NULL) {
						rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
						break;
					}
					p->meta_text = m2;
					n = (size_t)((unsigned long long)r < keep - at ? (unsigned long long)r : keep - at);
				}
			}
			memcpy(p->meta_text + at, buf, n);
		}
		at += (unsigned long long)r;
	}
	if (sha256_final(&hs, got) < 0 && rc == 0)
		rc = perr(e, -EIO, "%s: sha256 failed", name);
	if (rc < 0)
		goto err;
	if (sha256 != NULL && memcmp(got, sha256, 32) != 0) {
		rc = perr(e, -EINVAL, "%s: sha256 does not match the signed index: refused (tampered "
			  "or damaged package)", name);
		goto err;
	}
	if (keep == PKG_HEADER_MAX) {
		rc = perr(e, -EINVAL, "%s: too short to be a package", name);
		goto err;
	}
	if ((unsigned long long)st.st_size != h.header_len + h.meta_len + h.payload_len) {
		rc = perr(e, -EINVAL, "%s: %s", name, (unsigned long long)st.st_size <
			  h.header_len + h.meta_len + h.payload_len ? "truncated: shorter than its header says" :
			  "bytes after the payload");
		goto err;
	}
	/* Only the metadata is kept, parsed in place: txn_pkg_meta reads
	 * its bytes again for the db. */
	memmove(p->meta_text, p->meta_text + h.header_len, h.meta_len);
	p->meta_len = h.meta_len;
	p->meta_text[p->meta_len] = '\0';
	p->payload_off = base + (off_t)(h.header_len + h.meta_len);
	p->payload_len = h.payload_len;
	memcpy(p->file_sha256, got, 32);
	p->file_size = (unsigned long long)st.st_size;
	sha256_buf(p->meta_text, p->meta_len, p->meta_sha256);
	rc = meta_parse(p, name, e);
	if (rc < 0)
		goto err;
	p->fd = fd;
	return 0;
err:
	txn_pkg_free(p);
	return rc;
}

/*
 * txn_pkg_meta: the metadata's bytes, as the db stores them, read again
 * from the package and held to the hash taken when it was loaded (a
 * package file changed since is refused).  Free *text.
 */
int txn_pkg_meta(const struct txn_pkg *p, char **text, struct perr *e)
{
	off_t at = p->payload_off - (off_t)p->meta_len;
	uint8_t got[32];
	ssize_t r;

	*text = malloc(p->meta_len + 1);
	if (*text == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	do
		r = pread(p->fd, *text, p->meta_len, at);
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)p->meta_len && sha256_buf(*text, p->meta_len, got) == 0 &&
	    memcmp(got, p->meta_sha256, 32) == 0)
		return 0;
	free(*text);
	*text = NULL;
	if (r < 0)
		return perr(e, -errno, "%s: %s", p->m.name, strerror(errno));
	return perr(e, -EINVAL, "%s: its file changed after it was checked: refused", p->m.name);
}

void txn_pkg_free(struct txn_pkg *p)
{
	free(p->meta_text);
	pkg_meta_free(&p->m);
	if (p->fd >= 0)
		close(p->fd);
	memset(p, 0, sizeof *p);
	p->fd = -1;
}
