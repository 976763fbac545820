/*
 * clock.c: a node whose hardware clock is wrong (a flat battery reads
 * 2000-01-01) would refuse every certificate as not yet valid, or, worse,
 * accept one that had expired before the image was built.  Nothing this
 * image runs can be older than its own build, so a clock behind the build
 * date is set forward to it before any certificate is checked (systemd's
 * TIME_EPOCH does the same); NTP sets it right afterwards.
 *
 * Until NTP has, the clock is "unsure": a mark in /run says since when,
 * on the boot clock (CLOCK_BOOTTIME), which setting the time does not
 * move; health fails a node that stays unsure longer than [time]
 * max-unsure (health.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "conf/clock.h"
#include "fileio.h"
#include "text.h"

int clock_set_real(long long t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = 0 };

	return clock_settime(CLOCK_REALTIME, &ts) < 0 ? -errno : 0;
}

static void day(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "@%lld", t);
}

/*
 * clock_floor: when now is before floor, set the clock to floor through
 * set.  Returns 0 when the clock was fine, 1 when it was set, or -errno
 * when it could not be; msg says what happened in the last two cases.
 */
int clock_floor(long long now, long long floor, int (*set)(long long), char *msg, size_t size)
{
	char was[40], build[40];
	int rc;

	msg[0] = '\0';
	if (now >= floor)
		return 0;
	day(now, was, sizeof was);
	day(floor, build, sizeof build);
	rc = set(floor);
	if (rc < 0) {
		snprintf(msg, size, "the clock reads %s, before this image was built (%s), and cannot be set: %s",
			 was, build, strerror(-rc));
		return rc;
	}
	snprintf(msg, size, "the clock read %s, before this image was built: set to %s", was, build);
	return 1;
}

/* clock_unsure: the clock was found behind the build (MARK exists, setup
 * made it) and NTP has not set it since. */
int clock_unsure(const char *mark)
{
	return access(mark, F_OK) == 0 && !clock_synced();
}

/* clock_boottime: seconds since boot, suspended time included; setting
 * the real-time clock does not move it. */
long long clock_boottime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec;
}

/* clock_mark: MARK made, saying the clock became unsure at BOOT (boot
 * clock seconds).  0 or -errno. */
int clock_mark(const char *mark, long long boot)
{
	char text[32];
	int n = snprintf(text, sizeof text, "%lld\n", boot);

	return file_write_atomic(mark, text, (size_t)n, 0644);
}

/*
 * clock_mark_age: how long (seconds, at BOOT on the boot clock) since the
 * clock became unsure, by MARK.  0, or -ENOENT when there is no mark.  A
 * mark without a time this boot can have (empty, garbled, later than BOOT)
 * counts from boot: the longest the clock can have been unsure.
 */
int clock_mark_age(const char *mark, long long boot, long long *age)
{
	unsigned long long since;
	char text[32];
	size_t len;
	int rc;

	rc = file_read(mark, text, sizeof text, &len);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0 || text_uint(text_trim(text), (unsigned long long)boot, &since) < 0)
		since = 0;
	*age = boot - (long long)since;
	return 0;
}

/* clock_synced: 1 when the kernel says an NTP daemon keeps the clock right. */
int clock_synced(void)
{
	struct timex tx;

	memset(&tx, 0, sizeof tx);
	return adjtimex(&tx) != TIME_ERROR && !(tx.status & STA_UNSYNC);
}
