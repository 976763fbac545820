/* txn_db.c: the db and metadata files a transaction writes, and metadata no db names removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
#include "txn_int.h"
#include "fileio.h"

/* The db after the transaction: the kept packages and the new ones, sorted. */
int txn_db_text(struct txn *t, unsigned long long txn, char **out, size_t *outlen)
{
	size_t cap = 64, len = 0, i, j, n = 0;
	struct { const char *name, *version; const uint8_t *sha; } *v;
	char *s, sum[65];
	int rc = 0;

	v = calloc(t->db.n + t->nadd + 1, sizeof *v);
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < t->db.n; i++)
		if (!txn_removing(t, t->db.pkgs[i].name)) {
			v[n].name = t->db.pkgs[i].name;
			v[n].version = t->db.pkgs[i].version;
			v[n++].sha = t->db.pkgs[i].meta_sha256;
		}
	for (i = 0; i < t->nadd; i++) {
		v[n].name = t->add[i].m.name;
		v[n].version = t->add[i].m.version;
		v[n++].sha = t->add[i].meta_sha256;
	}
	for (i = 1; i < n; i++)		/* insertion sort: n is packages, not files */
		for (j = i; j > 0 && strcmp(v[j - 1].name, v[j].name) > 0; j--) {
			__typeof__(*v) tmp = v[j];

			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	cap = 64 + (n + t->nworld) * 256;
	s = malloc(cap);
	if (s == NULL) {
		free(v);
		return -ENOMEM;
	}
	len += (size_t)snprintf(s + len, cap - len, "cairn-db 1\ntxn %llu\n", txn);
	for (i = 0; i < t->nworld; i++)
		len += (size_t)snprintf(s + len, cap - len, "world %s\n", t->world[i]);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i - 1].name, v[i].name) == 0) {
			rc = -EEXIST;
			break;
		}
		text_hex(v[i].sha, 32, sum);
		len += (size_t)snprintf(s + len, cap - len, "package %s %s %s\n", v[i].name, v[i].version, sum);
	}
	free(v);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	*outlen = len;
	return 0;
}

/* name in dirfd, written whole; excl: one already there is kept (metadata
 * files are named by their hash, so it holds the same bytes). */
int txn_write_new(int dirfd, const char *name, const void *buf, size_t len, int excl)
{
	int fd, rc;

	if (txn_fault() < 0)
		return -errno;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : O_TRUNC), 0644);
	if (fd < 0)
		return errno == EEXIST && excl ? 0 : -errno;
	rc = file_write_all(fd, buf, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/*
 * Metadata no db line names: an old version's after an upgrade, or a new
 * one's after a rollback.  Named by their hashes, they are found by name.
 */
void txn_meta_gc(struct txn *t)
{
	struct db db;
	struct perr e = { "" };
	struct dirent *de;
	uint8_t sha[32];
	size_t i;
	DIR *d;
	int fd;

	if (db_read(t->pkgdir, &db, &e) < 0)
		return;
	fd = openat(t->pkgdir, "meta", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	d = fd < 0 ? NULL : fdopendir(fd);
	while (d != NULL && (de = readdir(d)) != NULL) {
		int used = 0;

		if (de->d_name[0] == '.' || pkg_hex32(de->d_name, sha) < 0)
			continue;
		for (i = 0; i < db.n && !used; i++)
			used = memcmp(db.pkgs[i].meta_sha256, sha, 32) == 0;
		if (!used)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d != NULL)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	db_free(&db);
}
