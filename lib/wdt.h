/* wdt.h: the machine's watchdogs as sysfs shows them, best first: what
 * initd's cairn.watchdog=auto arms and what the agent's inventory lists.
 * initd records the one it armed in WDT_RECORD, the only place that says
 * which one runs (a BMC's IPMI watchdog has no state in sysfs). */
#ifndef CAIRN_WDT_H
#define CAIRN_WDT_H

#include <stddef.h>

#define WDT_MAX 16
#define WDT_RECORD "/run/initd.watchdog"

/* Ranked: the BMC's keeps counting when the host's chipset is wedged. */
enum wdt_kind { WDT_BMC, WDT_HARDWARE, WDT_SOFTWARE };

struct wdt {
	char dev[24];			/* /dev/watchdogN (N < 1000), or /dev/watchdog */
	char driver[48];		/* its module (or driver) name; "" unknown */
	char identity[33];		/* sysfs's (WATCHDOG_SYSFS); "" unknown */
	enum wdt_kind kind;
	int index;			/* N; -1 for the legacy /dev/watchdog */
};

/* What WDT_RECORD holds: `device`, `identity`, `timeout`, `chosen` lines. */
struct wdt_armed {
	char dev[96];			/* cairn.watchdog's DEV, or the one auto took */
	char identity[33];		/* WDIOC_GETSUPPORT's, 32 bytes at most */
	unsigned timeout_s;		/* 0: the driver would not say */
	char chosen[8];			/* "auto" or "dev" */
};

int wdt_scan(const char *sys, struct wdt *w, int max);
const char *wdt_kind_name(enum wdt_kind kind);
int wdt_record_format(const struct wdt_armed *a, char *buf, size_t size);
int wdt_record_parse(const char *text, size_t len, struct wdt_armed *a);

#endif
