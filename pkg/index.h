/* index.h: a repository's index: every package with its hash, size and
 * relations (doc/pkg-repo.md). */
#ifndef CAIRN_PKG_INDEX_H
#define CAIRN_PKG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

#define INDEX_MAX (64u << 20)
#define INDEX_PKGS_MAX 65536

struct index_pkg {
	const char *name, *version, *arch;
	unsigned long long size;
	uint8_t sha256[32];
	struct pkg_rel *rels;			/* depends, then provides, then conflicts */
	int ndepends, nprovides, nconflicts;
};

struct index {
	struct index_pkg *pkgs;			/* sorted by name, then version text */
	size_t n;
	struct pkg_rel *rels;
};

int index_parse(char *text, size_t len, struct index *ix, char *err, size_t errsize);
void index_free(struct index *ix);
int index_line(char *buf, size_t size, const char *name, const char *version, const char *arch,
	       unsigned long long bytes, const uint8_t sha256[32]);

#endif
