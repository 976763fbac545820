/* logfile_test.c: line splitting, stamps, rotation and lost-line reports of logd's files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "logfile.h"

#define STAMP "2023-11-14T22:13:20.123Z"	/* 24 bytes: a record is 26 + the line */

/* What logfile_split handed out, one line after another. */
static char lines[8][LOGFILE_LINE_MAX + 1];
static size_t lens[8];
static int nlines;

static void collect(void *arg, const char *line, size_t len)
{
	(void)arg;
	if (nlines < 8) {
		memcpy(lines[nlines], line, len);
		lines[nlines][len] = '\0';
		lens[nlines] = len;
	}
	nlines++;
}

static struct logbuf buf;

static void feed(const char *s)
{
	logfile_feed(&buf, s, strlen(s), collect, NULL);
}

static void reset(void)
{
	memset(&buf, 0, sizeof buf);
	nlines = 0;
}

static void complete_lines(void)
{
	reset();
	feed("one\ntwo\n\nthree\n");
	CHECK(nlines == 4);
	CHECK(strcmp(lines[0], "one") == 0 && strcmp(lines[1], "two") == 0);
	CHECK(lens[2] == 0 && strcmp(lines[3], "three") == 0);
	CHECK(buf.len == 0);
}

static void partial_line_waits(void)
{
	reset();
	feed("par");
	CHECK(nlines == 0 && buf.len == 3);
	feed("tial\nnext");
	CHECK(nlines == 1 && strcmp(lines[0], "partial") == 0);
	CHECK(buf.len == 4 && memcmp(buf.data, "next", 4) == 0);
	logfile_split(&buf, 0, collect, NULL);
	CHECK(nlines == 1);
	logfile_split(&buf, 1, collect, NULL);
	CHECK(nlines == 2 && strcmp(lines[1], "next") == 0 && buf.len == 0);
	logfile_split(&buf, 1, collect, NULL);
	CHECK(nlines == 2);
}

static void long_line_cut(void)
{
	static char big[2 * LOGFILE_LINE_MAX + 2];

	reset();
	memset(big, 'a', LOGFILE_LINE_MAX + 904);
	big[LOGFILE_LINE_MAX + 904] = '\n';
	big[LOGFILE_LINE_MAX + 905] = '\0';
	feed(big);
	CHECK(nlines == 2);
	CHECK(lens[0] == LOGFILE_LINE_MAX && lens[1] == 904);
	CHECK(buf.len == 0);
}

/* A line of exactly the limit, or of twice it, makes no empty line after it. */
static void line_at_limit_is_whole(void)
{
	static char big[2 * LOGFILE_LINE_MAX + 2];

	reset();
	memset(big, 'b', LOGFILE_LINE_MAX);
	big[LOGFILE_LINE_MAX] = '\0';
	feed(big);
	CHECK(nlines == 1 && lens[0] == LOGFILE_LINE_MAX);
	feed("\nafter\n");
	CHECK(nlines == 2 && strcmp(lines[1], "after") == 0);

	reset();
	memset(big, 'c', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	feed(big);
	feed("x\n");
	CHECK(nlines == 3 && lens[0] == LOGFILE_LINE_MAX && lens[1] == LOGFILE_LINE_MAX);
	CHECK(strcmp(lines[2], "x") == 0);
}

static void control_chars_replaced(void)
{
	char out[16];
	const char in[] = "a\tb\001c\177\303\251\r\0z";

	CHECK(logfile_clean(out, in, sizeof in - 1) == sizeof in - 1);
	CHECK(memcmp(out, "a\tb?c?\303\251??z", sizeof in - 1) == 0);
}

static void stamp_format(void)
{
	struct timespec ts = { 0, 0 };
	char s[LOGFILE_STAMP_MAX];

	CHECK(logfile_stamp(s, sizeof s, &ts) == 24);
	CHECK(strcmp(s, "1970-01-01T00:00:00.000Z") == 0);
	ts.tv_sec = 1700000000;
	ts.tv_nsec = 123999999;
	CHECK(logfile_stamp(s, sizeof s, &ts) == 24);
	CHECK(strcmp(s, STAMP) == 0);
	ts.tv_sec = 951782400 + 86399;	/* 2000-02-29, a leap day, its last second */
	ts.tv_nsec = 7000000;
	CHECK(logfile_stamp(s, sizeof s, &ts) == 24);
	CHECK(strcmp(s, "2000-02-29T23:59:59.007Z") == 0);
	CHECK(logfile_stamp(s, 24, &ts) == 0);
}

/* ---- files, in a fresh directory ---------------------------------------- */

static char tmpdir[64];
static struct logfile_dir dir;

static void dir_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/logfile_test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	dir.path = tmpdir;
	dir.fd = -1;
}

