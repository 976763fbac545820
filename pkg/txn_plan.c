/* txn_plan.c: the plan, every path a transaction touches, checked before anything is written. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsroot.h"
#include "txn_int.h"
#include "sha256.h"

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

/* Is path (an entry's, or to be) not its files' own: a copy it owns? */
static int entry_owns(const struct entry *en, const char *path)
{
	return !(en->nf != NULL && path == en->nf->path) && !(en->of != NULL && path == en->of->path);
}

/* Room for cap entries in all. */
static int plan_room(struct plan *pl, size_t cap)
{
	struct entry *v;

	if (cap <= pl->cap)
		return 0;
	v = realloc(pl->v, cap * sizeof *v);
	if (v == NULL)
		return -ENOMEM;
	pl->v = v;
	pl->cap = cap;
	return 0;
}

int txn_plan_add(struct plan *pl, enum op op, const char *path, const char *suffix,
		 const struct pkg_file *nf, const struct pkg_file *of, size_t pkg)
{
	struct entry *en;
	size_t len = strlen(path) + strlen(suffix) + 1;

	if (pl->n == pl->cap && plan_room(pl, pl->cap ? pl->cap * 2 : 1024) < 0)
		return -ENOMEM;
	en = &pl->v[pl->n];
	en->nf = nf;
	en->of = of;
	/* A package's own path lives as long as the transaction. */
	if (*suffix == '\0' && !entry_owns(en, path)) {
		en->path = path;
	} else {
		char *copy = malloc(len);

		if (copy == NULL)
			return -ENOMEM;
		snprintf(copy, len, "%s%s", path, suffix);
		en->path = copy;
	}
	en->op = op;
	en->pkg = (unsigned)pkg;
	pl->n++;
	return 0;
}

void txn_plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (entry_owns(&pl->v[i], pl->v[i].path))
			free((void *)(uintptr_t)pl->v[i].path);
	free(pl->v);
	memset(pl, 0, sizeof *pl);
}

/* What is at path inside the root: 0 and *st, or -ENOENT. */
static int disk_stat(int rootfd, struct dircache *c, const char *path, struct stat *st)
{
	const char *leaf;
	int dfd = txn_dir_of(rootfd, c, path, &leaf);

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
int txn_removing(const struct txn *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nremove; i++)
		if (strcmp(t->remove[i], name) == 0)
			return 1;
	return 0;
}

/* The files of a transaction, each set sorted by path: the new packages'
 * (nv), the removed packages' (ov) and the kept packages' (kv). */
struct owned_sets {
	struct owned *nv, *ov, *kv;
	size_t nn, on, kn;
};

static int owned_collect(struct txn *t, struct owned_sets *s, struct perr *e)
{
	size_t nn = 0, on = 0, kn = 0, i, j;

	for (i = 0; i < t->nadd; i++)
		nn += t->add[i].m.nfiles;
	for (i = 0; i < t->db.n; i++)
		*(txn_removing(t, t->db.pkgs[i].name) ? &on : &kn) += t->db.pkgs[i].m.nfiles;
	s->nv = calloc(nn + 1, sizeof *s->nv);
	s->ov = calloc(on + 1, sizeof *s->ov);
	s->kv = calloc(kn + 1, sizeof *s->kv);
	if (s->nv == NULL || s->ov == NULL || s->kv == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < t->nadd; i++)
		for (j = 0; j < t->add[i].m.nfiles; j++)
			s->nv[s->nn++] = (struct owned){ t->add[i].m.files[j].path, &t->add[i].m.files[j],
							 t->add[i].m.name, i };
	for (i = 0; i < t->db.n; i++) {
		const struct db_pkg *p = &t->db.pkgs[i];
		int gone = txn_removing(t, p->name);

		for (j = 0; j < p->m.nfiles; j++) {
			struct owned o = { p->m.files[j].path, &p->m.files[j], p->name, 0 };

			if (gone)
				s->ov[s->on++] = o;
			else
				s->kv[s->kn++] = o;
		}
	}
	qsort(s->nv, s->nn, sizeof *s->nv, by_owned_path);
	qsort(s->ov, s->on, sizeof *s->ov, by_owned_path);
	qsort(s->kv, s->kn, sizeof *s->kv, by_owned_path);
	return 0;
}

/* The plan's entry for new file i (s->nv[i]), from what owns its path
 * and what is on disk there. */
static int plan_new(struct txn *t, struct plan *pl, const struct owned_sets *s, size_t i,
		    struct dircache *dc, struct perr *e)
{
	const struct owned *n = &s->nv[i], *k, *o;
	const struct pkg_file *nf = n->f;
	struct stat st;
	int have, rc;

