/*
 * osauto.c: cairn-agent os auto, unattended OS updates (node.conf [update]
 * repo and window, doc/update.md).
 *
 * Once in each day's window (UTC), at a moment drawn at random near its
 * start so that a rack does not reboot as one, pkg os-update from the
 * repository.  When an update is then pending (written now, or before and
 * not yet booted), the node reboots into it; its tries and health check
 * take it from there, as for any update.  Outside the window this sleeps,
 * a minute at a time, since the clock may be set meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "os/osboot.h"
#include "osstate.h"
#include "runcap.h"

#define DAY 86400L

/* Seconds from t until the window [start, end) (minutes of the UTC day)
 * opens: 0 inside it.  A window whose end is before its start crosses
 * midnight. */
long window_wait(long long t, int start, int end)
{
	long now = (long)(t % DAY), s = start * 60L, e = end * 60L;
	int inside = s < e ? now >= s && now < e : now >= s || now < e;

	return inside ? 0 : (s - now + DAY) % DAY;
}

/* Seconds left in the window at t, inside it. */
long window_left(long long t, int end)
{
	return (end * 60L - (long)(t % DAY) + DAY) % DAY;
}

/* Which day's window t is in (or next comes to): the day its start is on. */
static long long window_day(long long t, int start)
{
	return (t - start * 60LL) / DAY;
}

int os_auto(const struct osboot_opts *o, const char *repo, int start, int end, unsigned spread, FILE *out)
{
	char prog[256], from[4096], *reboot[] = { prog, (char *)"reboot", NULL };
	char *update[] = { (char *)"pkg", (char *)"--repo", from, (char *)"os-update", NULL };
	long long tried = -1;

	snprintf(prog, sizeof prog, "%s", o->initctl);
	snprintf(from, sizeof from, "%s", repo);
	fprintf(out, "os: unattended updates from %s, %02d:%02d-%02d:%02d UTC\n", repo, start / 60, start % 60,
		end / 60, end % 60);
	fflush(out);
	for (;;) {
		long long t = (long long)time(NULL);
		long wait = window_wait(t, start, end), delay = 0;
		struct os_pending p;
		unsigned char r[4];
		int rc, statefd;

		if (wait > 0 || window_day(t, start) == tried) {
			sleep(wait > 0 && wait < 60 ? (unsigned)wait : 60);
			continue;
		}
		tried = window_day(t, start);
		/* At most a quarter of what is left, so that the reboot comes
		 * well inside the window. */
		if (spread > 0 && RAND_bytes(r, sizeof r) == 1) {
			long most = window_left(t, end) / 4;

			if (most > (long)spread)
				most = (long)spread;
			delay = most > 0 ? (long)(((unsigned long)r[0] << 24 | (unsigned long)r[1] << 16 |
						  (unsigned long)r[2] << 8 | r[3]) % (unsigned long)most) : 0;
		}
		fprintf(out, "os: the window is open: looking for an update in %ld s\n", delay);
		fflush(out);
		if (delay > 0)
			sleep((unsigned)delay);
		rc = run_tool(update, NULL, OS_MIGRATE_TIMEOUT_S);
		statefd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (statefd >= 0 && osstate_get(statefd, "pending", &p) == 0) {
			osstate_log(statefd, "unattended: %s pending in slot %c: rebooting into it", p.version, p.slot);
			close(statefd);
			fprintf(out, "os: %s pending in slot %c: rebooting into it\n", p.version, p.slot);
			fflush(out);
			if (run_tool(reboot, NULL, 30) < 0) {
				fprintf(out, "os: initctl reboot failed\n");
				return -1;
			}
			return 0;
		}
		if (statefd >= 0)
			close(statefd);
		fprintf(out, "os: %s; the next window opens in %lld s\n",
			rc == 0 ? "nothing new" : "the update failed (above)",
			(tried + 1) * DAY + start * 60LL - (long long)time(NULL));
		fflush(out);
	}
}
