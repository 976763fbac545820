/* solve.h: which packages an install or upgrade needs, or why none do. */
#ifndef CAIRN_PKG_SOLVE_H
#define CAIRN_PKG_SOLVE_H

#include "db.h"
#include "index.h"
#include "perr.h"

struct solution {
	const struct index_pkg **add;		/* to install (new, or a new version) */
	size_t nadd;
	const char **replace;			/* installed names a new version replaces */
	size_t nreplace;
};

int solve(const struct index *ix, const struct db *db, struct pkg_rel *want, size_t nwant,
	  int upgrade, const char *arch, struct solution *s, struct perr *e);
void solution_free(struct solution *s);

#endif
