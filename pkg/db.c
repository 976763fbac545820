/*
 * db.c: the installed database, one file written only by renaming a new
 * one over it (the commit point of every transaction):
 *
 *   cairn-db 1
 *   txn N                          the transaction that wrote it
 *   world NAME                     what the operator asked for, sorted
 *   package NAME VERSION SHA256    each installed package, sorted; its
 *                                  metadata is meta/SHA256 beside the db
 *
 * Metadata files are named by their own hash and never change, so the
 * one rename of the db switches the whole installed state at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "text.h"
#include "fileio.h"
#include "sha256.h"

/* The reason in err, after "db line N: " when a line is known. */
#define bad(err, errsize, line, ...) pkg_err(err, errsize, "db", line, __VA_ARGS__)

/* db_parse: text (edited in place, kept in db) into db; arrays allocated. */
int db_parse(char *text, size_t len, struct db *db, char *err, size_t errsize)
{
	size_t at = 0, lines = 0, i;
	char *w[3];
	int line = 0;

	memset(db, 0, sizeof *db);
	if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return bad(err, errsize, 0, "db is empty, has a NUL byte or no final newline");
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	db->world = calloc(lines + 1, sizeof *db->world);
	db->pkgs = calloc(lines + 1, sizeof *db->pkgs);
	if (db->world == NULL || db->pkgs == NULL)
		return -ENOMEM;
	while (at < len) {
		char *l = text + at, *nl = memchr(l, '\n', len - at);

		*nl = '\0';
		at = (size_t)(nl - text) + 1;
		line++;
		if (line == 1) {
			if (strcmp(l, "cairn-db 1") != 0)
				return bad(err, errsize, line, "not 'cairn-db 1'");
		} else if (line == 2) {
			if (strncmp(l, "txn ", 4) != 0 || pkg_decimal(l + 4, 1ULL << 62, &db->txn) < 0)
				return bad(err, errsize, line, "needs 'txn N'");
		} else if (strncmp(l, "world ", 6) == 0) {
			if (db->n > 0 || !pkg_name_ok(l + 6) ||
			    (db->nworld > 0 && strcmp(db->world[db->nworld - 1], l + 6) >= 0))
				return bad(err, errsize, line, "world names come sorted, once, before packages");
			db->world[db->nworld++] = l + 6;
		} else if (strncmp(l, "package ", 8) == 0) {
			struct db_pkg *p = &db->pkgs[db->n];

			if (db->n == DB_PKGS_MAX || pkg_words(l + 8, w, 3) < 0 || !pkg_name_ok(w[0]) ||
			    !pkg_version_ok(w[1]) || pkg_hex32(w[2], p->meta_sha256) < 0)
				return bad(err, errsize, line, "needs 'package NAME VERSION SHA256'");
			p->name = w[0];
			p->version = w[1];
			if (db->n > 0 && strcmp(db->pkgs[db->n - 1].name, p->name) >= 0)
				return bad(err, errsize, line, "%s is out of order or listed twice", p->name);
			db->n++;
		} else {
			return bad(err, errsize, line, "unknown line");
		}
	}
	if (line < 2)
		return bad(err, errsize, 0, "db ends before its 'txn' line");
	return 0;
}

/*
 * db_meta_load: meta/SHA (hex of sha) under pkgdir, checked against its
 * name's hash and parsed into m, whose strings *text then holds (free both:
 * pkg_meta_free(m), free(*text)); *len is the file's length.
 */
int db_meta_load(int pkgdir, const uint8_t sha[32], char **text, size_t *len, struct pkg_meta *m,
		 struct perr *e)
{
	char name[80], hex[65], err[256];
	uint8_t got[32];
	int rc;

	text_hex(sha, 32, hex);
	snprintf(name, sizeof name, "meta/%s", hex);
	rc = file_read_at(pkgdir, name, PKG_META_MAX, text, len, e);
	if (rc < 0)
		return rc;
	if (sha256_buf(*text, *len, got) < 0 || memcmp(got, sha, 32) != 0) {
		free(*text);
		return perr(e, -EINVAL, "%s: does not match its hash: the database is damaged", name);
	}
	if (pkg_meta_alloc(m, *text, *len) < 0) {
		free(*text);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	rc = pkg_meta_parse(*text, *len, m, err, sizeof err);
	if (rc < 0) {
		pkg_meta_free(m);
		free(*text);
		return perr(e, rc, "%s: %s", name, err);
	}
	/* Only the strings stay: an installed system's metadata is most of
	 * what pkg holds. */
	if (pkg_meta_compact(m, text) < 0) {
		pkg_meta_free(m);
		free(*text);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	return 0;
}

/*
 * db_read: the database under pkgdir (DB_DIR opened), without the
 * packages' metadata.  No db file is an empty root (txn 0).
 */
int db_read(int pkgdir, struct db *db, struct perr *e)
{
	char err[256], *text;
	size_t len;
	int rc;

	memset(db, 0, sizeof *db);
	rc = file_read_at(pkgdir, "db", DB_MAX, &text, &len, e);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = db_parse(text, len, db, err, sizeof err);
	db->text = text;
	return rc < 0 ? perr(e, rc, "%s/db: %s", DB_DIR, err) : 0;
}

/* db_load: db_read, and every package's metadata with it. */
int db_load(int pkgdir, struct db *db, struct perr *e)
{
	size_t i, mlen;
	int rc;

	rc = db_read(pkgdir, db, e);
	if (rc < 0)
		return rc;
	for (i = 0; i < db->n; i++) {
		rc = db_meta_load(pkgdir, db->pkgs[i].meta_sha256, &db->pkgs[i].meta, &mlen,
				  &db->pkgs[i].m, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void db_free(struct db *db)
{
	size_t i;

	for (i = 0; db->pkgs != NULL && i < db->n; i++) {
		free(db->pkgs[i].meta);
		pkg_meta_free(&db->pkgs[i].m);
	}
	free(db->pkgs);
	free(db->world);
	free(db->text);
	memset(db, 0, sizeof *db);
}

struct db_pkg *db_find(const struct db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->pkgs[i].name, name) == 0)
			return &db->pkgs[i];
	return NULL;
}
