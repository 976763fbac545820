/* clock_test: a clock behind the image's build date is set to it; one at
 * or after it is left alone; a clock that cannot be set is said; the mark
 * says since when the clock is unsure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf/clock.h"

static long long set_to;
static int set_fails;

static int fake_set(long long t)
{
	if (set_fails)
		return -EPERM;
	set_to = t;
	return 0;
}

static void test_floor(void)
{
	char msg[256];

	set_to = -1;
	set_fails = 0;
	/* 2024-06-01 built; the battery says 2000-01-01. */
	CHECK(clock_floor(946684800, 1717200000, fake_set, msg, sizeof msg) == 1);
	CHECK(set_to == 1717200000);
	CHECK(strcmp(msg, "the clock read 2000-01-01 00:00:00 UTC, before this image was built: "
			  "set to 2024-06-01 00:00:00 UTC") == 0);
	set_to = -1;
	CHECK(clock_floor(1717200000, 1717200000, fake_set, msg, sizeof msg) == 0 && set_to == -1);
	CHECK(clock_floor(1800000000, 1717200000, fake_set, msg, sizeof msg) == 0 && set_to == -1);
	CHECK(msg[0] == '\0');
	set_fails = 1;
	CHECK(clock_floor(0, 1717200000, fake_set, msg, sizeof msg) == -EPERM);
	CHECK(strstr(msg, "cannot be set: Operation not permitted") != NULL);
}

/* The mark holds the boot clock's time it was made at; its age is taken
 * on that clock, which setting the real-time clock does not move. */
static void test_mark(void)
{
	char dir[] = "/tmp/clock_test.XXXXXX", mark[64];
	long long age = -1;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(mark, sizeof mark, "%s/clock-unsure", dir);
	CHECK(clock_mark_age(mark, 500, &age) == -ENOENT && age == -1);
	CHECK(clock_mark(mark, 120) == 0);
	CHECK(clock_mark_age(mark, 500, &age) == 0 && age == 380);
	/* A time later than BOOT, or none: counted from boot. */
	f = fopen(mark, "w");
	CHECK(f != NULL && fputs("12", f) >= 0 && fclose(f) == 0);
	CHECK(clock_mark_age(mark, 10, &age) == 0 && age == 10);
	f = fopen(mark, "w");
	CHECK(f != NULL && fclose(f) == 0);
	CHECK(clock_mark_age(mark, 500, &age) == 0 && age == 500);
	CHECK(clock_boottime() > 0);
	unlink(mark);
	rmdir(dir);
}

int main(void)
{
	RUN(test_floor);
	RUN(test_mark);
	return CHECK_DONE();
}
