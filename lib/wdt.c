/* wdt.c: the machine's watchdogs from sysfs, ranked; initd's record of the one it armed. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "kv.h"
#include "text.h"
#include "wdt.h"

/* The last part of the link at path, printable, into out. */
static int link_base(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (base[0] == '\0' || !text_printable(base))
		return -1;
	return text_copy(out, size, base) < 0 ? -1 : 0;
}

/* The first line of dir/name, printable, into out ("" when none). */
static void attr_line(const char *dir, const char *name, char *out, size_t size)
{
	char path[PATH_MAX], buf[64];
	size_t len;
	int n;

	out[0] = '\0';
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || file_read(path, buf, sizeof(buf) - 1, &len) < 0)
		return;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (text_printable(buf))
		text_copy(out, size, buf);
}

/*
 * A core watchdog: its driver is the module behind its device (i6300esb,
 * iTCO_wdt, sp5100_tco), else the driver's own name; its identity is
 * sysfs's where the kernel has WATCHDOG_SYSFS.  Older drivers (i6300esb
 * among them) give their watchdog no parent device, so no device link
 * tells a software watchdog from those: the identity does ("Software
 * Watchdog"), or, without one, softdog's module being loaded.
 */
static enum wdt_kind core_kind(const char *sys, const char *dir, struct wdt *w)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	w->driver[0] = '\0';
	attr_line(dir, "identity", w->identity, sizeof(w->identity));
	if (strcmp(w->identity, "Software Watchdog") == 0)
		return WDT_SOFTWARE;
	n = snprintf(path, sizeof(path), "%s/device", dir);
	if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &st) < 0) {
		n = snprintf(path, sizeof(path), "%s/module/softdog", sys);
		if (w->identity[0] == '\0' && n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0)
			return WDT_SOFTWARE;
		return WDT_HARDWARE;
	}
	n = snprintf(path, sizeof(path), "%s/device/driver/module", dir);
	if (n > 0 && (size_t)n < sizeof(path) && link_base(path, w->driver, sizeof(w->driver)) == 0)
		return WDT_HARDWARE;
	n = snprintf(path, sizeof(path), "%s/device/driver", dir);
	if (n < 0 || (size_t)n >= sizeof(path) || link_base(path, w->driver, sizeof(w->driver)) < 0)
		w->driver[0] = '\0';
	return WDT_HARDWARE;
}

/* watchdogN: N, or -1 for any other name. */
static int core_index(const char *name)
{
	unsigned long long n;

	if (strncmp(name, "watchdog", 8) != 0 || strlen(name + 8) > 3)
		return -1;
	if (text_uint(name + 8, 999, &n) < 0)
		return -1;
	return (int)n;
}

static int by_rank(const void *a, const void *b)
{
	const struct wdt *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * wdt_scan: the watchdogs under sys (the sysfs mount: "/sys"), best first:
 * the BMC's, then hardware ones in the kernel's order, then software ones
 * (a watchdog that cannot be told apart counts as hardware: Cairn's
 * kernels build no software one).
 * The BMC's is IPMI's, a legacy driver that takes the plain /dev/watchdog
 * and no number: it is there when that node is registered and no
 * watchdog0 exists (the kernel gives the first core watchdog that node
 * whenever it is free).  Returns how many, at most max.
 */
int wdt_scan(const char *sys, struct wdt *w, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0, has0 = 0, index;
	DIR *d;

	snprintf(path, sizeof(path), "%s/class/watchdog", sys);
	d = opendir(path);
	while (d != NULL && (de = readdir(d)) != NULL && n < max) {
		index = core_index(de->d_name);
		if (index < 0)
			continue;
		has0 |= index == 0;
		snprintf(w[n].dev, sizeof(w[n].dev), "/dev/watchdog%d", index);
		snprintf(path, sizeof(path), "%s/class/watchdog/%s", sys, de->d_name);
		w[n].kind = core_kind(sys, path, &w[n]);
		w[n].index = index;
		n++;
	}
	if (d != NULL)
		closedir(d);
	snprintf(path, sizeof(path), "%s/class/misc/watchdog", sys);
	if (!has0 && n < max && stat(path, &st) == 0) {
		snprintf(path, sizeof(path), "%s/module/ipmi_watchdog", sys);
		w[n].kind = stat(path, &st) == 0 ? WDT_BMC : WDT_HARDWARE;
		text_copy(w[n].driver, sizeof(w[n].driver), w[n].kind == WDT_BMC ? "ipmi_watchdog" : "");
		w[n].identity[0] = '\0';
		text_copy(w[n].dev, sizeof(w[n].dev), "/dev/watchdog");
		w[n].index = -1;
		n++;
	}
	qsort(w, (size_t)n, sizeof(w[0]), by_rank);
	return n;
}

const char *wdt_kind_name(enum wdt_kind kind)
{
	return kind == WDT_BMC ? "bmc" : kind == WDT_HARDWARE ? "hardware" : "software";
}

/* wdt_record_format: a's lines for WDT_RECORD; the identity made printable.
 * Returns the length, or -ENAMETOOLONG when buf is too small. */
int wdt_record_format(const struct wdt_armed *a, char *buf, size_t size)
{
	char id[sizeof(a->identity)];
	size_t i;
	int n;

	for (i = 0; a->identity[i] != '\0' && i + 1 < sizeof(id); i++) {
		id[i] = a->identity[i];
		if (id[i] < ' ' || id[i] > '~')
			id[i] = '?';
	}
	id[i] = '\0';
	n = snprintf(buf, size, "device = %s\nidentity = %s\ntimeout = %u\nchosen = %s\n",
		     a->dev, id[0] != '\0' ? id : "?", a->timeout_s, a->chosen);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

/* wdt_record_parse: WDT_RECORD's text; -EINVAL unless it has all four
 * lines, each once, with a device under /dev/. */
int wdt_record_parse(const char *text, size_t len, struct wdt_armed *a)
{
	struct kv k;
	unsigned long long t = 0;
	const char *why;
	unsigned seen = 0, bit;
	int rc;

	memset(a, 0, sizeof(*a));
	kv_init(&k, text, len);
	while ((rc = kv_next(&k, &why)) == KV_PAIR) {
		if (strcmp(k.key, "device") == 0) {
			bit = 1;
			rc = strncmp(k.value, "/dev/", 5) == 0 ?
				text_copy(a->dev, sizeof(a->dev), k.value) : -EINVAL;
		} else if (strcmp(k.key, "identity") == 0) {
			bit = 2;
			/* "?": the driver named nothing */
			rc = text_copy(a->identity, sizeof(a->identity),
				       strcmp(k.value, "?") == 0 ? "" : k.value);
		} else if (strcmp(k.key, "timeout") == 0) {
			bit = 4;
			rc = text_uint(k.value, 65535, &t);
			a->timeout_s = (unsigned)t;
		} else if (strcmp(k.key, "chosen") == 0) {
			bit = 8;
			rc = strcmp(k.value, "auto") == 0 || strcmp(k.value, "dev") == 0 ?
				text_copy(a->chosen, sizeof(a->chosen), k.value) : -EINVAL;
		} else {
			return -EINVAL;
		}
		if (rc < 0 || (seen & bit))
			return -EINVAL;
		seen |= bit;
	}
	return rc == KV_END && seen == 15 ? 0 : -EINVAL;
}
