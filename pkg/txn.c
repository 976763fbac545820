/*
 * txn.c: install, upgrade and remove as one transaction that a crash or a
 * power cut at any point leaves in the old state or the new, never between
 * (doc/pkg-db.md).  The order, and its four durability barriers:
 *
 *   1. intent: the journal lists every path the transaction touches;
 *      fsync it.
 *   2. data: new files are written, hash-checked, under staging names
 *      beside their final ones; the new metadata and the new db too;
 *      one syncfs(2) per file system, not one fsync per file.
 *   3. renames: each old file moved aside, each new one renamed in; then
 *      db.new renamed over db: that rename is the commit.  syncfs again.
 *   4. cleanup: old files, emptied directories, the journal.
 *
 * Recovery (at the start of every run that writes) finds a journal: if the
 * db carries the journal's transaction number the transaction committed and
 * is finished forward, else it is rolled back.  Both walks are idempotent,
 * so a crash during recovery is recovered again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsroot.h"
#include "payload.h"
#include "text.h"
#include "txn.h"

#define JOURNAL_MAX (64u << 20)

enum op { OP_DIR = 'd', OP_NEW = 'n', OP_REPLACE = 'r', OP_REMOVE = 'x', OP_RMDIR = 'D' };

struct entry {
	enum op op;
	char *path;
	const struct pkg_file *nf, *of;
	size_t pkg;				/* which t->add, for new entries */
};

struct plan {
	struct entry *v;
	size_t n, cap;
	unsigned long long txn;
};

/* ---- fault injection (tests only: -DPKG_FAULTS) ------------------------ */
#ifdef PKG_FAULTS
static long fault_at = -1, fault_count;
static int fault_kill;

static void fault_setup(void)
{
	const char *at = getenv("PKG_FAULT_AT");

	fault_at = at != NULL ? atol(at) : -1;
	fault_kill = getenv("PKG_FAULT_KILL") != NULL;
	fault_count = 0;
}

/* Every write, rename and sync of a transaction passes here first. */
static int fault(void)
{
	if (++fault_count != fault_at)
		return 0;
	if (fault_kill)
		raise(SIGKILL);
	errno = EIO;
	return -1;
}

static void fault_report(void)
{
	if (fault_at >= 0)
		fprintf(stderr, "pkg: fault points: %ld\n", fault_count);
}
#else
static void fault_setup(void)
{
}

static int fault(void)
{
	return 0;
}

static void fault_report(void)
{
}
#endif

/* ---- loading a package ---------------------------------------------- */

/*
 * txn_pkg_load: read the package at fd once (len bytes from base; len < 0:
 * the whole file), hashing every byte and keeping its header and
 * metadata; the hash and size must be the index's (sha256 NULL: not
 * checked) before the metadata is parsed at all.
 */
int txn_pkg_load(struct txn_pkg *p, int fd, off_t base, long long len, const uint8_t sha256[32],
		 unsigned long long size, const char *name, struct perr *e)
{
	static unsigned char buf[1 << 17];
	struct pkg_header h;
	struct sha256 hs;
	struct stat st;
	unsigned long long at = 0, keep = PKG_HEADER_MAX;
	char err[256];
	uint8_t got[32];
	size_t i, lines = 0;
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
	p->meta_raw = malloc(PKG_HEADER_MAX + 1);
	if (p->meta_raw == NULL) {
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
				memcpy(p->meta_raw + at, buf, n);
				if (at + n >= PKG_HEADER_MAX || at + n == (unsigned long long)st.st_size) {
					char *m2;

					if (pkg_header_parse(p->meta_raw, (size_t)(at + n), &h, err, sizeof err) < 0) {
						rc = perr(e, -EINVAL, "%s: %s", name, err);
						break;
					}
					keep = h.header_len + h.meta_len;
					m2 = realloc(p->meta_raw, keep + 1);
					if (m2 == NULL) {
						rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
						break;
					}
					p->meta_raw = m2;
					n = (size_t)((unsigned long long)r < keep - at ? (unsigned long long)r : keep - at);
				}
			}
			memcpy(p->meta_raw + at, buf, n);
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
	/* Only the metadata is kept, as the db will store it. */
	memmove(p->meta_raw, p->meta_raw + h.header_len, h.meta_len);
	p->meta_len = h.meta_len;
	p->meta_raw[p->meta_len] = '\0';
	p->payload_off = base + (off_t)(h.header_len + h.meta_len);
	p->payload_len = h.payload_len;
	memcpy(p->file_sha256, got, 32);
	p->file_size = (unsigned long long)st.st_size;
	sha256_buf(p->meta_raw, p->meta_len, p->meta_sha256);
	for (i = 0; i < p->meta_len; i++)
		lines += p->meta_raw[i] == '\n';
	p->meta_text = malloc(p->meta_len + 1);
	p->m.maxfiles = lines;
	p->m.files = calloc(lines ? lines : 1, sizeof *p->m.files);
	if (p->meta_text == NULL || p->m.files == NULL) {
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		goto err;
	}
	memcpy(p->meta_text, p->meta_raw, p->meta_len + 1);
	rc = pkg_meta_parse(p->meta_text, p->meta_len, &p->m, err, sizeof err);
	if (rc < 0) {
		perr(e, rc, "%s: %s", name, err);
		goto err;
	}
	p->fd = fd;
	return 0;
err:
	txn_pkg_free(p);
	return rc;
}

