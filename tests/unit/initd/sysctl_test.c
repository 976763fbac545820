/* sysctl_test.c: parsing sysctl.d lines and applying files to a fake /proc/sys. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sysctl.h"
#include "log.h"

static char dir[] = "/tmp/sysctl_test.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static int equals(const char *rel, const char *text)
{
	char path[256], buf[128] = "";
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return strcmp(buf, text) == 0;
}

static void parse_setting(void)
{
	char line[] = "  kernel.kptr_restrict =  2 \n", *k, *v;

	CHECK(sysctl_parse_line(line, &k, &v) == 1);
	CHECK(strcmp(k, "kernel.kptr_restrict") == 0);
	CHECK(strcmp(v, "2") == 0);
}

static void parse_optional_and_spaces_in_value(void)
{
	char line[] = "-net.ipv4.ping_group_range = 0 2147483647", *k, *v;

	CHECK(sysctl_parse_line(line, &k, &v) == 1);
	CHECK(strcmp(k, "net.ipv4.ping_group_range") == 0);
	CHECK(strcmp(v, "0 2147483647") == 0);
}

static void parse_skips_comments(void)
{
	char a[] = "# comment", b[] = "; also", c[] = "   \n", *k, *v;

	CHECK(sysctl_parse_line(a, &k, &v) == 0);
	CHECK(sysctl_parse_line(b, &k, &v) == 0);
	CHECK(sysctl_parse_line(c, &k, &v) == 0);
}

static void parse_refuses_escapes(void)
{
	char a[] = "kernel/../../etc/x = 1", b[] = "no equals", c[] = " = 1";
	char d[] = "a.b =", e[] = "/abs = 1", f[] = "a b = 1", *k, *v;

	CHECK(sysctl_parse_line(a, &k, &v) == -EINVAL);
	CHECK(sysctl_parse_line(b, &k, &v) == -EINVAL);
	CHECK(sysctl_parse_line(c, &k, &v) == -EINVAL);
	CHECK(sysctl_parse_line(d, &k, &v) == -EINVAL);
	CHECK(sysctl_parse_line(e, &k, &v) == -EINVAL);
	CHECK(sysctl_parse_line(f, &k, &v) == -EINVAL);
}

static void apply_dir_in_name_order(void)
{
	char conf[300], sys[300];

	snprintf(conf, sizeof conf, "%s/conf", dir);
	snprintf(sys, sizeof sys, "%s/sys", dir);
	CHECK(mkdir(conf, 0755) == 0 && mkdir(sys, 0755) == 0);
	CHECK(mkdir(strcat(strcpy((char[320]){ 0 }, sys), "/kernel"), 0755) == 0);
	put("sys/kernel/a", "0");
	put("sys/kernel/b", "0");
	/* Created out of order: neither creation order nor its reverse gives
	 * 10, 50, 90, so only sorting makes the 90 file win. */
	put("conf/50-mid.conf", "kernel.a = 5\n");
	put("conf/90-site.conf", "kernel.a = 9\n");
	put("conf/10-base.conf", "kernel.a = 1\nkernel.b = 2\n-kernel.missing = 1\n");
	put("conf/50-ignored.txt", "kernel.b = 7\n");
	CHECK(sysctl_apply_dir(conf, sys) == 0);
	CHECK(equals("sys/kernel/a", "9"));
	CHECK(equals("sys/kernel/b", "2"));
}

static void apply_counts_failures_and_goes_on(void)
{
	char conf[300], sys[300];

	snprintf(conf, sizeof conf, "%s/bad.conf", dir);
	snprintf(sys, sizeof sys, "%s/sys", dir);
	put("bad.conf", "garbage line\nkernel.nosuch = 1\nkernel.b = 5\n");
	CHECK(sysctl_apply_file(conf, sys) == 2);
	CHECK(equals("sys/kernel/b", "5"));
	CHECK(sysctl_apply_file("/nonexistent.conf", sys) == -ENOENT);
	CHECK(sysctl_apply_dir("/nonexistent.d", sys) == -ENOENT);
}

static void apply_refuses_overlong_line(void)
{
	char conf[300], sys[300], big[2048];

	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	put("long.conf", big);
	snprintf(conf, sizeof conf, "%s/long.conf", dir);
	snprintf(sys, sizeof sys, "%s/sys", dir);
	CHECK(sysctl_apply_file(conf, sys) == 1);
}

int main(void)
{
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	log_open("sysctl_test", -1, -1, 0);
	RUN(parse_setting);
	RUN(parse_optional_and_spaces_in_value);
	RUN(parse_skips_comments);
	RUN(parse_refuses_escapes);
	RUN(apply_dir_in_name_order);
	RUN(apply_counts_failures_and_goes_on);
	RUN(apply_refuses_overlong_line);
	rc = CHECK_DONE();
	check_rmtree(dir);
	return rc;
}
