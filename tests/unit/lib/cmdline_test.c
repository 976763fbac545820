/* cmdline_test.c: cmdline_get, cmdline_has and cmdline_read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cmdline.h"

static const char line[] =
	"BOOT_IMAGE=/vmlinuz console=ttyS0 quiet cairn.dhcp cairn.test=poweroff "
	"cairn.hostname=\"node 7\" \"cairn.quoted=a b\" cairn.testing=no cairn.test=again\n";

static void get_value(void)
{
	char v[32];

	CHECK(cmdline_get(line, "console", v, sizeof v) == 0);
	CHECK(strcmp(v, "ttyS0") == 0);
}

static void last_one_wins(void)
{
	char v[32];

	CHECK(cmdline_get(line, "cairn.test", v, sizeof v) == 0);
	CHECK(strcmp(v, "again") == 0);
}

static void bare_key_has_empty_value(void)
{
	char v[8] = "x";

	CHECK(cmdline_get(line, "cairn.dhcp", v, sizeof v) == 0);
	CHECK(v[0] == '\0');
	CHECK(cmdline_has(line, "quiet"));
}

static void prefix_is_not_a_match(void)
{
	char v[8];

	CHECK(cmdline_get(line, "cairn.host", v, sizeof v) == -ENOENT);
	CHECK(cmdline_get(line, "cairn", v, sizeof v) == -ENOENT);
	CHECK(!cmdline_has(line, "cairn.shell"));
	CHECK(!cmdline_has(line, "BOOT"));
}

static void quotes_are_removed(void)
{
	char v[32];

	CHECK(cmdline_get(line, "cairn.hostname", v, sizeof v) == 0);
	CHECK(strcmp(v, "node 7") == 0);
	CHECK(cmdline_get(line, "cairn.quoted", v, sizeof v) == 0);
	CHECK(strcmp(v, "a b") == 0);
}

static void too_long_is_refused(void)
{
	char v[4] = "zzz";

	CHECK(cmdline_get(line, "cairn.test", v, sizeof v) == -ENAMETOOLONG);
	CHECK(v[0] == '\0');
	CHECK(cmdline_get(line, "cairn.test", v, 0) == -ENAMETOOLONG);
}

static void empty_inputs(void)
{
	char v[4];

	CHECK(cmdline_get("", "a", v, sizeof v) == -ENOENT);
	CHECK(cmdline_get("   \n", "a", v, sizeof v) == -ENOENT);
	CHECK(cmdline_get(line, "", v, sizeof v) == -EINVAL);
	CHECK(cmdline_get("a=", "a", v, sizeof v) == 0 && v[0] == '\0');
	CHECK(cmdline_get("\"unterminated a=1", "a", v, sizeof v) == -ENOENT);
}

static char *write_temp(const char *data, size_t len)
{
	static char path[] = "/tmp/cmdline_test.XXXXXX";
	int fd;

	strcpy(path, "/tmp/cmdline_test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

static void read_whole_file(void)
{
	char buf[64], *p = write_temp("a=1 b\n", 6);

	CHECK(cmdline_read(p, buf, sizeof buf) == 6);
	CHECK(strcmp(buf, "a=1 b\n") == 0);
	/* exactly full: 6 bytes and the NUL */
	CHECK(cmdline_read(p, buf, 7) == 6);
	unlink(p);
}

static void read_too_long_is_refused(void)
{
	char buf[6], *p = write_temp("a=1 b\n", 6);

	CHECK(cmdline_read(p, buf, sizeof buf) == -E2BIG);
	CHECK(buf[0] == '\0');
	unlink(p);
}

static void read_missing_file(void)
{
	char buf[8];

	CHECK(cmdline_read("/nonexistent/cmdline", buf, sizeof buf) == -ENOENT);
	CHECK(cmdline_read("/dev/null", buf, 0) == -EINVAL);
}

static void test_nth(void)
{
	const char *c = "console=tty0 quiet console=ttyS0,115200 consoleblank=0 console=hvc0";
	char v[32];

	CHECK(cmdline_nth(c, "console", 0, v, sizeof v) == 0 && strcmp(v, "tty0") == 0);
	CHECK(cmdline_nth(c, "console", 1, v, sizeof v) == 0 && strcmp(v, "ttyS0,115200") == 0);
	CHECK(cmdline_nth(c, "console", 2, v, sizeof v) == 0 && strcmp(v, "hvc0") == 0);
	CHECK(cmdline_nth(c, "console", 3, v, sizeof v) == -ENOENT);
	CHECK(cmdline_nth(c, "console", -1, v, sizeof v) == -EINVAL);
	CHECK(cmdline_get(c, "console", v, sizeof v) == 0 && strcmp(v, "hvc0") == 0);
}

int main(void)
{
	RUN(test_nth);
	RUN(get_value);
	RUN(last_one_wins);
	RUN(bare_key_has_empty_value);
	RUN(prefix_is_not_a_match);
	RUN(quotes_are_removed);
	RUN(too_long_is_refused);
	RUN(empty_inputs);
	RUN(read_whole_file);
	RUN(read_too_long_is_refused);
	RUN(read_missing_file);
	return CHECK_DONE();
}
