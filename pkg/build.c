/*
 * build.c: `pkg build`: a directory tree (what a recipe installed) and a
 * spec (the package's keys: name, version, arch, license, summary,
 * source-sha256, depends, provides, conflicts) into one package.  Every
 * byte is a function of the tree's contents, modes and link targets and of
 * the spec: entries sorted, owners 0, no times, zstd at a fixed level, so
 * the same recipe and inputs give the same package.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "build.h"
#include "format.h"
#include "text.h"
#include "fileio.h"
#include "sha256.h"

struct node {
	char *path;				/* relative to the tree */
	struct stat st;
	const char *link;			/* an earlier path, same inode */
	uint8_t sha256[32];
};

struct tree {
	struct node *v;
	size_t n, cap;
	unsigned long long bytes;
};

/* A growing text buffer. */
struct text {
	char *s;
	size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *s2 = realloc(t->s, cap);

		if (s2 == NULL)
			return -ENOMEM;
		t->s = s2;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
	return 0;
}

static int text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int text_printf(struct text *t, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		return -ENAMETOOLONG;
	return text_add(t, buf, (size_t)n);
}

static int walk(int dfd, const char *prefix, struct tree *t, struct perr *e)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return perr(e, -errno, "%s: %s", prefix, strerror(errno));
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		struct node *nd;
		char path[PKG_PATH_MAX + 2];
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) >
		    PKG_PATH_MAX) {
			rc = perr(e, -ENAMETOOLONG, "%s/%s: path too long", prefix, de->d_name);
			break;
		}
		if (t->n == PKG_FILES_MAX) {
			rc = perr(e, -E2BIG, "more than %d entries", PKG_FILES_MAX);
			break;
		}
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 256;
			struct node *v = realloc(t->v, cap * sizeof *v);

			if (v == NULL) {
				rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
				break;
			}
			t->v = v;
			t->cap = cap;
		}
		nd = &t->v[t->n];
		memset(nd, 0, sizeof *nd);
		if (fstatat(dirfd(d), de->d_name, &nd->st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = perr(e, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (!S_ISREG(nd->st.st_mode) && !S_ISDIR(nd->st.st_mode) && !S_ISLNK(nd->st.st_mode)) {
			rc = perr(e, -EINVAL, "%s: device nodes, FIFOs and sockets cannot be packaged", path);
			break;
		}
		nd->path = strdup(path);
		if (nd->path == NULL) {
			rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
			break;
		}
		t->n++;
		if (S_ISDIR(nd->st.st_mode)) {
			sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				rc = perr(e, -errno, "%s: %s", path, strerror(errno));
			else
				rc = walk(sub, path, t, e);
		}
	}
	if (rc == 0 && errno != 0)
		rc = perr(e, -errno, "%s: %s", prefix, strerror(errno));
	closedir(d);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->path, ((const struct node *)b)->path);
}

