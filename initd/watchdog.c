/* watchdog.c: arm the hardware watchdog, so a machine that hangs resets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/watchdog.h>

#include "log.h"
#include "text.h"
#include "watchdog.h"
#include "wdt.h"

/*
 * Why initd never writes the magic 'V': a watchdog that knows magic close
 * (WDIOF_MAGICCLOSE: i6300esb, iTCO_wdt, sp5100_tco) stops only when its
 * device is closed right after a 'V', and never with WATCHDOG_NOWAYOUT.
 * initd opens it once and holds it to the end, so whatever stops the pets
 * ends in a reset: PID 1 wedged in the kernel, its main loop stuck, or a
 * shutdown that hangs on a dead disk after the last pet.  Were initd to
 * write 'V' on its way down, a shutdown hung after that would hang for
 * good.  A clean poweroff or reboot ends well within the timeout; a
 * halted machine is reset by drivers that do not stop on reboot (i6300esb
 * does not), the safe side for a server nobody is watching.  IPMI's
 * driver is the exception, on its own: at power-off and halt it stops the
 * BMC's timer, and across a restart it sets it to at least 120 s.  The
 * descriptor is O_CLOEXEC: children must not hold the device.
 */

/* A longer gap between pets gains nothing and makes the arithmetic overflow. */
#define PET_INTERVAL_MAX_MS 60000

/*
 * watchdog_parse_arg: the value of cairn.watchdog=DEV[:SECONDS].  An empty
 * value is WATCHDOG_DEFAULT_DEV; DEV must be under /dev/, or be
 * WATCHDOG_AUTO; SECONDS is 1..WATCHDOG_TIMEOUT_MAX, and *timeout_s is 0
 * (keep the driver's timeout) when it is left out, WATCHDOG_AUTO_TIMEOUT
 * for auto.  Returns 0, -EINVAL, or -ENAMETOOLONG when DEV does not fit
 * in size bytes.
 */
int watchdog_parse_arg(const char *arg, char *dev, size_t size, unsigned *timeout_s)
{
	const char *colon, *p;
	unsigned long t = 0;
	size_t len;

	if (size > 0)
		dev[0] = '\0';
	if (*arg == '\0')
		arg = WATCHDOG_DEFAULT_DEV;
	colon = strrchr(arg, ':');
	len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
	if (colon != NULL) {
		if (colon[1] == '\0')
			return -EINVAL;
		for (p = colon + 1; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			t = t * 10 + (unsigned long)(*p - '0');
			if (t > WATCHDOG_TIMEOUT_MAX)
				return -EINVAL;
		}
		if (t == 0)
			return -EINVAL;
	}
	if (len == strlen(WATCHDOG_AUTO) && strncmp(arg, WATCHDOG_AUTO, len) == 0) {
		if (t == 0)
			t = WATCHDOG_AUTO_TIMEOUT;
	} else if (len <= 5 || strncmp(arg, "/dev/", 5) != 0) {
		return -EINVAL;
	}
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dev, arg, len);
	dev[len] = '\0';
	if (strstr(dev, "..") != NULL) {
		dev[0] = '\0';
		return -EINVAL;
	}
	*timeout_s = (unsigned)t;
	return 0;
}

/*
 * watchdog_open: open and arm the watchdog at a->dev.  a->timeout_s is the
 * timeout wanted (0: the driver's own) and, on return, the one the driver
 * runs (0 when it will not say); a->identity is the driver's.  Returns the
 * descriptor, or -errno when the device cannot be opened or is not a
 * watchdog.  Once it is known to be one the timer is running, so a
 * timeout the driver refuses is only logged: the descriptor is returned
 * all the same and must be petted from then on at
 * watchdog_interval_ms(a->timeout_s).
 */
