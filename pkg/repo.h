/* repo.h: a repository opened through its chain of trust. */
#ifndef CAIRN_PKG_REPO_H
#define CAIRN_PKG_REPO_H

#include <sys/types.h>

#include "bundle.h"
#include "doc.h"
#include "fetch.h"
#include "index.h"
#include "perr.h"

#define REPO_ALLOW_EXPIRED 1			/* accept an expired root or release (logged) */
#define REPO_ALLOW_ROLLBACK 2			/* accept an older release (logged) */

/* Where a repository is and how far to trust it. */
struct repo_opts {
	const char *trust;			/* the first root, when the machine trusts none yet */
	const char *ca;				/* https: CA file or directory (else the system's) */
	const char *cache;			/* https: where fetched packages are kept */
	int flags;				/* REPO_ALLOW_* */
	struct fetch_limits lim;		/* https: each transfer's deadline and rate */
};

struct repo {
	int dirfd;				/* a directory, or -1 and a bundle or a URL */
	struct bundle b;
	struct fetch *net;			/* an https:// repository */
	const char *cache;
	int cachefd;
	struct doc root, release;
	char *roottext, *reltext, *indextext;
	struct index ix;
};

int repo_open(struct repo *r, const char *path, int pkgdir, const struct repo_opts *o, struct perr *e);
int repo_pkg_open(struct repo *r, const struct index_pkg *p, off_t *base, long long *len,
		  struct perr *e);
void repo_close(struct repo *r);
int repo_load_doc(int dirfd, const char *path, enum doc_kind kind, char **text, struct doc *d,
		  struct perr *e);

#endif
