/* boottime.c: time since the kernel started, and how it is printed. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "boottime.h"

/* clock_ms: a clock in milliseconds (CLOCK_BOOTTIME counts from kernel start). */
long long clock_ms(int clock)
{
	struct timespec ts;

	if (clock_gettime((clockid_t)clock, &ts) < 0)
		return -1;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* boottime_format: "1.234s" into buf; -ENOSPC when it does not fit. */
int boottime_format(char *buf, size_t size, long long ms)
{
	int n;

	if (ms < 0)
		return -EINVAL;
	n = snprintf(buf, size, "%lld.%03llds", ms / 1000, ms % 1000);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return 0;
}
