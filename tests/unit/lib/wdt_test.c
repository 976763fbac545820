/* wdt_test.c: the watchdogs of fake sysfs trees ranked (a BMC's IPMI one
 * on the plain node, the chipset's, a software one), the legacy node
 * told apart from a core watchdog0's, odd names left out; initd's record
 * written and read back, and broken records refused. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "faketree.h"
#include "wdt.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	tree_put(root, rel, text);
}

static void link_at(const char *target, const char *rel)
{
	CHECK(tree_link(root, target, rel) == 0);
}

static int scan(struct wdt *w)
{
	char sys[128];

	snprintf(sys, sizeof(sys), "%s/sys", root);
	return wdt_scan(sys, w, WDT_MAX);
}

/* An Intel server: the BMC's IPMI watchdog registered first (it holds the
 * plain /dev/watchdog), iTCO_wdt under lpc_ich as watchdog1, softdog as
 * watchdog2, and names that are not watchdogs. */
static void test_server(void)
{
	struct wdt w[WDT_MAX];

	tree_new(root, sizeof(root), "wdt_test");
	put("sys/devices/virtual/misc/watchdog/dev", "10:130\n");
	link_at("../../devices/virtual/misc/watchdog", "sys/class/misc/watchdog");
	put("sys/module/ipmi_watchdog/parameters/timeout", "10\n");
	put("sys/devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1/dev", "247:1\n");
	link_at("../../devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1", "sys/class/watchdog/watchdog1");
	link_at("../../../iTCO_wdt.0.auto", "sys/devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1/device");
	put("sys/bus/platform/drivers/iTCO_wdt/bind", "");
	link_at("../../../bus/platform/drivers/iTCO_wdt", "sys/devices/platform/iTCO_wdt.0.auto/driver");
	link_at("../../../../module/iTCO_wdt", "sys/bus/platform/drivers/iTCO_wdt/module");
	put("sys/devices/virtual/watchdog/watchdog2/dev", "247:2\n");	/* softdog */
	put("sys/devices/virtual/watchdog/watchdog2/identity", "Software Watchdog\n");
	link_at("../../devices/virtual/watchdog/watchdog2", "sys/class/watchdog/watchdog2");
	link_at("../../devices/virtual/watchdog/watchdog2", "sys/class/watchdog/watchdogX");
	link_at("../../devices/virtual/watchdog/watchdog2", "sys/class/watchdog/watchdog1000");
	link_at("../../devices/virtual/watchdog/watchdog2", "sys/class/watchdog/watchdog-1");

	CHECK(scan(w) == 3);
	CHECK(strcmp(w[0].dev, "/dev/watchdog") == 0 && w[0].kind == WDT_BMC && w[0].index == -1);
	CHECK(strcmp(w[0].driver, "ipmi_watchdog") == 0);
	CHECK(strcmp(w[1].dev, "/dev/watchdog1") == 0 && w[1].kind == WDT_HARDWARE);
	CHECK(strcmp(w[1].driver, "iTCO_wdt") == 0);
	CHECK(strcmp(w[2].dev, "/dev/watchdog2") == 0 && w[2].kind == WDT_SOFTWARE);
	CHECK(w[2].driver[0] == '\0' && strcmp(w[2].identity, "Software Watchdog") == 0);
	CHECK(strcmp(wdt_kind_name(w[0].kind), "bmc") == 0 &&
	      strcmp(wdt_kind_name(w[2].kind), "software") == 0);

	check_rmtree(root);
}

/* ipmi_watchdog loaded after the chipset's watchdog0 took the plain node:
 * its registration failed, so the node is watchdog0's and no BMC one is
 * listed.  Two cards, in the kernel's order by number (2 before 10), one
 * named by its driver where no module link exists; a driver link that is
 * not printable names nothing. */
