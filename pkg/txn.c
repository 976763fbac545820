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
 *
 * This file holds that order; each step's work is in a file of its own:
 * txn_plan.c the plan (every path touched, checked first), txn_journal.c
 * the journal, txn_stage.c the data, txn_db.c the db and metadata,
 * txn_walk.c the renames, the cleanup and the rollback.  txn_pkg.c loads
 * the packages a transaction installs; txn_fault.c is for the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"
#include "fsroot.h"
#include "text.h"
#include "txn_int.h"

/* ---- opening a root -------------------------------------------------- */

static int recover(struct txn *t, struct perr *e);

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
	txn_fault_setup();
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
	txn_fault_report();
}

/* ---- the transaction ------------------------------------------------- */

/* The file systems a plan touched, each synced once. */
static int sync_all(struct txn *t)
{
	if (txn_fault() < 0 || syncfs(t->rootfd) < 0)
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

	rc = txn_journal_read(t, &pl, e);
	if (rc < 0) {
		txn_plan_free(&pl);
		return rc == -ENOENT ? 0 : rc;
	}
	rc = db_load(t->pkgdir, &db, e);
	if (rc < 0) {
		txn_plan_free(&pl);
		return rc;
	}
	committed = db.txn == pl.txn && pl.txn != 0;
	db_free(&db);
	fprintf(stderr, "pkg: transaction %llu was interrupted: %s\n", pl.txn,
		committed ? "it had committed, finishing it" : "rolling it back");
	rc = committed ? txn_plan_walk(t, &pl, WALK_IN, 0) : txn_plan_walk(t, &pl, WALK_BACK, 0);
	if (rc == 0 && committed)
		rc = txn_plan_walk(t, &pl, WALK_CLEAN, 0);
	if (rc == 0 && !committed && unlinkat(t->pkgdir, "db.new", 0) < 0 && errno != ENOENT)
		rc = -errno;
	if (rc == 0)
		rc = syncfs(t->rootfd) < 0 || syncfs(t->pkgdir) < 0 ? -errno : 0;
	if (rc == 0)
		txn_meta_gc(t);
	if (rc == 0 && unlinkat(t->pkgdir, "journal", 0) < 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync(t->pkgdir) < 0 ? -errno : 0;
	txn_plan_free(&pl);
	return rc < 0 ? perr(e, rc, "recovering transaction: %s", strerror(-rc)) : 0;
}

/*
 * txn_apply: the transaction t describes (t->add in, t->remove out, the
 * new world), all or nothing.
 */
int txn_apply(struct txn *t, struct perr *e)
{
	struct plan pl = { NULL, 0, 0, 0 };
	struct dircache dc = { "", -1 };
	struct feed *feed = NULL;
	char *dbtext = NULL, hex[65], name[80];
	size_t dblen, i;
	int rc, committed = 0, staged = 0;
	mode_t mask;

	pl.txn = t->db.txn + 1;
	mask = umask(0);	/* modes are the packages', exactly */
	rc = txn_plan_make(t, &pl, e);
	if (rc < 0)
		goto out;
	rc = txn_db_text(t, pl.txn, &dbtext, &dblen);
	if (rc < 0) {
		perr(e, rc, "the new package set names a package twice");
		goto out;
	}
	/* 1. intent */
	rc = txn_journal_write(t, &pl, e);
	if (rc < 0) {
		unlinkat(t->pkgdir, "journal", 0);
		goto out;
	}
	staged = 1;
	/* 2. data: the payloads inflated and hashed on a second thread */
	rc = txn_make_dirs(t, &pl, e);
	if (rc == 0 && t->nadd > 0 && (rc = feed_start(&feed, t->add, t->nadd)) < 0)
		perr(e, rc, "a thread to read the payloads: %s", strerror(-rc));
	for (i = 0; rc == 0 && i < t->nadd; i++) {
		if (t->progress)
			fprintf(stderr, "  [%zu/%zu] %s %s\n", i + 1, t->nadd, t->add[i].m.name,
				t->add[i].m.version);
		rc = txn_stage_pkg(t, &pl, i, feed, &dc, e);
	}
	feed_stop(feed);
	feed = NULL;
	for (i = 0; rc == 0 && i < t->nadd; i++) {
		char *meta;

		text_hex(t->add[i].meta_sha256, 32, hex);
		snprintf(name, sizeof name, "meta/%s", hex);
		rc = txn_pkg_meta(&t->add[i], &meta, e);
		if (rc < 0)
			break;
		rc = txn_write_new(t->pkgdir, name, meta, t->add[i].meta_len, 1);
		free(meta);
		if (rc < 0)
			perr(e, rc, "%s/%s: %s", DB_DIR, name, strerror(-rc));
	}
	if (rc == 0 && (rc = txn_write_new(t->pkgdir, "db.new", dbtext, dblen, 0)) < 0)
		perr(e, rc, "%s/db.new: %s", DB_DIR, strerror(-rc));
	if (rc == 0 && (rc = sync_all(t)) < 0)
		perr(e, rc, "syncfs: %s", strerror(-rc));
	if (rc < 0)
		goto out;
	/* 3. renames, then the commit */
	rc = txn_plan_walk(t, &pl, WALK_IN, 1);
	if (rc < 0) {
		perr(e, rc, "rename: %s", strerror(-rc));
		goto out;
	}
	if (txn_fault() < 0 || renameat(t->pkgdir, "db.new", t->pkgdir, "db") < 0) {
		rc = perr(e, -errno, "%s/db: %s", DB_DIR, strerror(errno));
		goto out;
	}
	committed = 1;
	rc = sync_all(t);
	if (rc < 0)
		fprintf(stderr, "pkg: syncfs after the commit: %s (the transaction stands)\n", strerror(-rc));
	/* 4. cleanup */
	rc = txn_plan_walk(t, &pl, WALK_CLEAN, 1);
	if (rc < 0)
		fprintf(stderr, "pkg: cleanup: %s (the next run finishes it)\n", strerror(-rc));
	txn_meta_gc(t);
	/* The journal goes last, and only once everything before it went:
	 * while it is there, the next run finishes the cleanup. */
	if (rc == 0 && (txn_fault() < 0 || unlinkat(t->pkgdir, "journal", 0) < 0))
		fprintf(stderr, "pkg: %s/journal: %s (the next run finishes it)\n", DB_DIR, strerror(errno));
	rc = 0;
out:
	txn_dircache_drop(&dc);
	if (rc < 0 && staged && !committed) {
		/* Undo now; what this cannot undo the next run's recovery does. */
		if (txn_plan_walk(t, &pl, WALK_BACK, 0) == 0) {
			unlinkat(t->pkgdir, "db.new", 0);
			txn_meta_gc(t);
			if (syncfs(t->rootfd) == 0)
				unlinkat(t->pkgdir, "journal", 0);
		}
	}
	umask(mask);
	free(dbtext);
	txn_plan_free(&pl);
	return rc;
}
