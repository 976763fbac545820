/* boottime.h: time since the kernel started, and how initd prints it. */
#ifndef CAIRN_INITD_BOOTTIME_H
#define CAIRN_INITD_BOOTTIME_H

#include <stddef.h>

long long clock_ms(int clock);
int boottime_format(char *buf, size_t size, long long ms);

#endif
