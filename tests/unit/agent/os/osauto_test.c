/* osauto_test.c: the unattended update window (node.conf [update]
 * window, UTC minutes of the day): how long until it opens, how much of it
 * is left, across midnight too. */
#include "check.h"
#include "os/osboot.h"

#define D 86400LL	/* a day: any multiple of it is the same time of day */

static void test_plain(void)
{
	/* 02:00-04:00 */
	CHECK(window_wait(100 * D + 1 * 3600, 120, 240) == 3600);
	CHECK(window_wait(100 * D + 2 * 3600, 120, 240) == 0);
	CHECK(window_wait(100 * D + 4 * 3600 - 1, 120, 240) == 0);
	CHECK(window_wait(100 * D + 4 * 3600, 120, 240) == D - 2 * 3600);
	CHECK(window_left(100 * D + 3 * 3600, 240) == 3600);
	CHECK(window_left(100 * D + 4 * 3600 - 1, 240) == 1);
}

static void test_midnight(void)
{
	/* 22:30-01:00 */
	CHECK(window_wait(7 * D + 22 * 3600, 22 * 60 + 30, 60) == 1800);
	CHECK(window_wait(7 * D + 23 * 3600, 22 * 60 + 30, 60) == 0);
	CHECK(window_wait(7 * D + 0, 22 * 60 + 30, 60) == 0);
	CHECK(window_wait(7 * D + 3599, 22 * 60 + 30, 60) == 0);
	CHECK(window_wait(7 * D + 3600, 22 * 60 + 30, 60) == 21 * 3600 + 1800);
	CHECK(window_left(7 * D + 23 * 3600, 60) == 2 * 3600);
	CHECK(window_left(7 * D + 1800, 60) == 1800);
	/* 23:59-00:00: one minute */
	CHECK(window_wait(D - 60, 1439, 0) == 0 && window_left(D - 60, 0) == 60);
	CHECK(window_wait(D, 1439, 0) == D - 60);
}

int main(void)
{
	RUN(test_plain);
	RUN(test_midnight);
	return CHECK_DONE();
}
