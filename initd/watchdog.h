/* watchdog.h: the hardware watchdog initd keeps petting. */
#ifndef CAIRN_INITD_WATCHDOG_H
#define CAIRN_INITD_WATCHDOG_H

#include <stddef.h>

/* cairn.watchdog with no value. */
#define WATCHDOG_DEFAULT_DEV "/dev/watchdog0"
/* The longest timeout cairn.watchdog takes: past that a hang goes unseen. */
#define WATCHDOG_TIMEOUT_MAX 3600

int watchdog_parse_arg(const char *arg, char *dev, size_t size, unsigned *timeout_s);
int watchdog_open(const char *dev, unsigned *timeout_s);
void watchdog_pet(int fd);
unsigned watchdog_interval_ms(unsigned timeout_s);

#endif