int watchdog_open(struct wdt_armed *a)
{
	struct watchdog_info info;
	int fd, t, rc;

	fd = open(a->dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Opening anything but a watchdog started nothing: closing is safe. */
	memset(&info, 0, sizeof info);
	if (ioctl(fd, WDIOC_GETSUPPORT, &info) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* Asked even where WDIOF_SETTIMEOUT is not claimed: IPMI's driver
	 * claims nothing and sets its timeout all the same. */
	if (a->timeout_s > 0) {
		t = (int)a->timeout_s;
		if (ioctl(fd, WDIOC_SETTIMEOUT, &t) < 0)
			log_msg(LOG_WARNING, "%s: timeout %us: %m: the driver keeps its own",
				a->dev, a->timeout_s);
	}
	if (ioctl(fd, WDIOC_GETTIMEOUT, &t) < 0 || t <= 0)
		t = 0;
	a->timeout_s = (unsigned)t;
	memcpy(a->identity, info.identity, sizeof(info.identity));
	a->identity[sizeof(info.identity)] = '\0';
	watchdog_pet(fd);
	log_msg(LOG_INFO, "watchdog %s (%s): timeout %us, petted every %ums",
		a->dev, a->identity, a->timeout_s, watchdog_interval_ms(a->timeout_s));
	return fd;
}

/*
 * watchdog_open_auto: arm the best hardware watchdog under sys (the
 * sysfs mount), as wdt_scan ranks them: a BMC's, then the chipset's or a
 * card's, never a software one, which a hung kernel stops with it.  Its
 * node is opened under devdir ("/dev"; a test's tree).  One that will
 * not open gives way to the next.  a->timeout_s as for watchdog_open;
 * a->dev names the one armed.  Returns the descriptor, or -ENODEV when
 * the machine has none that opens.
 */
int watchdog_open_auto(const char *sys, const char *devdir, struct wdt_armed *a)
{
	struct wdt w[WDT_MAX];
	char found[512];
	unsigned want = a->timeout_s;
	size_t at = 0;
	int n, i, fd, len;

	n = wdt_scan(sys, w, WDT_MAX);
	found[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *name = w[i].driver[0] != '\0' ? w[i].driver :
				   w[i].identity[0] != '\0' ? w[i].identity : "?";
		len = snprintf(found + at, sizeof(found) - at, "%s%s (%s, %s)", i > 0 ? ", " : "",
				   w[i].dev, name, wdt_kind_name(w[i].kind));

		if (len < 0 || (size_t)len >= sizeof(found) - at)
			break;
		at += (size_t)len;
	}
	log_msg(LOG_INFO, "cairn.watchdog=auto: found %s", n > 0 ? found : "none");
	for (i = 0; i < n && w[i].kind != WDT_SOFTWARE; i++) {
		len = snprintf(a->dev, sizeof(a->dev), "%s%s", devdir, w[i].dev + strlen("/dev"));
		if (len < 0 || (size_t)len >= sizeof(a->dev))
			continue;
		a->timeout_s = want;
		fd = watchdog_open(a);
		if (fd >= 0)
			return fd;
		log_msg(LOG_WARNING, "watchdog %s: %s: trying the next", a->dev, strerror(-fd));
	}
	a->dev[0] = '\0';
	return -ENODEV;
}

/*
 * watchdog_pet: restart the watchdog's countdown.  A driver without
 * WDIOC_KEEPALIVE takes any write but 'V' as a pet; one that has it and
 * failed is not asked twice (IPMI's pet is a round trip to the BMC, which
 * PID 1 waits for: a second one would double the wait).
 */
void watchdog_pet(int fd)
{
	if (ioctl(fd, WDIOC_KEEPALIVE, 0) == 0)
		return;
	if (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP)
		return;		/* the reset will tell */
	if (write(fd, "", 1) < 0)
		return;		/* nothing else to try */
}

/*
 * watchdog_interval_ms: how often to pet a watchdog of timeout_s seconds.
 * A third of the timeout, so two pets can come late (a slow reap, a busy
 * machine) and the machine still lives.  No 1 s floor: with a 1 or 2 s
 * timeout that would leave no margin.  An unknown timeout (0) gets 1 s.
 */
unsigned watchdog_interval_ms(unsigned timeout_s)
{
	if (timeout_s == 0)
		return 1000;
	if (timeout_s >= PET_INTERVAL_MAX_MS / 1000 * 3)
		return PET_INTERVAL_MAX_MS;
	return timeout_s * 1000 / 3;
}
