/* watchdog.h: the hardware watchdog initd keeps petting. */
#ifndef CAIRN_INITD_WATCHDOG_H
#define CAIRN_INITD_WATCHDOG_H

#include <stddef.h>

/* cairn.watchdog with no value. */
#define WATCHDOG_DEFAULT_DEV "/dev/watchdog0"
/* cairn.watchdog=auto: the best hardware watchdog the machine has. */
#define WATCHDOG_AUTO "auto"
/* auto's timeout when none is given: drivers' own run from 10 s (IPMI)
 * to 60 s (SP5100), and a hung trial should reset in the same time on
 * every server. */
#define WATCHDOG_AUTO_TIMEOUT 60
/* The longest timeout cairn.watchdog takes: past that a hang goes unseen. */
#define WATCHDOG_TIMEOUT_MAX 3600

struct wdt_armed;

int watchdog_parse_arg(const char *arg, char *dev, size_t size, unsigned *timeout_s);
int watchdog_open(struct wdt_armed *a);
int watchdog_open_auto(const char *sys, const char *devdir, struct wdt_armed *a);
void watchdog_pet(int fd);
unsigned watchdog_interval_ms(unsigned timeout_s);

#endif
