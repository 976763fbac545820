/*
 * osmigrate.c: cairn-agent os migrate (doc/update.md, "Data across
 * updates").
 *
 * An OS that changes the format of something it keeps on /var carries a
 * migration: an executable in /usr/lib/cairn/migrate.d, on its own
 * read-only root.  initd runs this step on every boot, before the services
 * that read /var start; each migration not yet applied runs once, in name
 * order, with CAIRN_OS_VERSION set to this OS's version, and is recorded
 * in /var/lib/cairn/os/migrated ("NAME VERSION TIME") once it has exited 0.  The first that fails stops the rest and
 * this step: the services after it never start, the trial boot is not
 * healthy, and the node goes back to its old slot.
 *
 * A migration leaves the old format readable: the old OS may run again
 * after a rollback.  That old OS may then change the old format, so a
 * rollback forgets the migrations the failed version recorded, and they
 * run again (over their own earlier output) when a new OS next boots.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"
#include "fileio.h"

#define MIGRATE_MAX 256
#define MIGRATE_NAME_MAX 128

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MIGRATE_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the record (NUL-terminated) has a line for NAME. */
static int recorded(const char *rec, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = rec; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return 1;
	return 0;
}

static int record(int statefd, const char *name, const char *version)
{
	char line[MIGRATE_NAME_MAX + OS_VERSION_MAX + 32];
	int n = snprintf(line, sizeof line, "%s %s %lld\n", name, version, (long long)time(NULL));

	return osstate_append(statefd, "migrated", line, (size_t)n);
}

/*
 * The migrations in dir not yet in statefd's record, run in name order as
 * OS version; 0 when all have run (or none needed to), -1 at the first
 * that could not, with what happened written to out and the log.
 */
int os_migrate(const char *dir, int statefd, const char *version, int timeout_s, FILE *out)
{
	char *names[MIGRATE_MAX], *rec = NULL, path[4096];
	struct perr e;
	struct dirent *d;
	struct stat st;
	size_t len, n = 0, i, ran = 0;
	DIR *dp;
	int rc = 0, r;

	dp = opendir(dir);
	if (dp == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(out, "os: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		if (!name_ok(d->d_name) || stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
			fprintf(out, "os: %s: not a migration (an executable file named with letters, digits, "
				"'.', '_' or '-')\n", path);
			rc = -1;
			break;
		}
		if (n == MIGRATE_MAX) {
			fprintf(out, "os: %s: more than %d migrations\n", dir, MIGRATE_MAX);
			rc = -1;
			break;
		}
		if ((names[n] = strdup(d->d_name)) == NULL) {
			fprintf(out, "os: out of memory\n");
			rc = -1;
			break;
		}
		n++;
	}
	closedir(dp);
	if (rc == 0 && (r = file_read_at(statefd, "migrated", 1 << 20, &rec, &len, &e)) < 0 && r != -ENOENT) {
		fprintf(out, "os: %s/%s\n", OS_STATE_DIR, e.msg);
		rc = -1;
	}
	qsort(names, n, sizeof names[0], by_name);
	if (rc == 0 && setenv("CAIRN_OS_VERSION", version, 1) < 0) {
		fprintf(out, "os: %s\n", strerror(errno));
		rc = -1;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		char *argv[] = { path, NULL };
		time_t start = time(NULL);

		if (rec != NULL && recorded(rec, names[i]))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		fprintf(out, "os: migration %s: running\n", names[i]);
		fflush(out);
		r = run_tool(argv, NULL, timeout_s);
		if (r == 0)
			r = record(statefd, names[i], version);
		if (r < 0) {
			const char *why = r == -EIO ? "it failed" : r == -ETIMEDOUT ? "it ran too long and was killed" :
					  r == -ENOENT ? "it could not be run" : strerror(-r);

			osstate_log(statefd, "migration %s of %s: %s; the services that read /var are not started",
				    names[i], version, why);
			fprintf(out, "os: migration %s: %s; the services that read /var are not started\n",
				names[i], why);
			rc = -1;
			break;
		}
		osstate_log(statefd, "migration %s of %s: done in %lld s", names[i], version,
			    (long long)(time(NULL) - start));
		fprintf(out, "os: migration %s: done\n", names[i]);
		ran++;
	}
	if (rc == 0)
		fprintf(out, "os: %zu migration%s run, %zu in all\n", ran, ran == 1 ? "" : "s", n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(rec);
	return rc;
}

/* A rollback from version: its migrations' records dropped, to run again. */
int os_migrations_forget(int statefd, const char *version)
{
	struct perr e;
	char *rec, *p, *nl, *keep;
	size_t len, kept = 0, n = strlen(version);
	int rc;

	rc = file_read_at(statefd, "migrated", 1 << 20, &rec, &len, &e);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	keep = malloc(len + 1);
	if (keep == NULL) {
		free(rec);
		return -ENOMEM;
	}
	for (p = rec; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		char *sp = strchr(p, ' ');

		nl = strchr(p, '\n');
		if (nl == NULL)
			continue;	/* a torn last line: the migration runs again */
		if (sp != NULL && sp < nl && strncmp(sp + 1, version, n) == 0 && sp[1 + n] == ' ')
			continue;
		memcpy(keep + kept, p, (size_t)(nl + 1 - p));
		kept += (size_t)(nl + 1 - p);
	}
	rc = kept == len ? 0 : file_write_at(statefd, "migrated", keep, kept, 0644);
	free(keep);
	free(rec);
	return rc < 0 ? rc : 0;
}