/* Hash one file and feed it to the compressor. */
static int pack_file(int treefd, struct node *nd, ZSTD_CCtx *z, int out, struct perr *e)
{
	static unsigned char in[1 << 17], zbuf[1 << 17];
	unsigned long long left = (unsigned long long)nd->st.st_size;
	struct sha256 h;
	int fd, rc = 0;

	fd = openat(treefd, nd->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return perr(e, -errno, "%s: %s", nd->path, strerror(errno));
	if (sha256_init(&h) < 0) {
		close(fd);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	while (rc == 0 && left > 0) {
		ssize_t r = read(fd, in, left < sizeof in ? (size_t)left : sizeof in);
		ZSTD_inBuffer ib = { in, 0, 0 };

		if (r <= 0) {
			rc = perr(e, r < 0 ? -errno : -EIO, "%s: %s", nd->path,
				  r < 0 ? strerror(errno) : "file shrank while packed");
			break;
		}
		ib.size = (size_t)r;
		left -= (unsigned long long)r;
		sha256_update(&h, in, (size_t)r);
		while (rc == 0 && ib.pos < ib.size) {
			ZSTD_outBuffer ob = { zbuf, sizeof zbuf, 0 };
			size_t zr = ZSTD_compressStream2(z, &ob, &ib, ZSTD_e_continue);

			if (ZSTD_isError(zr))
				rc = perr(e, -EIO, "zstd: %s", ZSTD_getErrorName(zr));
			else if (file_write_all(out, zbuf, ob.pos) < 0)
				rc = perr(e, -errno, "payload: %s", strerror(errno));
		}
	}
	if (rc == 0 && read(fd, in, 1) != 0)
		rc = perr(e, -EIO, "%s: file grew while packed", nd->path);
	close(fd);
	if (sha256_final(&h, nd->sha256) < 0 && rc == 0)
		rc = perr(e, -EIO, "%s: sha256 failed", nd->path);
	return rc;
}

static int pack_end(ZSTD_CCtx *z, int out, struct perr *e)
{
	static unsigned char zbuf[1 << 17];
	ZSTD_inBuffer ib = { NULL, 0, 0 };
	size_t zr;

	do {
		ZSTD_outBuffer ob = { zbuf, sizeof zbuf, 0 };

		zr = ZSTD_compressStream2(z, &ob, &ib, ZSTD_e_end);
		if (ZSTD_isError(zr))
			return perr(e, -EIO, "zstd: %s", ZSTD_getErrorName(zr));
		if (file_write_all(out, zbuf, ob.pos) < 0)
			return perr(e, -errno, "payload: %s", strerror(errno));
	} while (zr != 0);
	return 0;
}

/* The spec's keys in the metadata's order: one package, one byte form. */
static int spec_lines(char *spec, size_t len, struct text *meta, unsigned long long bytes, struct perr *e,
		      const char *path)
{
	static const char *const order[] = { "name", "version", "arch", "license", "summary",
					     "supplier", "purl", "cpe", "download", "source-sha256",
					     "payload-size", "depends", "provides", "conflicts" };
	size_t i, at;
	int rc = text_add(meta, "format 1\n", 9);

	for (i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++) {
		if (strcmp(order[i], "payload-size") == 0) {
			rc = text_printf(meta, "payload-size %llu\n", bytes);
			continue;
		}
		for (at = 0; rc == 0 && at < len;) {
			char *l = spec + at, *nl = memchr(l, '\n', len - at);
			size_t ll = nl ? (size_t)(nl - l) : len - at, kl = strlen(order[i]);

			at += ll + 1;
			if (ll > kl && strncmp(l, order[i], kl) == 0 && l[kl] == ' ') {
				rc = text_add(meta, l, ll);
				if (rc == 0)
					rc = text_add(meta, "\n", 1);
			}
		}
	}
	/* A key the list above does not know is a mistake in the spec. */
	for (at = 0; rc == 0 && at < len;) {
		char *l = spec + at, *nl = memchr(l, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - l) : len - at, kl;
		int known = ll == 0 || l[0] == '#';

		at += ll + 1;
		for (i = 0; !known && i < sizeof order / sizeof order[0]; i++) {
			kl = strlen(order[i]);
			known = ll > kl && strncmp(l, order[i], kl) == 0 && l[kl] == ' ' &&
				strcmp(order[i], "payload-size") != 0;
		}
		if (!known)
			rc = perr(e, -EINVAL, "%s: unknown line '%.*s'", path, (int)(ll < 40 ? ll : 40), l);
	}
	return rc;
}

/* Each regular file that is a hard link of an earlier one points at it;
 * the others' bytes add up to the payload's size. */
static void tree_links(struct tree *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		if (!S_ISREG(t->v[i].st.st_mode))
			continue;
		for (j = 0; t->v[i].st.st_nlink > 1 && j < i; j++)
			if (t->v[j].link == NULL && S_ISREG(t->v[j].st.st_mode) &&
			    t->v[j].st.st_ino == t->v[i].st.st_ino && t->v[j].st.st_dev == t->v[i].st.st_dev) {
				t->v[i].link = t->v[j].path;
				break;
			}
		if (t->v[i].link == NULL)
			t->bytes += (unsigned long long)t->v[i].st.st_size;
	}
}

/* The payload first, into an unnamed file (*payfd) beside out: the
 * metadata needs every hash. */
static int payload_make(int treefd, const struct tree *t, const char *out, int level, int *payfd,
			struct perr *e)
{
	char tmp[4200];
	char *slash;
	ZSTD_CCtx *z;
	size_t i;
	int rc = 0;

	snprintf(tmp, sizeof tmp, "%s", out);
	slash = strrchr(tmp, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(tmp, ".");
	*payfd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	z = ZSTD_createCCtx();
	if (*payfd < 0 || z == NULL) {
		rc = perr(e, *payfd < 0 ? -errno : -ENOMEM, "%s: cannot make the payload: %s", tmp,
			  strerror(*payfd < 0 ? errno : ENOMEM));
		ZSTD_freeCCtx(z);
		return rc;
	}
	ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setPledgedSrcSize(z, t->bytes);
	for (i = 0; i < t->n && rc == 0; i++)
		if (S_ISREG(t->v[i].st.st_mode) && t->v[i].link == NULL)
			rc = pack_file(treefd, &t->v[i], z, *payfd, e);
	if (rc == 0)
		rc = pack_end(z, *payfd, e);
	ZSTD_freeCCtx(z);
	return rc;
}

/* The metadata's file list: one line per entry of the tree, in path order. */
static int meta_files(int treefd, const struct tree *t, struct text *meta, struct perr *e)
{
	char sum[65];
	size_t i;
	int rc = 0;

	for (i = 0; i < t->n && rc == 0; i++) {
		const struct node *nd = &t->v[i];
		unsigned mode = nd->st.st_mode & 07777;
		char target[PKG_PATH_MAX + 1];
		ssize_t n;

		if (S_ISDIR(nd->st.st_mode)) {
			rc = text_printf(meta, "d %04o 0 0 %s\n", mode & 01777, nd->path);
		} else if (S_ISLNK(nd->st.st_mode)) {
			n = readlinkat(treefd, nd->path, target, sizeof target - 1);
			if (n < 0)
				rc = perr(e, -errno, "%s: %s", nd->path, strerror(errno));
			else {
				target[n] = '\0';
				rc = text_printf(meta, "l 0 0 %s %s\n", target, nd->path);
			}
		} else if (nd->link != NULL) {
			rc = text_printf(meta, "h %s %s\n", nd->link, nd->path);
		} else {
			text_hex(nd->sha256, 32, sum);
			rc = text_printf(meta, "f %04o 0 0 %llu %s %s\n", mode & 06777,
					 (unsigned long long)nd->st.st_size, sum, nd->path);
		}
	}
	return rc;
}

/* The same strict parser that installs it checks it now. */
static int meta_check(const struct text *meta, size_t nfiles, const char *spec_path, const char *dir,
		      struct perr *e)
{
	struct pkg_meta check;
	char err[256], *copy;
	int rc;

	copy = malloc(meta->len + 1);
	if (copy == NULL || pkg_meta_alloc(&check, meta->s, meta->len) < 0) {
		free(copy);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	/* No more files than the tree gave. */
	if (check.maxfiles > nfiles)
		check.maxfiles = nfiles;
	memcpy(copy, meta->s, meta->len + 1);
	rc = pkg_meta_parse(copy, meta->len, &check, err, sizeof err);
	if (rc < 0)
		perr(e, rc, "%s + %s: %s", spec_path, dir, err);
	free(copy);
	pkg_meta_free(&check);
	return rc;
}

/* Header, metadata and payload into out.tmp, synced, then renamed to out. */
static int package_write(const char *out, int payfd, const struct text *meta, struct perr *e)
{
	char tmp[4200], head[PKG_HEADER_MAX];
	loff_t from = 0;
	off_t paylen;
	int outfd, rc;

	paylen = lseek(payfd, 0, SEEK_END);
	snprintf(head, sizeof head, "cairn-pkg 1 %zu %lld\n", meta->len, (long long)paylen);
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	outfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (outfd < 0 || file_write_all(outfd, head, strlen(head)) < 0 ||
	    file_write_all(outfd, meta->s, meta->len) < 0) {
		rc = perr(e, -errno, "%s: %s", tmp, strerror(errno));
		goto err;
	}
	while (from < paylen) {
		ssize_t r = copy_file_range(payfd, &from, outfd, NULL, (size_t)(paylen - from), 0);

		if (r <= 0) {
			rc = perr(e, r < 0 ? -errno : -EIO, "%s: %s", tmp, strerror(r < 0 ? errno : EIO));
			goto err;
		}
	}
	if (fsync(outfd) < 0 || close(outfd) < 0 || rename(tmp, out) < 0)
		return perr(e, -errno, "%s: %s", out, strerror(errno));
	return 0;
err:
	if (outfd >= 0) {
		close(outfd);
		unlink(tmp);
	}
	return rc;
}

int build_package(const char *spec_path, const char *dir, const char *out, int level, struct perr *e)
{
	struct tree t = { NULL, 0, 0, 0 };
	struct text meta = { NULL, 0, 0 };
	char *spec = NULL;
	size_t speclen, i;
	int treefd, payfd = -1, rc;

	rc = file_read_at(AT_FDCWD, spec_path, 65536, &spec, &speclen, e);
	if (rc < 0)
		return rc;
	treefd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (treefd < 0) {
		rc = perr(e, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = walk(dup(treefd), "", &t, e);
	if (rc < 0)
		goto out;
	if (t.n > 0)
		qsort(t.v, t.n, sizeof *t.v, by_path);
	tree_links(&t);
	rc = payload_make(treefd, &t, out, level, &payfd, e);
	if (rc < 0)
		goto out;
	rc = spec_lines(spec, speclen, &meta, t.bytes, e, spec_path);
	if (rc == 0)
		rc = meta_files(treefd, &t, &meta, e);
	if (rc < 0) {
		if (rc == -ENAMETOOLONG || rc == -ENOMEM)
			perr(e, rc, "metadata: %s", strerror(-rc));
		goto out;
	}
	rc = meta_check(&meta, t.n, spec_path, dir, e);
	if (rc == 0)
		rc = package_write(out, payfd, &meta, e);
out:
	if (payfd >= 0)
		close(payfd);
	if (treefd >= 0)
		close(treefd);
	for (i = 0; i < t.n; i++)
		free(t.v[i].path);
	free(t.v);
	free(meta.s);
	free(spec);
	return rc;
}
