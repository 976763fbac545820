/* db.h: the database of what is installed under a root (doc/pkg-db.md). */
#ifndef CAIRN_PKG_DB_H
#define CAIRN_PKG_DB_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "perr.h"

#define DB_DIR "lib/pkg"			/* in the root image: /var may be another disk */
#define DB_MAX (16u << 20)
#define DB_PKGS_MAX 65536

struct db_pkg {
	const char *name, *version;
	uint8_t meta_sha256[32];
	char *meta;				/* m's strings (pkg_meta_compact) */
	struct pkg_meta m;
};

struct db {
	unsigned long long txn;			/* the last committed transaction */
	char *text;
	const char **world;			/* what the operator asked for, sorted */
	size_t nworld;
	struct db_pkg *pkgs;			/* sorted by name */
	size_t n;
};

int db_parse(char *text, size_t len, struct db *db, char *err, size_t errsize);
int db_load(int pkgdir, struct db *db, struct perr *e);
void db_free(struct db *db);
struct db_pkg *db_find(const struct db *db, const char *name);
int db_read(int pkgdir, struct db *db, struct perr *e);
int db_meta_load(int pkgdir, const uint8_t sha[32], char **text, size_t *len, struct pkg_meta *m,
		 struct perr *e);

#endif