static void test_core_owns_legacy(void)
{
	struct wdt w[WDT_MAX];

	tree_new(root, sizeof(root), "wdt_test");
	put("sys/devices/virtual/misc/watchdog/dev", "10:130\n");
	link_at("../../devices/virtual/misc/watchdog", "sys/class/misc/watchdog");
	put("sys/module/ipmi_watchdog/parameters/timeout", "10\n");
	put("sys/devices/pci0000:00/0000:00:1f.0/watchdog/watchdog0/dev", "247:0\n");
	link_at("../../devices/pci0000:00/0000:00:1f.0/watchdog/watchdog0", "sys/class/watchdog/watchdog0");
	link_at("../../../0000:00:1f.0", "sys/devices/pci0000:00/0000:00:1f.0/watchdog/watchdog0/device");
	link_at("../../../bus/pci/drivers/sp5100-tco", "sys/devices/pci0000:00/0000:00:1f.0/driver");
	put("sys/bus/pci/drivers/sp5100-tco/bind", "");
	put("sys/devices/pci0000:00/0000:00:03.0/watchdog/watchdog10/dev", "247:10\n");
	link_at("../../devices/pci0000:00/0000:00:03.0/watchdog/watchdog10", "sys/class/watchdog/watchdog10");
	link_at("../../../0000:00:03.0", "sys/devices/pci0000:00/0000:00:03.0/watchdog/watchdog10/device");
	link_at("../../../bus/pci/drivers/i6300ESB timer", "sys/devices/pci0000:00/0000:00:03.0/driver");
	put("sys/devices/pci0000:00/0000:00:04.0/watchdog/watchdog2/dev", "247:2\n");
	link_at("../../devices/pci0000:00/0000:00:04.0/watchdog/watchdog2", "sys/class/watchdog/watchdog2");
	link_at("../../../0000:00:04.0", "sys/devices/pci0000:00/0000:00:04.0/watchdog/watchdog2/device");
	link_at("../../../bus/pci/drivers/bad\nname", "sys/devices/pci0000:00/0000:00:04.0/driver");

	CHECK(scan(w) == 3);
	CHECK(strcmp(w[0].dev, "/dev/watchdog0") == 0 && w[0].kind == WDT_HARDWARE);
	CHECK(strcmp(w[0].driver, "sp5100-tco") == 0);
	CHECK(strcmp(w[1].dev, "/dev/watchdog2") == 0 && w[1].driver[0] == '\0');
	CHECK(w[1].kind == WDT_HARDWARE);
	CHECK(strcmp(w[2].dev, "/dev/watchdog10") == 0 && strcmp(w[2].driver, "i6300ESB timer") == 0);
	check_rmtree(root);
}

/*
 * Drivers that give their watchdog no parent device (i6300esb): with
 * sysfs identities the identity names it; without, it counts as hardware
 * unless softdog's module is loaded, and an identity that is not
 * printable names nothing.
 */
static void test_no_parent(void)
{
	struct wdt w[WDT_MAX];

	tree_new(root, sizeof(root), "wdt_test");
	put("sys/devices/virtual/watchdog/watchdog0/dev", "247:0\n");
	put("sys/devices/virtual/watchdog/watchdog0/identity", "i6300ESB timer\n");
	link_at("../../devices/virtual/watchdog/watchdog0", "sys/class/watchdog/watchdog0");
	put("sys/devices/virtual/watchdog/watchdog1/dev", "247:1\n");
	put("sys/devices/virtual/watchdog/watchdog1/identity", "bad\033[2Jname\n");
	link_at("../../devices/virtual/watchdog/watchdog1", "sys/class/watchdog/watchdog1");
	put("sys/devices/virtual/watchdog/watchdog3/dev", "247:3\n");
	link_at("../../devices/virtual/watchdog/watchdog3", "sys/class/watchdog/watchdog3");
	CHECK(scan(w) == 3);
	CHECK(strcmp(w[0].dev, "/dev/watchdog0") == 0 && w[0].kind == WDT_HARDWARE);
	CHECK(strcmp(w[0].identity, "i6300ESB timer") == 0 && w[0].driver[0] == '\0');
	CHECK(w[1].kind == WDT_HARDWARE && w[1].identity[0] == '\0');
	CHECK(strcmp(w[2].dev, "/dev/watchdog3") == 0 && w[2].kind == WDT_HARDWARE);
	/* softdog loaded: the one with no identity is taken for it */
	put("sys/module/softdog/refcnt", "1\n");
	CHECK(scan(w) == 3);
	CHECK(w[0].kind == WDT_HARDWARE && strcmp(w[0].dev, "/dev/watchdog0") == 0);
	CHECK(w[2].kind == WDT_SOFTWARE && strcmp(w[2].dev, "/dev/watchdog3") == 0);
	check_rmtree(root);
}

