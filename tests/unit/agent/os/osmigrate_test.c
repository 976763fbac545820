/* osmigrate_test.c: an OS's data migrations (cairn-agent os migrate): run
 * once each in name order, recorded, the first failure stopping the rest,
 * a bad entry refused, and a rollback's version forgotten so that its
 * migrations run again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "os/osboot.h"
#include "fileio.h"

static char root[] = "/tmp/osmigrate-XXXXXX";
static char mdir[64], sdir[64], runs[64];
static int statefd = -1;

/* A migration NAME that appends its name to runs, and then exits CODE. */
static void migration(const char *name, int code, mode_t mode)
{
	char path[128], text[256];
	int fd, n;

	snprintf(path, sizeof path, "%s/%s", mdir, name);
	n = snprintf(text, sizeof text, "#!/bin/sh\necho \"%s $CAIRN_OS_VERSION\" >>%s\nexit %d\n", name, runs,
		     code);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CHECK(fd >= 0 && write(fd, text, (size_t)n) == n);
	if (fd >= 0)
		close(fd);
	CHECK(chmod(path, mode) == 0);
}

static char *slurp(int dirfd, const char *path)
{
	struct perr e;
	char *buf = NULL;
	size_t len;

	if (file_read_at(dirfd, path, 1 << 20, &buf, &len, &e) < 0)
		return NULL;
	return buf;
}

static int lines(const char *s)
{
	int n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static FILE *sink(void)
{
	FILE *f = fopen("/dev/null", "w");

	CHECK(f != NULL);
	return f;
}

static void test_none(void)
{
	FILE *out = sink();

	CHECK(os_migrate("/nonexistent/migrate.d", statefd, "1.0", 10, out) == 0);
	CHECK(os_migrate(mdir, statefd, "1.0", 10, out) == 0);
	CHECK(faccessat(statefd, "migrated", F_OK, 0) < 0 && errno == ENOENT);
	fclose(out);
}

static void test_order_once(void)
{
	FILE *out = sink();
	char *r, *m;

	migration("20-second", 0, 0755);
	migration("10-first", 0, 0755);
	CHECK(os_migrate(mdir, statefd, "1.1", 10, out) == 0);
	r = slurp(AT_FDCWD, runs);
	CHECK(r != NULL && strcmp(r, "10-first 1.1\n20-second 1.1\n") == 0);
	free(r);
	m = slurp(statefd, "migrated");
	CHECK(m != NULL && strncmp(m, "10-first 1.1 ", 13) == 0 && strstr(m, "\n20-second 1.1 ") != NULL &&
	      lines(m) == 2);
	free(m);
	/* The next boot runs none of them again. */
	CHECK(os_migrate(mdir, statefd, "1.1", 10, out) == 0);
	r = slurp(AT_FDCWD, runs);
	CHECK(lines(r) == 2);
	free(r);
	fclose(out);
}

static void test_failure_stops(void)
{
	FILE *out = sink();
	char *r, *m, *log;

	migration("30-broken", 3, 0755);
	migration("40-after", 0, 0755);
	CHECK(os_migrate(mdir, statefd, "1.2", 10, out) == -1);
	r = slurp(AT_FDCWD, runs);
	CHECK(r != NULL && strstr(r, "30-broken 1.2\n") != NULL && strstr(r, "40-after") == NULL);
	free(r);
	m = slurp(statefd, "migrated");
	CHECK(m != NULL && strstr(m, "30-broken") == NULL && lines(m) == 2);
	free(m);
	log = slurp(statefd, "log");
	CHECK(log != NULL && strstr(log, "migration 30-broken of 1.2: it failed; the services that read /var are "
				      "not started") != NULL);
	free(log);
	/* Fixed (a new OS): it runs, then the one after it. */
	migration("30-broken", 0, 0755);
	CHECK(os_migrate(mdir, statefd, "1.3", 10, out) == 0);
	m = slurp(statefd, "migrated");
	CHECK(m != NULL && strstr(m, "\n30-broken 1.3 ") != NULL && strstr(m, "\n40-after 1.3 ") != NULL &&
	      lines(m) == 4);
	free(m);
	fclose(out);
}

static void test_bad_entry(void)
{
	FILE *out = sink();
	char path[128];

	migration("50-not-executable", 0, 0644);
	CHECK(os_migrate(mdir, statefd, "1.4", 10, out) == -1);
	snprintf(path, sizeof path, "%s/50-not-executable", mdir);
	CHECK(unlink(path) == 0);
	migration("50 spaced", 0, 0755);
	CHECK(os_migrate(mdir, statefd, "1.4", 10, out) == -1);
	snprintf(path, sizeof path, "%s/50 spaced", mdir);
	CHECK(unlink(path) == 0);
	fclose(out);
}

static void test_forget(void)
{
	FILE *out = sink();
	char *m, *r;

	/* 1.3's two are forgotten; 1.1's stay. */
	CHECK(os_migrations_forget(statefd, "1.3") == 0);
	m = slurp(statefd, "migrated");
	CHECK(m != NULL && lines(m) == 2 && strstr(m, "1.3") == NULL && strstr(m, "10-first 1.1 ") != NULL);
	free(m);
	CHECK(os_migrations_forget(statefd, "1.3") == 0);
	CHECK(os_migrations_forget(statefd, "1.") == 0);
	m = slurp(statefd, "migrated");
	CHECK(lines(m) == 2);
	free(m);
	/* The next OS runs them again. */
	CHECK(os_migrate(mdir, statefd, "1.5", 10, out) == 0);
	r = slurp(AT_FDCWD, runs);
	CHECK(r != NULL && strstr(r, "30-broken 1.5\n40-after 1.5\n") != NULL);
	free(r);
	fclose(out);
}

int main(void)
{
	CHECK(mkdtemp(root) != NULL);
	snprintf(mdir, sizeof mdir, "%s/migrate.d", root);
	snprintf(sdir, sizeof sdir, "%s/state", root);
	snprintf(runs, sizeof runs, "%s/runs", root);
	CHECK(mkdir(mdir, 0755) == 0 && mkdir(sdir, 0755) == 0);
	statefd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(statefd >= 0);
	setenv("CAIRN_OS_VERSION", "unset", 1);
	RUN(test_none);
	RUN(test_order_once);
	RUN(test_failure_stops);
	RUN(test_bad_entry);
	RUN(test_forget);
	close(statefd);
	check_rmtree(root);
	return CHECK_DONE();
}
