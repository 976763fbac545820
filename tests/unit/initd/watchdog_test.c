/* watchdog_test.c: cairn.watchdog values and the pet interval (the ioctls
 * need a real watchdog: the VM test covers them). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "faketree.h"
#include "watchdog.h"
#include "wdt.h"

static void parse_dev_and_seconds(void)
{
	char dev[32];
	unsigned t = 99;

	CHECK(watchdog_parse_arg("/dev/watchdog0:30", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, "/dev/watchdog0") == 0 && t == 30);
	CHECK(watchdog_parse_arg("/dev/watchdog1:3600", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, "/dev/watchdog1") == 0 && t == 3600);
}

/* No seconds: the driver's own timeout (0); no value: the first watchdog. */
static void parse_defaults(void)
{
	char dev[32];
	unsigned t = 99;

	CHECK(watchdog_parse_arg("/dev/watchdog", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, "/dev/watchdog") == 0 && t == 0);
	t = 99;
	CHECK(watchdog_parse_arg("", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, WATCHDOG_DEFAULT_DEV) == 0 && t == 0);
}

static void parse_refuses_bad_values(void)
{
	static const char *const bad[] = {
		"/dev/watchdog0:", "/dev/watchdog0:0", "/dev/watchdog0:3601",
		"/dev/watchdog0:99999999999999999999", "/dev/watchdog0:-1",
		"/dev/watchdog0:30s", "/dev/watchdog0: 30", "/dev/watchdog0:+30",
		"watchdog0", "watchdog0:30", "/dev/", "/dev/:30", ":30", "/tmp/wd",
		"/dev/../etc/passwd", "/devx/watchdog", "/dev/watchdog0:3:0",
	};
	char dev[32];
	unsigned t = 7;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (watchdog_parse_arg(bad[i], dev, sizeof dev, &t) != -EINVAL) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(t == 7);
	CHECK(dev[0] == '\0');
}

static void parse_too_long(void)
{
	char dev[14];
	unsigned t;

	CHECK(watchdog_parse_arg("/dev/watchdog0:30", dev, sizeof dev, &t) == -ENAMETOOLONG);
	CHECK(dev[0] == '\0');
	CHECK(watchdog_parse_arg("/dev/watchdog:30", dev, sizeof dev, &t) == 0);
	CHECK(watchdog_parse_arg("/dev/watchdog", dev, 0, &t) == -ENAMETOOLONG);
}

static void interval_is_a_third(void)
{
	CHECK(watchdog_interval_ms(30) == 10000);
	CHECK(watchdog_interval_ms(60) == 20000);
	CHECK(watchdog_interval_ms(10) == 3333);
	/* No 1 s floor: a 1 s timeout still gets two thirds of margin. */
	CHECK(watchdog_interval_ms(1) == 333);
	CHECK(watchdog_interval_ms(2) == 666);
}

static void interval_bounds(void)
{
	CHECK(watchdog_interval_ms(0) == 1000);
	CHECK(watchdog_interval_ms(179) == 59666);
	CHECK(watchdog_interval_ms(180) == 60000);
	CHECK(watchdog_interval_ms(3600) == 60000);
	CHECK(watchdog_interval_ms(~0u) == 60000);
}

/* Not a watchdog: refused, and nothing was armed by opening it. */
static void open_refuses_non_watchdog(void)
{
	struct wdt_armed a;

	memset(&a, 0, sizeof a);
	strcpy(a.dev, "/dev/null");
	a.timeout_s = 30;
	CHECK(watchdog_open(&a) == -ENOTTY);
	strcpy(a.dev, "/nonexistent/watchdog");
	CHECK(watchdog_open(&a) == -ENOENT);
	CHECK(a.timeout_s == 30);
}

/* auto, with or without seconds; its default timeout is its own. */
static void parse_auto(void)
{
	char dev[64];
	unsigned t = 0;

	CHECK(watchdog_parse_arg("auto", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, WATCHDOG_AUTO) == 0 && t == WATCHDOG_AUTO_TIMEOUT);
	CHECK(watchdog_parse_arg("auto:3", dev, sizeof dev, &t) == 0);
	CHECK(strcmp(dev, WATCHDOG_AUTO) == 0 && t == 3);
	CHECK(watchdog_parse_arg("auto:", dev, sizeof dev, &t) == -EINVAL);
	CHECK(watchdog_parse_arg("auto:0", dev, sizeof dev, &t) == -EINVAL);
	CHECK(watchdog_parse_arg("autox", dev, sizeof dev, &t) == -EINVAL);
	CHECK(watchdog_parse_arg("aut", dev, sizeof dev, &t) == -EINVAL);
	CHECK(watchdog_parse_arg("auto", dev, 4, &t) == -ENAMETOOLONG);
}