	if (i + 1 < s->nn && strcmp(s->nv[i + 1].path, n->path) == 0) {
		if (nf->type == PKG_DIR && s->nv[i + 1].f->type == PKG_DIR)
			return 0;
		return perr(e, -EEXIST, "/%s is in both %s and %s: they conflict", n->path, n->owner,
			    s->nv[i + 1].owner);
	}
	k = owned_find(s->kv, s->kn, n->path);
	if (k != NULL && (nf->type != PKG_DIR || k->f->type != PKG_DIR))
		return perr(e, -EEXIST, "/%s of %s belongs to the installed %s: they conflict", n->path,
			    n->owner, k->owner);
	o = owned_find(s->ov, s->on, n->path);
	have = disk_stat(t->rootfd, dc, n->path, &st);
	if (have < 0 && have != -ENOENT)
		return perr(e, have, "/%s: %s", n->path, strerror(-have));
	if (nf->type == PKG_DIR) {
		if (have == 0 && !S_ISDIR(st.st_mode))
			return perr(e, -EEXIST, "/%s: %s needs a directory there, and something else is",
				    n->path, n->owner);
		if (have < 0)
			rc = txn_plan_add(pl, OP_DIR, n->path, "", nf, NULL, n->pkg);
		else
			rc = 0;
	} else if (have < 0) {
		rc = txn_plan_add(pl, OP_NEW, n->path, "", nf, o ? o->f : NULL, n->pkg);
	} else if ((o == NULL && !(is_config(nf) && S_ISREG(st.st_mode))) ||
		   (o != NULL && o->f->type == PKG_DIR) || S_ISDIR(st.st_mode)) {
		return perr(e, -EEXIST, "/%s of %s is already on disk and %s", n->path, n->owner,
			    o == NULL ? "belongs to no package: move it away first" :
			    "is a directory there");
	} else if (S_ISREG(st.st_mode) && (o == NULL || (is_config(o->f) &&
						       changed(t->rootfd, n->path, o->f->sha256))) &&
		   (nf->type != PKG_FILE || changed(t->rootfd, n->path, nf->sha256))) {
		/* (o == NULL here: a config file left by a removed package.) */
		/* A config file changed here is kept; the new one goes beside it. */
		char side[PKG_PATH_MAX + 16];
		struct stat st2;
		int have2;

		snprintf(side, sizeof side, "%s.pkg-new", n->path);
		have2 = disk_stat(t->rootfd, dc, side, &st2);
		rc = txn_plan_add(pl, have2 == 0 && S_ISREG(st2.st_mode) ? OP_REPLACE : OP_NEW, n->path,
				  ".pkg-new", nf, NULL, n->pkg);
		if (rc == 0)
			fprintf(stderr, "pkg: /%s changed here: kept; the new one is /%s.pkg-new\n",
				n->path, n->path);
	} else {
		rc = txn_plan_add(pl, OP_REPLACE, n->path, "", nf, o ? o->f : NULL, n->pkg);
	}
	if (rc < 0)
		perr(e, rc, "%s", strerror(-rc));
	return rc;
}

/* The plan's entry for removed file i (s->ov[i]), when the new packages
 * do not have it. */
static int plan_old(struct txn *t, struct plan *pl, const struct owned_sets *s, size_t i,
		    struct dircache *dc, struct perr *e)
{
	const struct owned *o = &s->ov[i];
	struct stat st;
	int rc;

	if (owned_find(s->nv, s->nn, o->path) != NULL || (i > 0 && strcmp(s->ov[i - 1].path, o->path) == 0))
		return 0;
	if (o->f->type == PKG_DIR) {
		if (owned_find(s->kv, s->kn, o->path) == NULL)
			rc = txn_plan_add(pl, OP_RMDIR, o->path, "", NULL, o->f, 0);
		else
			rc = 0;
	} else if (disk_stat(t->rootfd, dc, o->path, &st) < 0) {
		rc = 0;
	} else if (is_config(o->f) && changed(t->rootfd, o->path, o->f->sha256)) {
		fprintf(stderr, "pkg: /%s changed here: kept\n", o->path);
		rc = 0;
	} else {
		rc = txn_plan_add(pl, OP_REMOVE, o->path, "", NULL, o->f, 0);
	}
	if (rc < 0)
		perr(e, rc, "%s", strerror(-rc));
	return rc;
}

/*
 * Every path the transaction touches, checked before anything is written:
 * no path twice among new packages, none owned by a package that stays,
 * none on disk that no package owns, no type changes.
 */
int txn_plan_make(struct txn *t, struct plan *pl, struct perr *e)
{
	struct owned_sets s = { NULL, NULL, NULL, 0, 0, 0 };
	struct dircache dc = { "", -1 };
	size_t i;
	int rc;

	rc = owned_collect(t, &s, e);
	/* At most an entry for each new and each removed path. */
	if (rc == 0 && plan_room(pl, s.nn + s.on + 1) < 0)
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; rc == 0 && i < s.nn; i++)
		rc = plan_new(t, pl, &s, i, &dc, e);
	/* What the removed packages had and the new ones do not. */
	for (i = s.on; rc == 0 && i-- > 0;)
		rc = plan_old(t, pl, &s, i, &dc, e);
	txn_dircache_drop(&dc);
	free(s.nv);
	free(s.ov);
	free(s.kv);
	return rc;
}
