/* txn_walk.c: a plan walked inside the root: forward, cleaned up after the commit, or back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsroot.h"
#include "txn_int.h"

/* ---- parent directories ---------------------------------------------- */

void txn_dircache_drop(struct dircache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->path[0] = '\0';
}

/* The parent of path (in *leaf its last component), from the cache when
 * the entry before had the same one: entries come sorted, so most do. */
int txn_dir_of(int rootfd, struct dircache *c, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (c->fd != -1 && strlen(c->path) == n && strncmp(c->path, path, n) == 0)
		return c->fd;
	txn_dircache_drop(c);
	c->fd = fsroot_parent(rootfd, path, leaf);
	memcpy(c->path, path, n);
	c->path[n] = '\0';
	return c->fd;
}

/* ---- names ------------------------------------------------------------ */

void txn_staged_name(char *buf, size_t size, unsigned long long txn, size_t i)
{
	snprintf(buf, size, ".pkg.%llu.%zu", txn, i);
}

static void old_name(char *buf, size_t size, unsigned long long txn, size_t i)
{
	snprintf(buf, size, ".pkg-old.%llu.%zu", txn, i);
}

/* ---- walking a plan: forward, or back --------------------------------- */

/* Does name exist in dfd (without following it)? */
static int there(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A rename, a fault point in a live walk. */
static int move(int dfd, const char *from, const char *to, int live)
{
	if (live && txn_fault() < 0)
		return -errno;
	return renameat(dfd, from, dfd, to) < 0 ? -errno : 0;
}

/*
 * Walk a plan.  WALK_IN moves each old file aside and each staged one into
 * place; WALK_CLEAN (after the commit) deletes the old files and emptied
 * directories; WALK_BACK undoes a transaction that did not commit, in
 * reverse.  Only names the plan lists are touched, and every step of a
 * recovery or a rollback looks at what is there first, so walking again
 * after a crash is safe.  live: the transaction's own run, where each step
 * is a fault point for the tests.
 */
int txn_plan_walk(struct txn *t, const struct plan *pl, enum walk how, int live)
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
			txn_dircache_drop(&dc);
		dfd = txn_dir_of(t->rootfd, &dc, en->path, &leaf);
		if (dfd < 0)
			continue;	/* its directory is gone: nothing of it is left */
		txn_staged_name(staged, sizeof staged, pl->txn, i);
		old_name(old, sizeof old, pl->txn, i);
		switch (how) {
		case WALK_IN:
			/* Live, a new path's file was staged a moment ago
			 * and nothing is at the path (the plan checked): one
			 * rename.  The checks below are for a recovery. */
			if (live && en->op == OP_NEW) {
				rc = move(dfd, staged, leaf, live);
				break;
			}
			if ((en->op == OP_REPLACE && there(dfd, staged)) || en->op == OP_REMOVE)
				if (!there(dfd, old) && there(dfd, leaf))
					rc = move(dfd, leaf, old, live);
			if (rc == 0 && en->op != OP_REMOVE && en->op != OP_DIR && en->op != OP_RMDIR &&
			    there(dfd, staged))
				rc = move(dfd, staged, leaf, live);
			break;
		case WALK_CLEAN:
			if (en->op == OP_RMDIR)
				unlinkat(dfd, leaf, AT_REMOVEDIR);
			if ((en->op == OP_REPLACE || en->op == OP_REMOVE) &&
			    ((live && txn_fault() < 0) || (unlinkat(dfd, old, 0) < 0 && errno != ENOENT)))
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
	txn_dircache_drop(&dc);
	return rc;
}