/* A legacy node with no module known behind it is a hardware one; no
 * sysfs at all is no watchdog. */
static void test_legacy_unknown_and_none(void)
{
	struct wdt w[WDT_MAX];

	tree_new(root, sizeof(root), "wdt_test");
	CHECK(scan(w) == 0);
	put("sys/devices/virtual/misc/watchdog/dev", "10:130\n");
	link_at("../../devices/virtual/misc/watchdog", "sys/class/misc/watchdog");
	CHECK(scan(w) == 1 && w[0].kind == WDT_HARDWARE && w[0].driver[0] == '\0');
	CHECK(strcmp(w[0].dev, "/dev/watchdog") == 0);
	check_rmtree(root);
}

static void test_record(void)
{
	struct wdt_armed a, b;
	char buf[256];
	int n;

	memset(&a, 0, sizeof(a));
	strcpy(a.dev, "/dev/watchdog");
	strcpy(a.identity, "IPMI\n\tx");		/* the driver's bytes, made printable */
	a.timeout_s = 60;
	strcpy(a.chosen, "auto");
	n = wdt_record_format(&a, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n == strlen(buf));
	CHECK(strstr(buf, "identity = IPMI??x\n") != NULL);
	CHECK(wdt_record_parse(buf, (size_t)n, &b) == 0);
	CHECK(strcmp(b.dev, "/dev/watchdog") == 0 && strcmp(b.identity, "IPMI??x") == 0);
	CHECK(b.timeout_s == 60 && strcmp(b.chosen, "auto") == 0);
	CHECK(wdt_record_format(&a, buf, 20) == -ENAMETOOLONG);

	/* A driver that names nothing: the record still parses. */
	a.identity[0] = '\0';
	n = wdt_record_format(&a, buf, sizeof(buf));
	CHECK(n > 0 && wdt_record_parse(buf, (size_t)n, &b) == 0 && b.identity[0] == '\0');
}

static void test_record_refused(void)
{
	static const char *const bad[] = {
		"",
		"device = /dev/watchdog\nidentity = x\ntimeout = 1\n",			/* no chosen */
		"device = /dev/watchdog\nidentity = x\ntimeout = 1\nchosen = auto\ntimeout = 2\n",
		"device = /tmp/watchdog\nidentity = x\ntimeout = 1\nchosen = auto\n",
		"device = /dev/watchdog\nidentity = x\ntimeout = -1\nchosen = auto\n",
		"device = /dev/watchdog\nidentity = x\ntimeout = 65536\nchosen = auto\n",
		"device = /dev/watchdog\nidentity = x\ntimeout = 1\nchosen = manual\n",
		"device = /dev/watchdog\nidentity = x\ntimeout = 1\nchosen = auto\nowner = me\n",
		("device = /dev/watchdog\nidentity = 0123456789012345678901234567890123\n"
		 "timeout = 1\nchosen = auto\n"),
		("device = /dev/watchdog/and/a/name/too/long/to/fit/in/the/record/of/the/one/armed/"
		 "which/holds/ninety-five/bytes\nidentity = x\ntimeout = 1\nchosen = auto\n"),
		"[section]\ndevice = /dev/watchdog\nidentity = x\ntimeout = 1\nchosen = auto\n",
		"device = /dev/watchdog\nidentity = x\ntimeout = 1\nchosen = auto\n\0\n",
	};
	static const char good[] = "device = /dev/watchdog1\nidentity = i6300ESB timer\n"
				   "timeout = 3\nchosen = dev\n";
	struct wdt_armed a;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = strlen(bad[i]) + (i + 1 == sizeof(bad) / sizeof(bad[0]) ? 2 : 0);
		if (wdt_record_parse(bad[i], len, &a) != -EINVAL) {
			fprintf(stderr, "record %zu accepted\n", i);
			CHECK(0);
		}
	}
	CHECK(wdt_record_parse(good, strlen(good), &a) == 0);
	CHECK(strcmp(a.identity, "i6300ESB timer") == 0 && a.timeout_s == 3);
}

int main(void)
{
	RUN(test_server);
	RUN(test_core_owns_legacy);
	RUN(test_no_parent);
	RUN(test_legacy_unknown_and_none);
	RUN(test_record);
	RUN(test_record_refused);
	return CHECK_DONE();
}