/*
 * auto with no hardware watchdog: a machine with none, and one with only
 * a software watchdog, which auto never opens.  Every node is looked for
 * under a directory that does not exist: this machine's own watchdog
 * must never be armed by a unit test.
 */
static void auto_finds_none(void)
{
	struct wdt_armed a;
	char root[64], sys[96], path[160];

	tree_new(root, sizeof root, "watchdog_test");
	snprintf(sys, sizeof sys, "%s/sys", root);
	memset(&a, 0, sizeof a);
	a.timeout_s = 60;
	CHECK(watchdog_open_auto(sys, "/nonexistent", &a) == -ENODEV && a.dev[0] == '\0');
	/* softdog, by its identity (WATCHDOG_SYSFS) */
	tree_put(root, "sys/class/watchdog/watchdog0/dev", "247:0\n");
	tree_put(root, "sys/class/watchdog/watchdog0/identity", "Software Watchdog\n");
	CHECK(watchdog_open_auto(sys, "/nonexistent", &a) == -ENODEV && a.dev[0] == '\0');
	/* softdog without sysfs identities: no device behind it, its module loaded */
	snprintf(path, sizeof path, "%s/class/watchdog/watchdog0/identity", sys);
	CHECK(unlink(path) == 0);
	tree_put(root, "sys/module/softdog/refcnt", "0\n");
	CHECK(watchdog_open_auto(sys, "/nonexistent", &a) == -ENODEV && a.dev[0] == '\0');
	check_rmtree(root);
}

/*
 * auto's order, and its falling through: the BMC's (the plain node), then
 * the chipset's are tried, each refused (the fake nodes are plain files,
 * no watchdog), and the software one is never opened.
 */
static void auto_falls_through(void)
{
	struct wdt_armed a;
	char root[64], sys[96], dev[96], ring[4096], want[256];
	size_t n;

	tree_new(root, sizeof root, "watchdog_test");
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(dev, sizeof dev, "%s/dev", root);
	tree_put(root, "sys/class/misc/watchdog/dev", "10:130\n");
	tree_put(root, "sys/module/ipmi_watchdog/refcnt", "0\n");
	tree_put(root, "sys/devices/platform/iTCO_wdt/watchdog/watchdog1/identity", "iTCO_wdt\n");
	CHECK(tree_link(root, "../../devices/platform/iTCO_wdt/watchdog/watchdog1",
			"sys/class/watchdog/watchdog1") == 0);
	CHECK(tree_link(root, "../..", "sys/devices/platform/iTCO_wdt/watchdog/watchdog1/device") == 0);
	tree_put(root, "sys/class/watchdog/watchdog2/identity", "Software Watchdog\n");
	tree_put(root, "dev/watchdog", "");
	tree_put(root, "dev/watchdog1", "");
	tree_put(root, "dev/watchdog2", "");
	memset(&a, 0, sizeof a);
	a.timeout_s = 60;
	CHECK(watchdog_open_auto(sys, dev, &a) == -ENODEV && a.dev[0] == '\0');
	n = log_ring_copy(ring, sizeof ring - 1);
	ring[n] = '\0';
	CHECK(strstr(ring, "cairn.watchdog=auto: found /dev/watchdog (ipmi_watchdog, bmc), "
		      "/dev/watchdog1 (iTCO_wdt, hardware), /dev/watchdog2 (Software Watchdog, software)") != NULL);
	snprintf(want, sizeof want, "watchdog %s/watchdog: %s: trying the next", dev, strerror(ENOTTY));
	CHECK(strstr(ring, want) != NULL);
	snprintf(want, sizeof want, "watchdog %s/watchdog1: %s: trying the next", dev, strerror(ENOTTY));
	CHECK(strstr(ring, want) != NULL);
	snprintf(want, sizeof want, "%s/watchdog2", dev);
	CHECK(strstr(ring, want) == NULL);
	check_rmtree(root);
}

int main(void)
{
	log_open("watchdog_test", -1, -1, 0);
	RUN(parse_dev_and_seconds);
	RUN(parse_auto);
	RUN(auto_finds_none);
	RUN(auto_falls_through);
	RUN(parse_defaults);
	RUN(parse_refuses_bad_values);
	RUN(parse_too_long);
	RUN(interval_is_a_third);
	RUN(interval_bounds);
	RUN(open_refuses_non_watchdog);
	return CHECK_DONE();
}
