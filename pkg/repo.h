/* repo.h: a repository opened through its chain of trust. */
#ifndef CAIRN_PKG_REPO_H
#define CAIRN_PKG_REPO_H

#include <sys/types.h>

#include "bundle.h"
#include "doc.h"
#include "index.h"
#include "util.h"

#define REPO_ALLOW_EXPIRED 1			/* accept an expired root or release (logged) */
#define REPO_ALLOW_ROLLBACK 2			/* accept an older release (logged) */

struct repo {
	int dirfd;				/* a directory, or -1 and a bundle */
	struct bundle b;
	struct doc root, release;
	char *roottext, *reltext, *indextext;
	struct index ix;
};

int repo_open(struct repo *r, const char *path, int pkgdir, const char *trust, int flags, struct perr *e);
int repo_pkg_open(const struct repo *r, const struct index_pkg *p, off_t *base, long long *len,
		  struct perr *e);
void repo_close(struct repo *r);
int repo_load_doc(int dirfd, const char *path, enum doc_kind kind, char **text, struct doc *d,
		  struct perr *e);

#endif
