/*
 * repo.c: open a repository the way TUF does, trusting nothing in it until
 * it is checked (doc/pkg-repo.md):
 *
 *   1. the root this machine trusts (DB_DIR/trust/root; the first one is
 *      given by the operator with --trust), then each newer root the
 *      repository holds (root/N.root, N = trusted + 1, + 2, ...), each
 *      signed by a threshold of the old root's keys and of its own;
 *   2. the release, signed by a threshold of the root's keys, not older
 *      than the newest release trusted before (rollback), not expired
 *      (freeze); the same version must be the same document;
 *   3. the index, whose size and sha256 the release names;
 *   4. each package, whose size and sha256 the index names (the caller,
 *      through txn_pkg_load, before any byte of it is parsed).
 *
 * The overrides for 1-2 (an expired document; an older release) exist for
 * an operator recovering a site; each use is logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "repo.h"
#include "fileio.h"
#include "sha256.h"

/* A file of the repository, whole: from its directory, its bundle or its server. */
static int repo_read(const struct repo *r, const char *name, size_t max, char **buf, size_t *len,
		     struct perr *e)
{
	if (r->net != NULL)
		return fetch_mem(r->net, name, max, buf, len, e);
	if (r->dirfd < 0)
		return bundle_read(&r->b, name, max, buf, len, e);
	return file_read_at(r->dirfd, name, max, buf, len, e);
}

static int doc_load(char **text, size_t len, const char *path, enum doc_kind kind, struct doc *d,
		    struct perr *e)
{
	char err[256];
	int rc = doc_parse(*text, len, d, err, sizeof err);

	if (rc == 0 && d->kind != kind)
		rc = perr(e, -EINVAL, "%s: a %s where a %s belongs", path, d->kind == DOC_ROOT ? "root" : "release",
			  kind == DOC_ROOT ? "root" : "release");
	else if (rc < 0)
		perr(e, rc, "%s: %s", path, err);
	if (rc < 0) {
		doc_free(d);
		free(*text);
		*text = NULL;
	}
	return rc;
}

/* repo_load_doc: a signed document of the kind expected, read and parsed. */
int repo_load_doc(int dirfd, const char *path, enum doc_kind kind, char **text, struct doc *d,
		  struct perr *e)
{
	size_t len;
	int rc;

	memset(d, 0, sizeof *d);
	rc = file_read_at(dirfd, path, DOC_MAX, text, &len, e);
	return rc < 0 ? rc : doc_load(text, len, path, kind, d, e);
}

/* The same, of a file in the repository. */
static int repo_doc(const struct repo *r, const char *name, enum doc_kind kind, char **text, struct doc *d,
		    struct perr *e)
{
	size_t len;
	int rc;

	memset(d, 0, sizeof *d);
	rc = repo_read(r, name, DOC_MAX, text, &len, e);
	return rc < 0 ? rc : doc_load(text, len, name, kind, d, e);
}

/* Enough valid signatures by root's keys on d? */
static int signed_by(const struct doc *root, const struct doc *d, const char *text, const char *what,
		     struct perr *e)
{
	int badsigs, good = doc_signers(root, d, text, &badsigs);

	if (good >= root->threshold)
		return 0;
	return perr(e, -EPERM, "%s: %d valid signature%s by trusted keys, %d needed%s: refused", what, good,
		    good == 1 ? "" : "s", root->threshold, badsigs ? " (some signatures do not verify)" : "");
}

