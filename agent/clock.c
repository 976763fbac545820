/*
 * clock.c: a node whose hardware clock is wrong (a flat battery reads
 * 2000-01-01) would refuse every certificate as not yet valid, or, worse,
 * accept one that had expired before the image was built.  Nothing this
 * image runs can be older than its own build, so a clock behind the build
 * date is set forward to it before any certificate is checked (systemd's
 * TIME_EPOCH does the same); NTP sets it right afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

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

/* clock_synced: 1 when the kernel says an NTP daemon keeps the clock right. */
int clock_synced(void)
{
	struct timex tx;

	memset(&tx, 0, sizeof tx);
	return adjtimex(&tx) != TIME_ERROR && !(tx.status & STA_UNSYNC);
}