void txn_pkg_free(struct txn_pkg *p)
{
	free(p->meta_raw);
	free(p->meta_text);
	free(p->m.files);
	if (p->fd >= 0)
		close(p->fd);
	memset(p, 0, sizeof *p);
	p->fd = -1;
}

/* ---- opening a root -------------------------------------------------- */

static int recover(struct txn *t, struct perr *e);
static void meta_gc(struct txn *t);

/*
 * txn_open: the root's package directory, its lock (one pkg at a time),
 * any interrupted transaction recovered, and the db loaded.  readonly:
 * no lock, no recovery, no directory made (list, verify, info).
 */
int txn_open(struct txn *t, int rootfd, int readonly, struct perr *e)
{
	int rc;

	memset(t, 0, sizeof *t);
	t->rootfd = rootfd;
	t->pkgdir = t->lockfd = -1;
	fault_setup();
	if (!readonly) {
		rc = fsroot_mkdirs(rootfd, DB_DIR "/meta", 0755);
		if (rc < 0)
			return perr(e, rc, "%s: %s", DB_DIR, strerror(-rc));
	}
	t->pkgdir = fsroot_open(rootfd, DB_DIR, O_RDONLY | O_DIRECTORY);
	if (t->pkgdir == -ENOENT && readonly)
		return 0;
	if (t->pkgdir < 0)
		return perr(e, t->pkgdir, "%s: %s", DB_DIR, strerror(-t->pkgdir));
	if (!readonly) {
		t->lockfd = openat(t->pkgdir, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (t->lockfd < 0)
			return perr(e, -errno, "%s/lock: %s", DB_DIR, strerror(errno));
		if (flock(t->lockfd, LOCK_EX | LOCK_NB) < 0)
			return perr(e, -errno, "%s/lock: %s", DB_DIR, errno == EWOULDBLOCK ?
				    "another pkg is working on this root" : strerror(errno));
		rc = recover(t, e);
		if (rc < 0)
			return rc;
	}
	return db_load(t->pkgdir, &t->db, e);
}

void txn_close(struct txn *t)
{
	db_free(&t->db);
	if (t->pkgdir >= 0)
		close(t->pkgdir);
	if (t->lockfd >= 0)
		close(t->lockfd);
	t->pkgdir = t->lockfd = -1;
	fault_report();
}

/* ---- the plan -------------------------------------------------------- */

struct owned {
	const char *path;
	const struct pkg_file *f;
	const char *owner;
	size_t pkg;
};

static int by_owned_path(const void *a, const void *b)
{
	return strcmp(((const struct owned *)a)->path, ((const struct owned *)b)->path);
}

static const struct owned *owned_find(const struct owned *v, size_t n, const char *path)
{
	struct owned key = { path, NULL, NULL, 0 };

	return n == 0 ? NULL : bsearch(&key, v, n, sizeof *v, by_owned_path);
}

static int plan_add(struct plan *pl, enum op op, const char *path, const char *suffix,
		    const struct pkg_file *nf, const struct pkg_file *of, size_t pkg)
{
	struct entry *en;
	size_t len = strlen(path) + strlen(suffix) + 1;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 1024;
		struct entry *v = realloc(pl->v, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		pl->v = v;
		pl->cap = cap;
	}
	en = &pl->v[pl->n];
	en->path = malloc(len);
	if (en->path == NULL)
		return -ENOMEM;
	snprintf(en->path, len, "%s%s", path, suffix);
	en->op = op;
	en->nf = nf;
	en->of = of;
	en->pkg = pkg;
	pl->n++;
	return 0;
}

static void plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free(pl->v[i].path);
	free(pl->v);
	memset(pl, 0, sizeof *pl);
}

/* A parent directory fd kept while consecutive entries share it. */
struct dircache {
	char path[PKG_PATH_MAX + 1];
	int fd;
};

static void dircache_drop(struct dircache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->path[0] = '\0';
}

/* The parent of path (in *leaf its last component), from the cache when
 * the entry before had the same one: entries come sorted, so most do. */
static int dir_of(int rootfd, struct dircache *c, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (c->fd != -1 && strlen(c->path) == n && strncmp(c->path, path, n) == 0)
		return c->fd;
	dircache_drop(c);
	c->fd = fsroot_parent(rootfd, path, leaf);
	memcpy(c->path, path, n);
	c->path[n] = '\0';
	return c->fd;
}

