/* txn.h: all-or-nothing install, upgrade and remove under a root. */
#ifndef CAIRN_PKG_TXN_H
#define CAIRN_PKG_TXN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "db.h"
#include "format.h"
#include "perr.h"

/* A package to install, its file already checked against the index. */
struct txn_pkg {
	int fd;
	off_t payload_off;
	unsigned long long payload_len;
	size_t meta_len;			/* the metadata's bytes (txn_pkg_meta) */
	uint8_t meta_sha256[32];
	uint8_t file_sha256[32];		/* of the whole package file */
	unsigned long long file_size;
	char *meta_text;			/* m's strings (pkg_meta_compact) */
	struct pkg_meta m;
};

struct txn {
	int rootfd, pkgdir, lockfd;
	struct db db;
	/* what the caller asks */
	struct txn_pkg *add;
	size_t nadd;
	const char **remove;			/* installed names to remove (an upgrade's old one too) */
	size_t nremove;
	const char **world;			/* the new world, sorted, once each */
	size_t nworld;
	int progress;				/* lines on stderr as packages go in */
	/* what was done */
	unsigned long long files, bytes;
};

int txn_open(struct txn *t, int rootfd, int readonly, struct perr *e);
int txn_apply(struct txn *t, struct perr *e);
void txn_close(struct txn *t);
int txn_pkg_load(struct txn_pkg *p, int fd, off_t base, long long len, const uint8_t sha256[32],
		 unsigned long long size, const char *name, struct perr *e);
int txn_pkg_meta(const struct txn_pkg *p, char **text, struct perr *e);
void txn_pkg_free(struct txn_pkg *p);

#endif
