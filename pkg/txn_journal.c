/* txn_journal.c: the journal, a transaction's intent, written first and read back by recovery. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn_int.h"
#include "fileio.h"

#define JOURNAL_MAX (64u << 20)

/* Each entry's op and path, between the transaction's number and "end";
 * synced, with its directory, before the first file is written. */
int txn_journal_write(struct txn *t, const struct plan *pl, struct perr *e)
{
	char line[PKG_PATH_MAX + 64];
	size_t i;
	int fd, rc = 0, n;

	if (txn_fault() < 0)
		return perr(e, -errno, "%s/journal: %s", DB_DIR, strerror(errno));
	fd = openat(t->pkgdir, "journal", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return perr(e, -errno, "%s/journal: %s", DB_DIR, strerror(errno));
	n = snprintf(line, sizeof line, "cairn-journal 1\ntxn %llu\n", pl->txn);
	rc = file_write_all(fd, line, (size_t)n);
	for (i = 0; rc == 0 && i < pl->n; i++) {
		n = snprintf(line, sizeof line, "%c %s\n", (char)pl->v[i].op, pl->v[i].path);
		rc = file_write_all(fd, line, (size_t)n);
	}
	if (rc == 0)
		rc = file_write_all(fd, "end\n", 4);
	if (rc == 0 && (txn_fault() < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && (txn_fault() < 0 || fsync(t->pkgdir) < 0))
		rc = -errno;
	return rc < 0 ? perr(e, rc, "%s/journal: %s", DB_DIR, strerror(-rc)) : 0;
}

/* The journal back into a plan; an unfinished one (no "end") is 1. */
int txn_journal_read(struct txn *t, struct plan *pl, struct perr *e)
{
	char *text, *l, *nl;
	size_t len, at = 0;
	int line = 0, ended = 0, rc;

	rc = file_read_at(t->pkgdir, "journal", JOURNAL_MAX, &text, &len, e);
	if (rc < 0)
		return rc;
	while (at < len && (nl = memchr(text + at, '\n', len - at)) != NULL) {
		const char *why;

		l = text + at;
		*nl = '\0';
		at = (size_t)(nl - text) + 1;
		line++;
		if (line == 1 && strcmp(l, "cairn-journal 1") == 0)
			continue;
		if (line == 2 && strncmp(l, "txn ", 4) == 0 && pkg_decimal(l + 4, 1ULL << 62, &pl->txn) == 0)
			continue;
		if (line > 2 && strcmp(l, "end") == 0) {
			ended = 1;
			break;
		}
		if (line > 2 && strlen(l) > 2 && strchr("dnrxD", l[0]) != NULL && l[1] == ' ' &&
		    pkg_path_ok(l + 2, &why)) {
			if (txn_plan_add(pl, (enum op)l[0], l + 2, "", NULL, NULL, 0) < 0) {
				free(text);
				return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
			}
			continue;
		}
		free(text);
		return perr(e, -EINVAL, "%s/journal line %d: damaged; move it away to go on, and "
			    "check the root with pkg verify", DB_DIR, line);
	}
	free(text);
	return ended ? 0 : 1;
}
