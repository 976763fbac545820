/* log_test.c: log_format and where log_msg sends a line. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static void format_line(void)
{
	char buf[64];

	CHECK(log_format(buf, sizeof buf, "cairn", "boot ok %d", 7) == 17);
	CHECK(strcmp(buf, "cairn: boot ok 7\n") == 0);
}

static void format_cuts_long_lines(void)
{
	char buf[12];
	int n = log_format(buf, sizeof buf, "cairn", "%s", "a very long message");

	CHECK(n == 11);
	CHECK(strcmp(buf, "cairn: a v\n") == 0);
	CHECK(log_format(buf, 1, "cairn", "x") == 0);
}

static ssize_t drain(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Both ends get a line when the kernel would not show it (quiet). */
static void quiet_console_gets_notice(void)
{
	int kmsg[2], con[2];
	char buf[128];

	CHECK(pipe2(kmsg, O_NONBLOCK) == 0 && pipe2(con, O_NONBLOCK) == 0);
	log_open("initd", kmsg[1], con[1], 4);
	log_msg(LOG_NOTICE, "hello %s", "world");
	CHECK(drain(kmsg[0], buf, sizeof buf) > 0);
	CHECK(strcmp(buf, "<5>initd: hello world\n") == 0);
	CHECK(drain(con[0], buf, sizeof buf) > 0);
	CHECK(strcmp(buf, "initd: hello world\n") == 0);
	close(kmsg[0]); close(kmsg[1]); close(con[0]); close(con[1]);
}

/* A line the kernel already prints on the console is not printed twice. */
static void verbose_console_not_doubled(void)
{
	int kmsg[2], con[2];
	char buf[128];

	CHECK(pipe2(kmsg, O_NONBLOCK) == 0 && pipe2(con, O_NONBLOCK) == 0);
	log_open("initd", kmsg[1], con[1], 7);
	log_msg(LOG_ERR, "bad");
	CHECK(drain(kmsg[0], buf, sizeof buf) > 0);
	CHECK(strcmp(buf, "<3>initd: bad\n") == 0);
	CHECK(drain(con[0], buf, sizeof buf) < 0);
	close(kmsg[0]); close(kmsg[1]); close(con[0]); close(con[1]);
}

/* With no kmsg (too early, or gone) the console gets everything. */
static void console_only(void)
{
	int con[2];
	char buf[128];

	CHECK(pipe2(con, O_NONBLOCK) == 0);
	log_open("initd", -1, con[1], 7);
	log_msg(LOG_INFO, "x");
	CHECK(drain(con[0], buf, sizeof buf) > 0);
	CHECK(strcmp(buf, "initd: x\n") == 0);
	log_open("initd", -1, -1, 7);
	log_msg(LOG_INFO, "nowhere");
	close(con[0]); close(con[1]);
}

int main(void)
{
	RUN(format_line);
	RUN(format_cuts_long_lines);
	RUN(quiet_console_gets_notice);
	RUN(verbose_console_not_doubled);
	RUN(console_only);
	return CHECK_DONE();
}
