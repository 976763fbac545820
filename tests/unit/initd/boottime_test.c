/* boottime_test.c: clock_ms and boottime_format. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "boottime.h"

static void format_millis(void)
{
	char buf[32];

	CHECK(boottime_format(buf, sizeof buf, 1234) == 0 && strcmp(buf, "1.234s") == 0);
	CHECK(boottime_format(buf, sizeof buf, 5) == 0 && strcmp(buf, "0.005s") == 0);
	CHECK(boottime_format(buf, sizeof buf, 60000) == 0 && strcmp(buf, "60.000s") == 0);
}

static void format_refuses_bad(void)
{
	char buf[7];

	CHECK(boottime_format(buf, sizeof buf, -1) == -EINVAL);
	CHECK(boottime_format(buf, sizeof buf, 12345) == -ENOSPC);
	CHECK(boottime_format(buf, sizeof buf, 1234) == 0);
}

static void clock_moves_forward(void)
{
	long long a = clock_ms(CLOCK_MONOTONIC), b;
	struct timespec ts = { 0, 30 * 1000000 };

	nanosleep(&ts, NULL);
	b = clock_ms(CLOCK_MONOTONIC);
	CHECK(a >= 0 && b - a >= 30 && b - a < 5000);
	CHECK(clock_ms(CLOCK_BOOTTIME) >= b - 1);
	CHECK(clock_ms(-100) == -1);
}

int main(void)
{
	RUN(format_millis);
	RUN(format_refuses_bad);
	RUN(clock_moves_forward);
	return CHECK_DONE();
}
