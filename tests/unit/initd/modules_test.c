/* modules_test.c: the board's module list, and coldplug over a fake sysfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "modules.h"

static char dir[] = "/tmp/modules_test.XXXXXX";
static int logpipe[2];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* mkdir -p, relative to the test directory. */
static void mkdirs(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (p = path + strlen(dir) + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		abort();
}

/* A device as sysfs has it: the directory under devices/, a link elsewhere. */
static void device(const char *devpath, const char *link, const char *modalias)
{
	char target[512], path[512], rel[512];

	mkdirs(devpath);
	if (modalias != NULL) {
		snprintf(rel, sizeof rel, "%s/modalias", devpath);
		put(rel, modalias);
	}
	if (link == NULL)
		return;
	snprintf(rel, sizeof rel, "%s", link);
	*strrchr(rel, '/') = '\0';
	mkdirs(rel);
	snprintf(target, sizeof target, "%s/%s", dir, devpath);
	snprintf(path, sizeof path, "%s/%s", dir, link);
	if (symlink(target, path) < 0)
		abort();
}

static const char *logged(void)
{
	static char buf[2048];
	ssize_t n = read(logpipe[0], buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int has(char *const list[], int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void list_names_in_order(void)
{
	char buf[] = "# modules the board loads\n"
		     "\n"
		     "i6300esb\n"
		     "  virtio_rng  # trailing comment\n"
		     "\t\n"
		     "ipmi-devintf";
	char *names[8];

	CHECK(modules_list_parse("/etc/modules", buf, names, 8) == 3);
	CHECK(strcmp(names[0], "i6300esb") == 0);
	CHECK(strcmp(names[1], "virtio_rng") == 0);
	CHECK(strcmp(names[2], "ipmi-devintf") == 0);
	CHECK(logged()[0] == '\0');
}

static void list_bad_names_reported_and_skipped(void)
{
	char buf[] = "ok1\n"
		     "-r\n"
		     "two words\n"
		     "../../evil\n"
		     "pci:v00008086d*\n"
		     "a234567890123456789012345678901234567890123456789012345\n"
		     "a2345678901234567890123456789012345678901234567890123456\n"
		     "ok2\n";
	char *names[8];
	const char *log;

	CHECK(modules_list_parse("/etc/modules", buf, names, 8) == 3);
	CHECK(strcmp(names[0], "ok1") == 0);
	CHECK(strlen(names[1]) == MODULE_NAME_MAX);
	CHECK(strcmp(names[2], "ok2") == 0);
	log = logged();
	CHECK(strstr(log, "/etc/modules:2: '-r'") != NULL);
	CHECK(strstr(log, "/etc/modules:3: 'two words'") != NULL);
	CHECK(strstr(log, "/etc/modules:4:") != NULL);
	CHECK(strstr(log, "/etc/modules:5:") != NULL);
	CHECK(strstr(log, "/etc/modules:6:") == NULL);
	CHECK(strstr(log, "/etc/modules:7:") != NULL);
}

static void list_too_many_keeps_first(void)
{
	char buf[] = "a\nb\n# c is next\nc\nd\n";
	char *names[2];

	CHECK(modules_list_parse("m", buf, names, 2) == 2);
	CHECK(strcmp(names[0], "a") == 0 && strcmp(names[1], "b") == 0);
	CHECK(strstr(logged(), "m:4: more than 2 modules") != NULL);
	CHECK(modules_list_parse("m", (char[]){ "a\n" }, names, 0) == 0);
	logged();
	CHECK(modules_list_parse("m", (char[]){ "" }, names, 2) == 0);
}

static void list_read_file(void)
{
	char path[512], buf[64], small[8], *names[4];

	put("modules", "# qemu-x86_64\ni6300esb\n");
	snprintf(path, sizeof path, "%s/modules", dir);
	CHECK(modules_list_read(path, buf, sizeof buf, names, 4) == 1);
	CHECK(strcmp(names[0], "i6300esb") == 0);
	/* Cut in the middle of a name: nothing, rather than a wrong module. */
	CHECK(modules_list_read(path, small, sizeof small, names, 4) == -E2BIG);
	CHECK(modules_list_read("/nonexistent/modules", buf, sizeof buf, names, 4) == -ENOENT);
	put("binary", "abc");
	snprintf(path, sizeof path, "%s/binary", dir);
	{
		int fd = open(path, O_WRONLY | O_APPEND);

		CHECK(fd >= 0 && write(fd, "\0def\n", 5) == 5);
		close(fd);
	}
	CHECK(modules_list_read(path, buf, sizeof buf, names, 4) == -EINVAL);
}

/*
 * The fake sysfs: PCI devices behind a bridge, two of them alike (one
 * alias), a device with no modalias, class devices (input, dmi), the
 * CPUs' subsystem root, a device deeper than any walk would go (found by
 * its bus link), and one whose modalias would be an option to modprobe.
 */
static void make_sysfs(void)
{
	device("sys/devices/pci0000:00/0000:00:01.0", "sys/bus/pci/devices/0000:00:01.0",
	       "pci:v00008086d000029C0sv00001AF4sd00001100bc06sc00i00\n");
	device("sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0", "sys/bus/pci/devices/0000:01:00.0",
	       "pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00\n");
	device("sys/devices/pci0000:00/0000:00:02.0/0000:01:00.1", "sys/bus/pci/devices/0000:01:00.1",
	       "pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00\n");
	device("sys/devices/pci0000:00/0000:00:02.0", "sys/bus/pci/devices/0000:00:02.0", NULL);
	device("sys/devices/platform/i8042/serio0/input/input3", "sys/class/input/input3",
	       "input:b0011v0001p0001eAB41-e0,1,4,11,14,k71,72,ramlsfw\n");
	device("sys/devices/platform/i8042/serio0/input/input3/event3", "sys/class/input/event3", NULL);
	device("sys/devices/platform/i8042", "sys/bus/platform/devices/i8042", "platform:i8042\n");
	device("sys/devices/system/cpu", NULL, "cpu:type:x86,ven0000fam0006mod0055:feature:,0000,0001\n");
	device("sys/devices/system/cpu/cpu0", "sys/bus/cpu/devices/cpu0", NULL);
	device("sys/devices/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", "sys/bus/deep/devices/q", "deep:q\n");
	device("sys/devices/virtual/dmi/id", "sys/class/dmi/id", "dmi:bvnSeaBIOS:\n");
	device("sys/devices/odd", "sys/bus/odd/devices/odd", "-rf\n");
	mkdirs("sys/bus/nodevices");
}

static void coldplug_unique_aliases(void)
{
	char sys[512], buf[4096], *aliases[16];
	int n;

	snprintf(sys, sizeof sys, "%s/sys", dir);
	n = modules_coldplug(sys, buf, sizeof buf, aliases, 16);
	CHECK(n == 7);
	CHECK(has(aliases, n, "pci:v00008086d000029C0sv00001AF4sd00001100bc06sc00i00"));
	CHECK(has(aliases, n, "pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00"));
	CHECK(has(aliases, n, "input:b0011v0001p0001eAB41-e0,1,4,11,14,k71,72,ramlsfw"));
	CHECK(has(aliases, n, "platform:i8042"));
	CHECK(has(aliases, n, "cpu:type:x86,ven0000fam0006mod0055:feature:,0000,0001"));
	CHECK(has(aliases, n, "deep:q"));
	CHECK(has(aliases, n, "dmi:bvnSeaBIOS:"));
	CHECK(!has(aliases, n, "-rf"));
	CHECK(strstr(logged(), "odd modalias") != NULL);
}

/* Too many, or too many bytes: what fits is kept, the rest is counted. */
static void coldplug_bounded(void)
{
	char sys[512], buf[4096], small[40], *aliases[16];

	snprintf(sys, sizeof sys, "%s/sys", dir);
	/* Which 3 depends on readdir's order; the two alike NVIDIA functions
	 * count as two devices when their alias is the one left out. */
	CHECK(modules_coldplug(sys, buf, sizeof buf, aliases, 3) == 3);
	CHECK(strstr(logged(), "coldplug: the aliases of ") != NULL);
	/* 40 bytes hold "platform:i8042", "deep:q" and "dmi:bvnSeaBIOS:" (38)
	 * in any order, and none of the four 54-byte ones. */
	CHECK(modules_coldplug(sys, small, sizeof small, aliases, 16) == 3);
	CHECK(has(aliases, 3, "platform:i8042") && has(aliases, 3, "deep:q") &&
	      has(aliases, 3, "dmi:bvnSeaBIOS:"));
	CHECK(strstr(logged(), "did not fit in 16 or 40 bytes") != NULL);
	CHECK(modules_coldplug(sys, small, 0, aliases, 16) == 0);
	logged();
	CHECK(modules_coldplug(sys, buf, sizeof buf, aliases, 0) == 0);
	logged();
}

static void coldplug_no_sysfs(void)
{
	char sys[512], *aliases[4], buf[64];

	CHECK(modules_coldplug("/nonexistent", buf, sizeof buf, aliases, 4) == -ENOENT);
	/* Buses but no class/: what the buses have, and a line saying so. */
	device("bare/devices/platform/x", "bare/bus/platform/devices/x", "platform:x\n");
	snprintf(sys, sizeof sys, "%s/bare", dir);
	CHECK(modules_coldplug(sys, buf, sizeof buf, aliases, 4) == 1);
	CHECK(strcmp(aliases[0], "platform:x") == 0);
	CHECK(strstr(logged(), "class devices skipped") != NULL);
}

/* The modules loaded: a line each, read past any one buffer; no file, -errno. */
static void count_lines(void)
{
	char path[512], line[64];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/modules", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "mod%d 16384 0 - Live 0x0000000000000000\n", i);
		fputs(line, f);
	}
	fclose(f);
	CHECK(modules_count(path) == 300);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fclose(f);
	CHECK(modules_count(path) == 0);
	snprintf(path, sizeof(path), "%s/none", dir);
	CHECK(modules_count(path) == -ENOENT);
}

int main(void)
{
	int rc;

	if (mkdtemp(dir) == NULL || pipe2(logpipe, O_NONBLOCK) != 0)
		return 1;
	/* Console level 0: every line reaches the pipe, where tests read it. */
	log_open("modules_test", -1, logpipe[1], 0);
	make_sysfs();
	RUN(list_names_in_order);
	RUN(list_bad_names_reported_and_skipped);
	RUN(list_too_many_keeps_first);
	RUN(list_read_file);
	RUN(coldplug_unique_aliases);
	RUN(coldplug_bounded);
	RUN(coldplug_no_sysfs);
	RUN(count_lines);
	rc = CHECK_DONE();
	check_rmtree(dir);
	return rc;
}