static void override_log(int pkgdir, const char *what)
{
	char line[512];
	int fd = openat(pkgdir, "trust/overrides.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	int n = snprintf(line, sizeof line, "%lld %s\n", (long long)time(NULL), what);

	fprintf(stderr, "pkg: WARNING: %s\n", what);
	if (fd >= 0) {
		if (file_write_all(fd, line, (size_t)n) == 0)
			fsync(fd);
		close(fd);
	}
}

static int expired(const struct doc *d, const char *what, int pkgdir, int flags, struct perr *e)
{
	char msg[256];

	if ((unsigned long long)time(NULL) < d->expires)
		return 0;
	snprintf(msg, sizeof msg, "%s version %llu expired at %llu", what, d->version, d->expires);
	if (flags & REPO_ALLOW_EXPIRED) {
		strncat(msg, ": accepted by --allow-expired", sizeof msg - strlen(msg) - 1);
		override_log(pkgdir, msg);
		return 0;
	}
	return perr(e, -EKEYEXPIRED, "%s: refused (a frozen repository; --allow-expired overrides)", msg);
}

/* The trusted root, first from the operator's file when none is stored. */
static int trusted_root(struct repo *r, int pkgdir, const char *trust, struct perr *e)
{
	int rc = repo_load_doc(pkgdir, "trust/root", DOC_ROOT, &r->roottext, &r->root, e);

	if (rc != -ENOENT)
		return rc;
	if (trust == NULL)
		return perr(e, -ENOKEY, "this root trusts no keys yet: give --trust ROOTFILE (the "
			    "repository's first root document, from its owner)");
	rc = repo_load_doc(AT_FDCWD, trust, DOC_ROOT, &r->roottext, &r->root, e);
	if (rc < 0)
		return rc;
	rc = signed_by(&r->root, &r->root, r->roottext, trust, e);
	if (rc == 0 && mkdirat(pkgdir, "trust", 0755) < 0 && errno != EEXIST)
		rc = perr(e, -errno, "%s/trust: %s", DB_DIR, strerror(errno));
	if (rc == 0 && (rc = file_write_at(pkgdir, "trust/root", r->roottext, strlen(r->roottext), 0644)) < 0)
		perr(e, rc, "%s/trust/root: %s", DB_DIR, strerror(-rc));
	return rc;
}

/* Newer roots the repository holds, each signed by the old keys and its own. */
static int rotate(struct repo *r, int pkgdir, struct perr *e)
{
	for (;;) {
		char path[64], *text = NULL;
		struct doc d;
		int rc;

		snprintf(path, sizeof path, "root/%llu.root", r->root.version + 1);
		rc = repo_doc(r, path, DOC_ROOT, &text, &d, e);
		if (rc == -ENOENT)
			return 0;
		if (rc < 0)
			return rc;
		if (d.version != r->root.version + 1)
			rc = perr(e, -EINVAL, "%s: says version %llu", path, d.version);
		if (rc == 0)
			rc = signed_by(&r->root, &d, text, path, e);
		if (rc == 0)
			rc = signed_by(&d, &d, text, path, e);
		if (rc == 0 && (rc = file_write_at(pkgdir, "trust/root", text, strlen(text), 0644)) < 0)
			perr(e, rc, "%s/trust/root: %s", DB_DIR, strerror(-rc));
		if (rc < 0) {
			doc_free(&d);
			free(text);
			return rc;
		}
		doc_free(&r->root);
		free(r->roottext);
		r->root = d;
		r->roottext = text;
	}
}

/*
 * The release trusted before stays the floor for the next only while the
 * root's keys sign it, which a rotation may have ended: one signed by
 * keys the rotation dropped (stolen, say, and made to sign a release
 * numbered beyond any real one) would refuse every release to come.  It
 * is forgotten, and the next release trusted afresh (TUF's fast-forward
 * recovery).  Checked on every open, not only at the rotation, so a crash
 * between the two, or before the unlink is on the disk, leaves nothing
 * stuck.  1 when forgotten.
 */
static int release_rekeyed(const struct repo *r, int pkgdir, const struct doc *old, const char *oldtext,
			   struct perr *e)
{
	int bad, good = doc_signers(&r->root, old, oldtext, &bad);

	if (good >= r->root.threshold)
		return 0;
	fprintf(stderr, "pkg: the release trusted before (version %llu) has %d valid signature%s by the keys of "
		"root version %llu, %d needed: forgotten, the next release is trusted afresh\n", old->version,
		good, good == 1 ? "" : "s", r->root.version, r->root.threshold);
	if (unlinkat(pkgdir, "trust/release", 0) < 0)
		return perr(e, -errno, "%s/trust/release: %s", DB_DIR, strerror(errno));
	return 1;
}

static int check_release(struct repo *r, int pkgdir, int flags, struct perr *e)
{
	struct doc old;
	char *oldtext = NULL, msg[256];
	int rc;

	rc = repo_doc(r, "release", DOC_RELEASE, &r->reltext, &r->release, e);
	if (rc < 0)
		return rc;
	rc = signed_by(&r->root, &r->release, r->reltext, "release", e);
	if (rc < 0)
		return rc;
	rc = repo_load_doc(pkgdir, "trust/release", DOC_RELEASE, &oldtext, &old, e);
	if (rc == 0 && (rc = release_rekeyed(r, pkgdir, &old, oldtext, e)) != 0) {
		doc_free(&old);
		free(oldtext);
		oldtext = NULL;
		rc = rc > 0 ? -ENOENT : rc;
	}
	if (rc == 0) {
		if (r->release.version < old.version) {
			snprintf(msg, sizeof msg, "release version %llu is older than version %llu, trusted "
				 "before", r->release.version, old.version);
			if (flags & REPO_ALLOW_ROLLBACK) {
				strncat(msg, ": accepted by --allow-rollback", sizeof msg - strlen(msg) - 1);
				override_log(pkgdir, msg);
			} else {
				rc = perr(e, -ESTALE, "%s: refused (a rollback; --allow-rollback overrides)", msg);
			}
		} else if (r->release.version == old.version && strcmp(oldtext, r->reltext) != 0) {
			rc = perr(e, -EINVAL, "release version %llu differs from the version %llu trusted before: "
				  "refused", r->release.version, old.version);
		}
		doc_free(&old);
		free(oldtext);
	} else if (rc == -ENOENT) {
		rc = 0;
	}
	if (rc == 0)
		rc = expired(&r->release, "release", pkgdir, flags, e);
	if (rc == 0 && (rc = file_write_at(pkgdir, "trust/release", r->reltext, strlen(r->reltext), 0644)) < 0)
		perr(e, rc, "%s/trust/release: %s", DB_DIR, strerror(-rc));
	return rc;
}

/*
 * repo_open: the repository at path (a directory, a bundle file or an
 * https:// URL), checked from the root this machine trusts (pkgdir: the
 * install root's DB_DIR) down to the index.
 */
int repo_open(struct repo *r, const char *path, int pkgdir, const struct repo_opts *o, struct perr *e)
{
	char err[256];
	uint8_t sum[32];
	size_t len;
	int rc, flags = o->flags;

	memset(r, 0, sizeof *r);
	r->b.fd = -1;
	r->cachefd = -1;
	r->cache = o->cache;
	if (fetch_is_url(path)) {
		r->dirfd = -1;
		r->net = malloc(sizeof *r->net);
		if (r->net == NULL)
			return perr(e, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
		rc = fetch_open(r->net, path, o->ca, e);
		if (rc < 0) {
			free(r->net);
			r->net = NULL;
			return rc;
		}
		r->net->lim = o->lim;
	} else if ((r->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno == ENOTDIR) {
		rc = bundle_open(&r->b, path, e);
		if (rc < 0)
			return rc;
	} else if (r->dirfd < 0) {
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	}
	rc = trusted_root(r, pkgdir, o->trust, e);
	if (rc == 0)
		rc = rotate(r, pkgdir, e);
	if (rc == 0)
		rc = expired(&r->root, "root", pkgdir, flags, e);
	if (rc == 0)
		rc = check_release(r, pkgdir, flags, e);
	if (rc < 0)
		return rc;
	/* Read to the size the release signs, and not a byte past it. */
	if (r->release.index_size > INDEX_MAX)
		return perr(e, -EFBIG, "release: names an index of %llu bytes, more than an index may be (%u): "
			    "refused", r->release.index_size, INDEX_MAX);
	rc = repo_read(r, "index", (size_t)r->release.index_size, &r->indextext, &len, e);
	if (rc == -EFBIG)
		return perr(e, -EINVAL, "index: does not match the signed release (longer than its %llu bytes): "
			    "refused", r->release.index_size);
	if (rc < 0)
		return rc;
	if (len != r->release.index_size || sha256_buf(r->indextext, len, sum) < 0 ||
	    memcmp(sum, r->release.index_sha256, 32) != 0)
		return perr(e, -EINVAL, "index: does not match the signed release (size or sha256): refused");
	rc = index_parse(r->indextext, len, &r->ix, err, sizeof err);
	if (rc < 0)
		return perr(e, rc, "index: %s", err);
	return 0;
}

/* The cached copy of a fetched package, if it is the one the index names. */
static int cached(int fd, const struct index_pkg *p)
{
	struct sha256 h;
	struct stat st;
	uint8_t buf[65536], sum[32];
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size != p->size ||
	    sha256_init(&h) < 0)
		return 0;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&h, buf, (size_t)n);
	if (sha256_final(&h, sum) < 0 || n < 0 || lseek(fd, 0, SEEK_SET) != 0)
		return 0;
	return memcmp(sum, p->sha256, 32) == 0;
}

/* A package of an https:// repository: from the cache, else fetched into it. */
static int net_pkg_open(struct repo *r, const struct index_pkg *p, const char *name, struct perr *e)
{
	struct stat st;
	int fd, rc;

	if (r->cachefd < 0) {
		if (r->cache == NULL)
			return perr(e, -EINVAL, "%s: no cache directory for fetched packages", name);
		rc = file_mkdirs(AT_FDCWD, r->cache, 0755);
		if (rc < 0)
			return perr(e, rc, "%s: %s", r->cache, strerror(-rc));
		r->cachefd = open(r->cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r->cachefd < 0)
			return perr(e, -errno, "%s: %s", r->cache, strerror(errno));
	}
	/* Anything else under the name (a FIFO, a link) is fetched over. */
	fd = file_open_regular(r->cachefd, name, &st, e);
	if (fd >= 0 && cached(fd, p))
		return fd;
	if (fd >= 0)
		close(fd);
	rc = fetch_file(r->net, name, p->size, p->sha256, r->cachefd, e);
	if (rc < 0)
		return rc;
	return file_open_regular(r->cachefd, name, &st, e);
}

/*
 * repo_pkg_open: the file of one index entry, NAME-VERSION.ARCH.pkg: an fd
 * of its own, and where in it the package lies (len < 0: all of it).
 */
int repo_pkg_open(struct repo *r, const struct index_pkg *p, off_t *base, long long *len,
		  struct perr *e)
{
	const struct bundle_entry *en;
	struct stat st;
	char name[256];
	int fd;

	snprintf(name, sizeof name, "%s-%s.%s.pkg", p->name, p->version, p->arch);
	*base = 0;
	*len = -1;
	if (r->net != NULL)
		return net_pkg_open(r, p, name, e);
	if (r->dirfd < 0) {
		en = bundle_find(&r->b, name);
		if (en == NULL)
			return perr(e, -ENOENT, "%s: not in the bundle", name);
		fd = fcntl(r->b.fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return perr(e, -errno, "%s: %s", name, strerror(errno));
		*base = (off_t)en->off;
		*len = (long long)en->size;
		return fd;
	}
	return file_open_regular(r->dirfd, name, &st, e);
}

void repo_close(struct repo *r)
{
	doc_free(&r->root);
	doc_free(&r->release);
	free(r->roottext);
	free(r->reltext);
	free(r->indextext);
	index_free(&r->ix);
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->cachefd >= 0)
		close(r->cachefd);
	if (r->net != NULL) {
		fetch_close(r->net);
		free(r->net);
	}
	if (r->b.v != NULL || r->b.fd >= 0)
		bundle_close(&r->b);
	memset(r, 0, sizeof *r);
	r->dirfd = -1;
	r->cachefd = -1;
}