/* The tests make files and at most one level of directories. */
static void dir_cleanup(void)
{
	struct dirent *e;
	DIR *dp;
	int fd;

	if (dir.fd >= 0)
		close(dir.fd);
	dir.fd = -1;
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	while (dp != NULL && (e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0 && unlinkat(fd, e->d_name, AT_REMOVEDIR) < 0)
			fprintf(stderr, "could not remove %s/%s\n", tmpdir, e->d_name);
	}
	if (dp != NULL)
		closedir(dp);
	if (rmdir(tmpdir) < 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* The file under tmpdir, whole; -1 when missing. */
static long slurp(const char *name, char *out, size_t size)
{
	char p[128];
	ssize_t n;
	int fd;

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, out, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return (long)n;
}

static int exists(const char *name)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return lstat(p, &st) == 0;
}

static void spit(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	if (f == NULL) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void put(struct logfile *f, const char *line)
{
	CHECK(logfile_put(f, STAMP, line, strlen(line)) == 0);
}

static void record_written(void)
{
	struct logfile f;
	char text[256];
	struct stat st;
	char p[128];

	dir_setup();
	umask(022);
	CHECK(logfile_init(&f, &dir, "svc", 1000, 2) == 0);
	CHECK(!exists("svc.log"));	/* opened at the first line */
	put(&f, "hello\tworld\001");
	put(&f, "");
	CHECK(slurp("svc.log", text, sizeof text) == 26 + 12 + 26);
	CHECK(strcmp(text, STAMP " hello\tworld?\n" STAMP " \n") == 0);
	CHECK(f.size == 26 + 12 + 26);
	snprintf(p, sizeof p, "%s/svc.log", tmpdir);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
	logfile_close(&f);
	dir_cleanup();
}

static void dir_made(void)
{
	struct logfile_dir sub;
	char p[128];
	struct stat st;

	dir_setup();
	umask(022);
	snprintf(p, sizeof p, "%s/log", tmpdir);
	sub.path = p;
	sub.fd = -1;
	CHECK(logfile_dir_open(&sub) == 0 && sub.fd >= 0);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750);
	CHECK(logfile_dir_open(&sub) == 0);	/* once open, kept */
	close(sub.fd);
	sub.fd = -1;
	CHECK(logfile_dir_open(&sub) == 0);	/* already there is fine */
	close(sub.fd);
	snprintf(p, sizeof p, "%s/no/such", tmpdir);
	sub.fd = -1;
	CHECK(logfile_dir_open(&sub) == -ENOENT);
	dir_cleanup();
}

/* 20-byte lines make 46-byte records: two fit in 100 bytes, not three. */
static void rotation_bounds_size_keeps_count(void)
{
	struct logfile f;
	char line[32], text[512];
	int i;

	dir_setup();
	CHECK(logfile_init(&f, &dir, "svc", 100, 2) == 0);
	for (i = 0; i < 10; i++) {
		snprintf(line, sizeof line, "line %02d 456789abcdef", i);
		put(&f, line);
		CHECK(f.size <= 100);
	}
	CHECK(slurp("svc.log", text, sizeof text) == 92);
	CHECK(strstr(text, "line 08") != NULL && strstr(text, "line 09") != NULL);
	CHECK(slurp("svc.log.1", text, sizeof text) == 92);
	CHECK(strstr(text, "line 06") != NULL && strstr(text, "line 07") != NULL);
	CHECK(slurp("svc.log.2", text, sizeof text) == 92);
	CHECK(strstr(text, "line 04") != NULL && strstr(text, "line 05") != NULL);
	CHECK(!exists("svc.log.3"));	/* lines 0 to 3 are gone */
	logfile_close(&f);
	dir_cleanup();
}

static void existing_file_continued(void)
{
	struct logfile f;
	char text[512];

	dir_setup();
	spit("svc.log", "from before\n");
	CHECK(logfile_init(&f, &dir, "svc", 100, 2) == 0);
	put(&f, "now");
	CHECK(f.size == 12 + 29);
	CHECK(slurp("svc.log", text, sizeof text) == 12 + 29);
	CHECK(strcmp(text, "from before\n" STAMP " now\n") == 0);
	put(&f, "0123456789012345678901234567890123456789");	/* 12 + 29 + 66 > 100 */
	CHECK(slurp("svc.log.1", text, sizeof text) == 12 + 29);
	CHECK(slurp("svc.log", text, sizeof text) == 66);
	logfile_close(&f);
	dir_cleanup();
}

/* A file left fuller than max (an earlier, bigger -s) rotates before the first line. */
static void existing_full_file_rotated(void)
{
	struct logfile f;
	char text[512];

	dir_setup();
	spit("svc.log", "0123456789012345678901234567890123456789012345678901234567890123456789\n");
	CHECK(logfile_init(&f, &dir, "svc", 80, 1) == 0);
	put(&f, "new");
	CHECK(slurp("svc.log.1", text, sizeof text) == 71);
	CHECK(slurp("svc.log", text, sizeof text) == 29);
	logfile_close(&f);
	dir_cleanup();
}

static void keep_zero_removes(void)
{
	struct logfile f;
	char text[512];

	dir_setup();
	CHECK(logfile_init(&f, &dir, "svc", 60, 0) == 0);
	put(&f, "first line, 30 bytes long abcd");
	put(&f, "second");
	CHECK(!exists("svc.log.1"));
	CHECK(slurp("svc.log", text, sizeof text) == 32);
	CHECK(strstr(text, "second") != NULL);
	logfile_close(&f);
	dir_cleanup();
}

/* A line longer than max goes alone into a file; a line over the limit is cut. */
static void oversize_lines(void)
{
	static char big[LOGFILE_LINE_MAX + 100];
	static char text[2 * LOGFILE_LINE_MAX];
	struct logfile f;

	dir_setup();
	CHECK(logfile_init(&f, &dir, "svc", 100, 3) == 0);
	put(&f, "small");
	memset(big, 'x', sizeof big - 1);
	put(&f, big);
	CHECK(slurp("svc.log.1", text, sizeof text) == 31);
	CHECK(slurp("svc.log", text, sizeof text) == 26 + LOGFILE_LINE_MAX);
	put(&f, "after");
	CHECK(slurp("svc.log.2", text, sizeof text) == 31);
	CHECK(slurp("svc.log", text, sizeof text) == 31);
	logfile_close(&f);
	dir_cleanup();
}

static void bad_names_refused(void)
{
	struct logfile f;

	CHECK(logfile_init(&f, &dir, "../x", 100, 1) == -EINVAL);
	CHECK(logfile_init(&f, &dir, "", 100, 1) == -EINVAL);
	CHECK(logfile_init(&f, &dir, "x", 0, 1) == -EINVAL);
	CHECK(logfile_init(&f, &dir, "x", 100, LOGFILE_KEEP_MAX + 1) == -EINVAL);
	CHECK(logfile_init(&f, &dir, "x", 100, LOGFILE_KEEP_MAX) == 0);
}

/* A symlink or a FIFO planted as NAME.log is not followed, and does not block. */
static void planted_files_refused(void)
{
	struct logfile f;
	char p[128], t[128];

	dir_setup();
	snprintf(t, sizeof t, "%s/target", tmpdir);
	spit("target", "");
	snprintf(p, sizeof p, "%s/sym.log", tmpdir);
	CHECK(symlink(t, p) == 0);
	CHECK(logfile_init(&f, &dir, "sym", 100, 1) == 0);
	CHECK(logfile_put(&f, STAMP, "x", 1) == -ELOOP);
	CHECK(f.drops.count == 1 && strcmp(f.drops.what, "open") == 0);
	CHECK(slurp("target", t, sizeof t) == 0);

	snprintf(p, sizeof p, "%s/fifo.log", tmpdir);
	CHECK(mkfifo(p, 0600) == 0);
	CHECK(logfile_init(&f, &dir, "fifo", 100, 1) == 0);
	CHECK(logfile_put(&f, STAMP, "x", 1) == -ENXIO);
	CHECK(f.drops.count == 1);
	dir_cleanup();
}

/* Lost lines: the first loss is told at once, then at most once a minute. */
static void drops_reported_once_a_minute(void)
{
	struct logfile f;
	char msg[128];
	int full;

	dir_setup();
	CHECK(logfile_init(&f, &dir, "svc", 1000, 1) == 0);
	full = open("/dev/full", O_WRONLY);
	if (full < 0) {
		printf("(no /dev/full: drops told apart from writes)\n");
		logfile_drop(&f.drops, "write", ENOSPC);
	} else {
		f.fd = full;	/* as if NAME.log's disk were full */
		CHECK(logfile_put(&f, STAMP, "lost", 4) == -ENOSPC);
	}
	CHECK(logfile_drops_wait(&f.drops, 1000) == 0);
	CHECK(logfile_drops_report(&f.drops, "svc", 1000, 0, msg, sizeof msg) > 0);
	CHECK(strcmp(msg, "svc: write: No space left on device: 1 line dropped") == 0);
	CHECK(logfile_drops_wait(&f.drops, 1000) == -1);
	CHECK(logfile_drops_report(&f.drops, "svc", 1000, 0, msg, sizeof msg) == 0);

	logfile_drop(&f.drops, "write", ENOSPC);
	logfile_drop(&f.drops, "write", EIO);
	CHECK(logfile_drops_wait(&f.drops, 2000) == 59000);
	CHECK(logfile_drops_report(&f.drops, "svc", 2000, 0, msg, sizeof msg) == 0);
	CHECK(logfile_drops_report(&f.drops, "svc", 61000, 0, msg, sizeof msg) > 0);
	CHECK(strcmp(msg, "svc: write: Input/output error: 2 lines dropped") == 0);

	logfile_drop(&f.drops, "rotate", EIO);
	CHECK(logfile_drops_report(&f.drops, "svc", 62000, 1, msg, sizeof msg) > 0);
	CHECK(strstr(msg, "rotate") != NULL);
	logfile_drop(&f.drops, "write", EIO);
	CHECK(logfile_drops_report(&f.drops, "svc", 62000, 1, msg, 8) == 7 && strlen(msg) == 7);
	logfile_close(&f);
	dir_cleanup();
}

int main(void)
{
	RUN(complete_lines);
	RUN(partial_line_waits);
	RUN(long_line_cut);
	RUN(line_at_limit_is_whole);
	RUN(control_chars_replaced);
	RUN(stamp_format);
	RUN(record_written);
	RUN(dir_made);
	RUN(rotation_bounds_size_keeps_count);
	RUN(existing_file_continued);
	RUN(existing_full_file_rotated);
	RUN(keep_zero_removes);
	RUN(oversize_lines);
	RUN(bad_names_refused);
	RUN(planted_files_refused);
	RUN(drops_reported_once_a_minute);
	return CHECK_DONE();
}
