/* txn_int.h: what the transaction's files (pkg/txn*.c) share; not for other users. */
#ifndef CAIRN_PKG_TXN_INT_H
#define CAIRN_PKG_TXN_INT_H

#include <stddef.h>

#include "txn.h"

/* A plan entry's op is also its letter in the journal. */
enum op { OP_DIR = 'd', OP_NEW = 'n', OP_REPLACE = 'r', OP_REMOVE = 'x', OP_RMDIR = 'D' };

struct entry {
	const char *path;			/* nf's or of's path, or its own copy */
	const struct pkg_file *nf, *of;
	unsigned pkg;				/* which t->add, for new entries */
	unsigned char op;			/* an enum op */
};

struct plan {
	struct entry *v;
	size_t n, cap;
	unsigned long long txn;
};

/* A parent directory fd kept while consecutive entries share it. */
struct dircache {
	char path[PKG_PATH_MAX + 1];
	int fd;
};

/* How txn_plan_walk walks a plan: see there. */
enum walk { WALK_IN, WALK_CLEAN, WALK_BACK };

/* txn_fault.c: the crash tests' fault points (-DPKG_FAULTS). */
void txn_fault_setup(void);
int txn_fault(void);
void txn_fault_report(void);

/* txn_plan.c */
int txn_plan_make(struct txn *t, struct plan *pl, struct perr *e);
int txn_plan_add(struct plan *pl, enum op op, const char *path, const char *suffix,
		 const struct pkg_file *nf, const struct pkg_file *of, size_t pkg);
void txn_plan_free(struct plan *pl);
int txn_removing(const struct txn *t, const char *name);

/* txn_walk.c */
void txn_dircache_drop(struct dircache *c);
int txn_dir_of(int rootfd, struct dircache *c, const char *path, const char **leaf);
void txn_staged_name(char *buf, size_t size, unsigned long long txn, size_t i);
int txn_plan_walk(struct txn *t, const struct plan *pl, enum walk how, int live);

/* txn_journal.c */
int txn_journal_write(struct txn *t, const struct plan *pl, struct perr *e);
int txn_journal_read(struct txn *t, struct plan *pl, struct perr *e);

/* txn_stage.c */
int txn_make_dirs(struct txn *t, const struct plan *pl, struct perr *e);
struct feed;
int txn_stage_pkg(struct txn *t, const struct plan *pl, size_t pk, struct feed *fd, struct dircache *dc,
		  struct perr *e);

/* txn_db.c */
int txn_db_text(struct txn *t, unsigned long long txn, char **out, size_t *outlen);
int txn_write_new(int dirfd, const char *name, const void *buf, size_t len, int excl);
void txn_meta_gc(struct txn *t);

#endif