/* What is at path inside the root: 0 and *st, or -ENOENT. */
static int disk_stat(int rootfd, struct dircache *c, const char *path, struct stat *st)
{
	const char *leaf;
	int dfd = dir_of(rootfd, c, path, &leaf);

	if (dfd < 0)
		return dfd == -ENOTDIR ? -ENOENT : dfd;
	return fstatat(dfd, leaf, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* 1 when path (a regular file) no longer holds the bytes its package put there. */
static int changed(int rootfd, const char *path, const uint8_t sha[32])
{
	static unsigned char buf[1 << 16];
	struct sha256 h;
	uint8_t got[32];
	ssize_t r;
	int fd = fsroot_open(rootfd, path, O_RDONLY | O_NOFOLLOW);

	if (fd < 0 || sha256_init(&h) < 0) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	while ((r = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&h, buf, (size_t)r);
	close(fd);
	return sha256_final(&h, got) < 0 || r < 0 || memcmp(got, sha, 32) != 0;
}

static int is_config(const struct pkg_file *f)
{
	return f->type == PKG_FILE && strncmp(f->path, "etc/", 4) == 0;
}

/* Is name one of the packages this transaction removes? */
static int removing(const struct txn *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nremove; i++)
		if (strcmp(t->remove[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Every path the transaction touches, checked before anything is written:
 * no path twice among new packages, none owned by a package that stays,
 * none on disk that no package owns, no type changes.
 */
static int plan_make(struct txn *t, struct plan *pl, struct perr *e)
{
	struct owned *nv = NULL, *ov = NULL, *kv = NULL;
	struct dircache dc = { "", -1 };
	size_t nn = 0, on = 0, kn = 0, total = 0, i, j;
	int rc = -ENOMEM;

	for (i = 0; i < t->nadd; i++)
		total += t->add[i].m.nfiles;
	for (i = 0; i < t->db.n; i++)
		total += t->db.pkgs[i].m.nfiles;
	nv = calloc(total + 1, sizeof *nv);
	ov = calloc(total + 1, sizeof *ov);
	kv = calloc(total + 1, sizeof *kv);
	if (nv == NULL || ov == NULL || kv == NULL) {
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0; i < t->nadd; i++)
		for (j = 0; j < t->add[i].m.nfiles; j++)
			nv[nn++] = (struct owned){ t->add[i].m.files[j].path, &t->add[i].m.files[j],
						   t->add[i].m.name, i };
	for (i = 0; i < t->db.n; i++) {
		const struct db_pkg *p = &t->db.pkgs[i];
		int gone = removing(t, p->name);

		for (j = 0; j < p->m.nfiles; j++) {
			struct owned o = { p->m.files[j].path, &p->m.files[j], p->name, 0 };

			if (gone)
				ov[on++] = o;
			else
				kv[kn++] = o;
		}
	}
	qsort(nv, nn, sizeof *nv, by_owned_path);
	qsort(ov, on, sizeof *ov, by_owned_path);
	qsort(kv, kn, sizeof *kv, by_owned_path);
	for (i = 0; i < nn; i++) {
		const struct owned *n = &nv[i], *k, *o;
		const struct pkg_file *nf = n->f;
		struct stat st;
		int have;

		if (i + 1 < nn && strcmp(nv[i + 1].path, n->path) == 0) {
			if (nf->type == PKG_DIR && nv[i + 1].f->type == PKG_DIR)
				continue;
			rc = perr(e, -EEXIST, "/%s is in both %s and %s: they conflict", n->path, n->owner,
				  nv[i + 1].owner);
			goto out;
		}
		k = owned_find(kv, kn, n->path);
		if (k != NULL && (nf->type != PKG_DIR || k->f->type != PKG_DIR)) {
			rc = perr(e, -EEXIST, "/%s of %s belongs to the installed %s: they conflict", n->path,
				  n->owner, k->owner);
			goto out;
		}
		o = owned_find(ov, on, n->path);
		have = disk_stat(t->rootfd, &dc, n->path, &st);
		if (have < 0 && have != -ENOENT) {
			rc = perr(e, have, "/%s: %s", n->path, strerror(-have));
			goto out;
		}
		if (nf->type == PKG_DIR) {
			if (have == 0 && !S_ISDIR(st.st_mode)) {
				rc = perr(e, -EEXIST, "/%s: %s needs a directory there, and something else is",
					  n->path, n->owner);
				goto out;
			}
			if (have < 0)
				rc = plan_add(pl, OP_DIR, n->path, "", nf, NULL, n->pkg);
			else
				rc = 0;
		} else if (have < 0) {
			rc = plan_add(pl, OP_NEW, n->path, "", nf, o ? o->f : NULL, n->pkg);
		} else if ((o == NULL && !(is_config(nf) && S_ISREG(st.st_mode))) ||
			   (o != NULL && o->f->type == PKG_DIR) || S_ISDIR(st.st_mode)) {
			rc = perr(e, -EEXIST, "/%s of %s is already on disk and %s", n->path, n->owner,
				  o == NULL ? "belongs to no package: move it away first" :
				  "is a directory there");
			goto out;
		} else if (S_ISREG(st.st_mode) && (o == NULL || (is_config(o->f) &&
							       changed(t->rootfd, n->path, o->f->sha256))) &&
			   (nf->type != PKG_FILE || changed(t->rootfd, n->path, nf->sha256))) {
			/* (o == NULL here: a config file left by a removed package.) */
			/* A config file changed here is kept; the new one goes beside it. */
			char side[PKG_PATH_MAX + 16];
			struct stat st2;
			int have2;

			snprintf(side, sizeof side, "%s.pkg-new", n->path);
			have2 = disk_stat(t->rootfd, &dc, side, &st2);
			rc = plan_add(pl, have2 == 0 && S_ISREG(st2.st_mode) ? OP_REPLACE : OP_NEW, n->path,
				      ".pkg-new", nf, NULL, n->pkg);
			if (rc == 0)
				fprintf(stderr, "pkg: /%s changed here: kept; the new one is /%s.pkg-new\n",
					n->path, n->path);
		} else {
			rc = plan_add(pl, OP_REPLACE, n->path, "", nf, o ? o->f : NULL, n->pkg);
		}
		if (rc < 0) {
			perr(e, rc, "%s", strerror(-rc));
			goto out;
		}
	}
	/* What the removed packages had and the new ones do not. */
	for (i = on; i-- > 0;) {
		const struct owned *o = &ov[i];
		struct stat st;

		if (owned_find(nv, nn, o->path) != NULL || (i > 0 && strcmp(ov[i - 1].path, o->path) == 0))
			continue;
		if (o->f->type == PKG_DIR) {
			if (owned_find(kv, kn, o->path) == NULL)
				rc = plan_add(pl, OP_RMDIR, o->path, "", NULL, o->f, 0);
			else
				rc = 0;
		} else if (disk_stat(t->rootfd, &dc, o->path, &st) < 0) {
			rc = 0;
		} else if (is_config(o->f) && changed(t->rootfd, o->path, o->f->sha256)) {
			fprintf(stderr, "pkg: /%s changed here: kept\n", o->path);
			rc = 0;
		} else {
			rc = plan_add(pl, OP_REMOVE, o->path, "", NULL, o->f, 0);
		}
		if (rc < 0) {
			perr(e, rc, "%s", strerror(-rc));
			goto out;
		}
	}
	rc = 0;
out:
	dircache_drop(&dc);
	free(nv);
	free(ov);
	free(kv);
	return rc;
}

/* ---- names ------------------------------------------------------------ */

static void staged_name(char *buf, size_t size, unsigned long long txn, size_t i)
{
	snprintf(buf, size, ".pkg.%llu.%zu", txn, i);
}

static void old_name(char *buf, size_t size, unsigned long long txn, size_t i)
{
	snprintf(buf, size, ".pkg-old.%llu.%zu", txn, i);
}

/* ---- the journal ------------------------------------------------------ */

static int journal_write(struct txn *t, const struct plan *pl, struct perr *e)
{
	char line[PKG_PATH_MAX + 64];
	size_t i;
	int fd, rc = 0, n;

	if (fault() < 0)
		return perr(e, -errno, "%s/journal: %s", DB_DIR, strerror(errno));
	fd = openat(t->pkgdir, "journal", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return perr(e, -errno, "%s/journal: %s", DB_DIR, strerror(errno));
	n = snprintf(line, sizeof line, "cairn-journal 1\ntxn %llu\n", pl->txn);
	rc = util_write_all(fd, line, (size_t)n);
	for (i = 0; rc == 0 && i < pl->n; i++) {
		n = snprintf(line, sizeof line, "%c %s\n", (char)pl->v[i].op, pl->v[i].path);
		rc = util_write_all(fd, line, (size_t)n);
	}
	if (rc == 0)
		rc = util_write_all(fd, "end\n", 4);
	if (rc == 0 && (fault() < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && (fault() < 0 || fsync(t->pkgdir) < 0))
		rc = -errno;
	return rc < 0 ? perr(e, rc, "%s/journal: %s", DB_DIR, strerror(-rc)) : 0;
}

/* The journal back into a plan; an unfinished one (no "end") is 1. */
static int journal_read(struct txn *t, struct plan *pl, struct perr *e)
{
	char *text, *l, *nl;
	size_t len, at = 0;
	int line = 0, ended = 0, rc;

	rc = util_read_all(t->pkgdir, "journal", JOURNAL_MAX, &text, &len, e);
	if (rc < 0)
		return rc;
	while (at < len && (nl = memchr(text + at, '\n', len - at)) != NULL) {
		const char *why;

		l = text + at;
		*nl = '\0';
		at = (size_t)(nl - text) + 1;
		line++;
		if (line == 1 && strcmp(l, "cairn-journal 1") == 0)
			continue;
		if (line == 2 && strncmp(l, "txn ", 4) == 0 && pkg_decimal(l + 4, 1ULL << 62, &pl->txn) == 0)
			continue;
		if (line > 2 && strcmp(l, "end") == 0) {
			ended = 1;
			break;
		}
		if (line > 2 && strlen(l) > 2 && strchr("dnrxD", l[0]) != NULL && l[1] == ' ' &&
		    pkg_path_ok(l + 2, &why)) {
			if (plan_add(pl, (enum op)l[0], l + 2, "", NULL, NULL, 0) < 0) {
				free(text);
				return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
			}
			continue;
		}
		free(text);
		return perr(e, -EINVAL, "%s/journal line %d: damaged; move it away to go on, and "
			    "check the root with pkg verify", DB_DIR, line);
	}
	free(text);
	return ended ? 0 : 1;
}

/* ---- walking a plan: forward, or back --------------------------------- */

/* Does name exist in dfd (without following it)? */
static int there(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A rename that is a fault point when faults is set. */
static int move(int dfd, const char *from, const char *to, int faults)
{
	if (faults && fault() < 0)
		return -errno;
	return renameat(dfd, from, dfd, to) < 0 ? -errno : 0;
}

enum walk { WALK_IN, WALK_CLEAN, WALK_BACK };

/*
 * Walk a plan.  WALK_IN moves each old file aside and each staged one into
 * place; WALK_CLEAN (after the commit) deletes the old files and emptied
 * directories; WALK_BACK undoes a transaction that did not commit, in
 * reverse.  Only names the plan lists are touched, and every step looks
 * at what is there first, so walking again after a crash is safe.
 */
static int plan_walk(struct txn *t, const struct plan *pl, enum walk how, int faults)
{
	struct dircache dc = { "", -1 };
	char staged[64], old[64];
	size_t k;
	int rc = 0;

	for (k = 0; k < pl->n && rc == 0; k++) {
		size_t i = how == WALK_BACK ? pl->n - 1 - k : k;
		const struct entry *en = &pl->v[i];
		const char *leaf;
		int dfd;

		/* Removing a directory ends the cached handle's use. */
		if (en->op == OP_DIR || en->op == OP_RMDIR)
			dircache_drop(&dc);
		dfd = dir_of(t->rootfd, &dc, en->path, &leaf);
		if (dfd < 0)
			continue;	/* its directory is gone: nothing of it is left */
		staged_name(staged, sizeof staged, pl->txn, i);
		old_name(old, sizeof old, pl->txn, i);
		switch (how) {
		case WALK_IN:
			if ((en->op == OP_REPLACE && there(dfd, staged)) || en->op == OP_REMOVE)
				if (!there(dfd, old) && there(dfd, leaf))
					rc = move(dfd, leaf, old, faults);
			if (rc == 0 && en->op != OP_REMOVE && en->op != OP_DIR && en->op != OP_RMDIR &&
			    there(dfd, staged))
				rc = move(dfd, staged, leaf, faults);
			break;
		case WALK_CLEAN:
			if (en->op == OP_RMDIR)
				unlinkat(dfd, leaf, AT_REMOVEDIR);
			if ((en->op == OP_REPLACE || en->op == OP_REMOVE) &&
			    ((faults && fault() < 0) || (unlinkat(dfd, old, 0) < 0 && errno != ENOENT)))
				rc = -errno;
			break;
		case WALK_BACK:
			if (en->op == OP_DIR)
				unlinkat(dfd, leaf, AT_REMOVEDIR);
			if (en->op == OP_NEW && !there(dfd, staged) && unlinkat(dfd, leaf, 0) < 0 &&
			    errno != ENOENT)
				rc = -errno;
			if ((en->op == OP_REPLACE || en->op == OP_REMOVE) && there(dfd, old))
				rc = move(dfd, old, leaf, 0);
			if (en->op == OP_NEW || en->op == OP_REPLACE)
				unlinkat(dfd, staged, 0);
			break;
		}
	}
	dircache_drop(&dc);
	return rc;
}

/* The file systems a plan touched, each synced once. */
static int sync_all(struct txn *t)
{
	if (fault() < 0 || syncfs(t->rootfd) < 0)
		return -errno;
	return syncfs(t->pkgdir) < 0 ? -errno : 0;
}

/*
 * recover: an interrupted transaction, finished or undone.  The db's
 * transaction number says whether it committed.
 */
static int recover(struct txn *t, struct perr *e)
{
	struct plan pl = { NULL, 0, 0, 0 };
	struct db db;
	int rc, committed;

	rc = journal_read(t, &pl, e);
	if (rc < 0) {
		plan_free(&pl);
		return rc == -ENOENT ? 0 : rc;
	}
	rc = db_load(t->pkgdir, &db, e);
	if (rc < 0) {
		plan_free(&pl);
		return rc;
	}
	committed = db.txn == pl.txn && pl.txn != 0;
	db_free(&db);
	fprintf(stderr, "pkg: transaction %llu was interrupted: %s\n", pl.txn,
		committed ? "it had committed, finishing it" : "rolling it back");
	rc = committed ? plan_walk(t, &pl, WALK_IN, 0) : plan_walk(t, &pl, WALK_BACK, 0);
	if (rc == 0 && committed)
		rc = plan_walk(t, &pl, WALK_CLEAN, 0);
	if (rc == 0 && !committed && unlinkat(t->pkgdir, "db.new", 0) < 0 && errno != ENOENT)
		rc = -errno;
	if (rc == 0)
		rc = syncfs(t->rootfd) < 0 || syncfs(t->pkgdir) < 0 ? -errno : 0;
	if (rc == 0)
		meta_gc(t);
	if (rc == 0 && unlinkat(t->pkgdir, "journal", 0) < 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync(t->pkgdir) < 0 ? -errno : 0;
	plan_free(&pl);
	return rc < 0 ? perr(e, rc, "recovering transaction: %s", strerror(-rc)) : 0;
}

/* ---- staging ---------------------------------------------------------- */

static int set_owner(int dfd, const char *name, const struct pkg_file *f, int fd)
{
	static int euid = -1;

	if (euid == -1)
		euid = (int)geteuid();
	if (euid != 0)
		return 0;	/* a build as a user: owners are set when the image is packed */
	if (fd >= 0) {
		struct stat st;

		/* A new file is already ours: chown only where it must change
		 * (a package's other owner, a setgid directory's group). */
		if (fstat(fd, &st) == 0 && st.st_uid == f->uid && st.st_gid == f->gid)
			return 0;
		return fchown(fd, f->uid, f->gid) < 0 ? -errno : 0;
	}
	return fchownat(dfd, name, f->uid, f->gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* One regular file from the payload into dfd/name, checked against its hash. */
static int extract(struct payload *pl, int dfd, const char *name, const struct pkg_file *f,
		   struct perr *e)
{
	static unsigned char buf[1 << 17];
	unsigned long long left = f->size;
	struct sha256 h;
	uint8_t got[32];
	int fd, rc = 0;

	if (fault() < 0)
		return perr(e, -errno, "/%s: %s", f->path, strerror(errno));
	/* Made with its permission bits (the umask is 0 while a transaction
	 * runs): a chmod is needed only for setuid and setgid, which must
	 * follow the chown that would clear them. */
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f->mode & 0777);
	if (fd < 0)
		return perr(e, -errno, "/%s: %s", f->path, strerror(errno));
	if (sha256_init(&h) < 0) {
		close(fd);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	while (rc == 0 && left > 0) {
		size_t n = left < sizeof buf ? (size_t)left : sizeof buf;

		rc = payload_read(pl, buf, n);
		if (rc < 0) {
			perr(e, rc, "/%s: %s", f->path, payload_why(rc));
			break;
		}
		sha256_update(&h, buf, n);
		if (fault() < 0 || util_write_all(fd, buf, n) < 0)
			rc = perr(e, -errno, "/%s: %s", f->path, strerror(errno));
		left -= n;
	}
	sha256_final(&h, got);
	if (rc == 0 && memcmp(got, f->sha256, 32) != 0)
		rc = perr(e, -EINVAL, "/%s: contents do not match the sha256 in the package's metadata "
			  "(tampered payload): refused", f->path);
	if (rc == 0 && (rc = set_owner(dfd, name, f, fd)) < 0)
		perr(e, rc, "/%s: chown: %s", f->path, strerror(-rc));
	if (rc == 0 && (f->mode & 06000) && fchmod(fd, f->mode) < 0)
		rc = perr(e, -errno, "/%s: chmod: %s", f->path, strerror(errno));
	close(fd);
	return rc;
}

static int stage_pkg(struct txn *t, const struct plan *pl, size_t pk, struct dircache *dc,
		     struct perr *e)
{
	struct txn_pkg *p = &t->add[pk];
	struct payload pay;
	char staged[64], tstaged[64];
	size_t i, at = 0;
	int rc;

	rc = payload_open(&pay, p->fd, p->payload_off, p->payload_len, p->m.payload_size);
	if (rc < 0)
		return perr(e, rc, "%s: %s", p->m.name, strerror(-rc));
	/* Plan entries of this package, in its own (sorted) order. */
	for (i = 0; i < p->m.nfiles && rc == 0; i++) {
		const struct pkg_file *f = &p->m.files[i];
		const struct entry *en = NULL;
		const char *leaf;
		int dfd;

		if (f->type == PKG_DIR)
			continue;
		/* The plan is in path order, and so are this package's files. */
		while (at < pl->n && pl->v[at].nf != f)
			at++;
		if (at == pl->n)
			return perr(e, -EINVAL, "/%s: not in the plan", f->path);
		en = &pl->v[at];
		dfd = dir_of(t->rootfd, dc, en->path, &leaf);
		if (dfd < 0) {
			rc = perr(e, dfd, "/%s: %s", en->path, strerror(-dfd));
			break;
		}
		staged_name(staged, sizeof staged, pl->txn, at);
		switch (f->type) {
		case PKG_FILE:
			rc = extract(&pay, dfd, staged, f, e);
			t->bytes += f->size;
			break;
		case PKG_SYMLINK:
			if (fault() < 0 || symlinkat(f->target, dfd, staged) < 0)
				rc = perr(e, -errno, "/%s: %s", f->path, strerror(errno));
			else if ((rc = set_owner(dfd, staged, f, -1)) < 0)
				perr(e, rc, "/%s: chown: %s", f->path, strerror(-rc));
			break;
		case PKG_HARDLINK: {
			size_t ti;
			const char *tleaf;
			int tfd;

			for (ti = 0; ti < pl->n && (pl->v[ti].nf == NULL || pl->v[ti].pkg != pk ||
						    strcmp(pl->v[ti].nf->path, f->target) != 0); ti++)
				;
			if (ti == pl->n) {
				rc = perr(e, -EINVAL, "/%s: its link target is not being installed", f->path);
				break;
			}
			staged_name(tstaged, sizeof tstaged, pl->txn, ti);
			tfd = fsroot_parent(t->rootfd, pl->v[ti].path, &tleaf);
			if (tfd < 0 || fault() < 0 || linkat(tfd, tstaged, dfd, staged, 0) < 0)
				rc = perr(e, tfd < 0 ? tfd : -errno, "/%s: %s", f->path,
					  strerror(tfd < 0 ? -tfd : errno));
			if (tfd >= 0)
				close(tfd);
			break;
		}
		case PKG_DIR:
			break;
		}
		t->files++;
	}
	if (rc == 0 && (rc = payload_finish(&pay)) < 0)
		perr(e, rc, "%s: %s", p->m.name, payload_why(rc));
	payload_close(&pay);
	return rc;
}

/*
 * A new directory's owner and mode, set through the directory itself:
 * whoever owns its parent can swap a symlink (or a directory of theirs)
 * in under its name once it is made, and a chmod by name would follow it.
 * -EXDEV when what the name holds now is not the directory made.
 */
static int dir_own(int dfd, const char *leaf, const struct pkg_file *f)
{
	struct stat st;
	int fd, rc;

	fd = openat(dfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EXDEV : -errno;
	/* Made a moment ago, it is ours; not so, it is not the one made. */
	rc = fstat(fd, &st) < 0 ? -errno : st.st_uid != geteuid() ? -EXDEV : set_owner(dfd, leaf, f, fd);
	if (rc == 0 && fchmod(fd, f->mode) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int make_dirs(struct txn *t, const struct plan *pl, struct perr *e)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct entry *en = &pl->v[i];
		const char *leaf;
		int dfd, rc = 0;

		if (en->op != OP_DIR)
			continue;
		dfd = fsroot_parent(t->rootfd, en->path, &leaf);
		if (dfd < 0)
			return perr(e, dfd, "/%s: %s", en->path, strerror(-dfd));
		if (fault() < 0 || mkdirat(dfd, leaf, 0700) < 0)
			rc = -errno;
		else
			rc = dir_own(dfd, leaf, en->nf);
		close(dfd);
		if (rc == -EXDEV)
			return perr(e, rc, "/%s: replaced by another file (a link, or someone's directory) as it "
				    "was made: refused", en->path);
		if (rc < 0)
			return perr(e, rc, "/%s: %s", en->path, strerror(-rc));
	}
	return 0;
}

/* The db after the transaction: the kept packages and the new ones, sorted. */
static int db_text(struct txn *t, unsigned long long txn, char **out, size_t *outlen)
{
	size_t cap = 64, len = 0, i, j, n = 0;
	struct { const char *name, *version; const uint8_t *sha; } *v;
	char *s, sum[65];
	int rc = 0;

	v = calloc(t->db.n + t->nadd + 1, sizeof *v);
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < t->db.n; i++)
		if (!removing(t, t->db.pkgs[i].name)) {
			v[n].name = t->db.pkgs[i].name;
			v[n].version = t->db.pkgs[i].version;
			v[n++].sha = t->db.pkgs[i].meta_sha256;
		}
	for (i = 0; i < t->nadd; i++) {
		v[n].name = t->add[i].m.name;
		v[n].version = t->add[i].m.version;
		v[n++].sha = t->add[i].meta_sha256;
	}
	for (i = 1; i < n; i++)		/* insertion sort: n is packages, not files */
		for (j = i; j > 0 && strcmp(v[j - 1].name, v[j].name) > 0; j--) {
			__typeof__(*v) tmp = v[j];

			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	cap = 64 + (n + t->nworld) * 256;
	s = malloc(cap);
	if (s == NULL) {
		free(v);
		return -ENOMEM;
	}
	len += (size_t)snprintf(s + len, cap - len, "cairn-db 1\ntxn %llu\n", txn);
	for (i = 0; i < t->nworld; i++)
		len += (size_t)snprintf(s + len, cap - len, "world %s\n", t->world[i]);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i - 1].name, v[i].name) == 0) {
			rc = -EEXIST;
			break;
		}
		text_hex(v[i].sha, 32, sum);
		len += (size_t)snprintf(s + len, cap - len, "package %s %s %s\n", v[i].name, v[i].version, sum);
	}
	free(v);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	*outlen = len;
	return 0;
}

static int write_new(int dirfd, const char *name, const void *buf, size_t len, int excl)
{
	int fd, rc;

	if (fault() < 0)
		return -errno;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : O_TRUNC), 0644);
	if (fd < 0)
		return errno == EEXIST && excl ? 0 : -errno;
	rc = util_write_all(fd, buf, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/*
 * Metadata no db line names: an old version's after an upgrade, or a new
 * one's after a rollback.  Named by their hashes, they are found by name.
 */
static void meta_gc(struct txn *t)
{
	struct db db;
	struct perr e = { "" };
	struct dirent *de;
	uint8_t sha[32];
	size_t i;
	DIR *d;
	int fd;

	if (db_load(t->pkgdir, &db, &e) < 0)
		return;
	fd = openat(t->pkgdir, "meta", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	d = fd < 0 ? NULL : fdopendir(fd);
	while (d != NULL && (de = readdir(d)) != NULL) {
		int used = 0;

		if (de->d_name[0] == '.' || pkg_hex32(de->d_name, sha) < 0)
			continue;
		for (i = 0; i < db.n && !used; i++)
			used = memcmp(db.pkgs[i].meta_sha256, sha, 32) == 0;
		if (!used)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d != NULL)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	db_free(&db);
}

/*
 * txn_apply: the transaction t describes (t->add in, t->remove out, the
 * new world), all or nothing.
 */
int txn_apply(struct txn *t, struct perr *e)
{
	struct plan pl = { NULL, 0, 0, 0 };
	struct dircache dc = { "", -1 };
	char *dbtext = NULL, hex[65], name[80];
	size_t dblen, i;
	int rc, committed = 0, staged = 0;
	mode_t mask;

	pl.txn = t->db.txn + 1;
	mask = umask(0);	/* modes are the packages', exactly */
	rc = plan_make(t, &pl, e);
	if (rc < 0)
		goto out;
	rc = db_text(t, pl.txn, &dbtext, &dblen);
	if (rc < 0) {
		perr(e, rc, "the new package set names a package twice");
		goto out;
	}
	/* 1. intent */
	rc = journal_write(t, &pl, e);
	if (rc < 0) {
		unlinkat(t->pkgdir, "journal", 0);
		goto out;
	}
	staged = 1;
	/* 2. data */
	rc = make_dirs(t, &pl, e);
	for (i = 0; rc == 0 && i < t->nadd; i++) {
		if (t->progress)
			fprintf(stderr, "  [%zu/%zu] %s %s\n", i + 1, t->nadd, t->add[i].m.name,
				t->add[i].m.version);
		rc = stage_pkg(t, &pl, i, &dc, e);
	}
	for (i = 0; rc == 0 && i < t->nadd; i++) {
		text_hex(t->add[i].meta_sha256, 32, hex);
		snprintf(name, sizeof name, "meta/%s", hex);
		rc = write_new(t->pkgdir, name, t->add[i].meta_raw, t->add[i].meta_len, 1);
		if (rc < 0)
			perr(e, rc, "%s/%s: %s", DB_DIR, name, strerror(-rc));
	}
	if (rc == 0 && (rc = write_new(t->pkgdir, "db.new", dbtext, dblen, 0)) < 0)
		perr(e, rc, "%s/db.new: %s", DB_DIR, strerror(-rc));
	if (rc == 0 && (rc = sync_all(t)) < 0)
		perr(e, rc, "syncfs: %s", strerror(-rc));
	if (rc < 0)
		goto out;
	/* 3. renames, then the commit */
	rc = plan_walk(t, &pl, WALK_IN, 1);
	if (rc < 0) {
		perr(e, rc, "rename: %s", strerror(-rc));
		goto out;
	}
	if (fault() < 0 || renameat(t->pkgdir, "db.new", t->pkgdir, "db") < 0) {
		rc = perr(e, -errno, "%s/db: %s", DB_DIR, strerror(errno));
		goto out;
	}
	committed = 1;
	rc = sync_all(t);
	if (rc < 0)
		fprintf(stderr, "pkg: syncfs after the commit: %s (the transaction stands)\n", strerror(-rc));
	/* 4. cleanup */
	rc = plan_walk(t, &pl, WALK_CLEAN, 1);
	if (rc < 0)
		fprintf(stderr, "pkg: cleanup: %s (the next run finishes it)\n", strerror(-rc));
	meta_gc(t);
	/* The journal goes last, and only once everything before it went:
	 * while it is there, the next run finishes the cleanup. */
	if (rc == 0 && (fault() < 0 || unlinkat(t->pkgdir, "journal", 0) < 0))
		fprintf(stderr, "pkg: %s/journal: %s (the next run finishes it)\n", DB_DIR, strerror(errno));
	rc = 0;
out:
	dircache_drop(&dc);
	if (rc < 0 && staged && !committed) {
		/* Undo now; what this cannot undo the next run's recovery does. */
		if (plan_walk(t, &pl, WALK_BACK, 0) == 0) {
			unlinkat(t->pkgdir, "db.new", 0);
			meta_gc(t);
			if (syncfs(t->rootfd) == 0)
				unlinkat(t->pkgdir, "journal", 0);
		}
	}
	umask(mask);
	free(dbtext);
	plan_free(&pl);
	return rc;
}
