/* shutdown.c: stop everything, sync, unmount in reverse, power off or reboot. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boottime.h"
#include "mountlist.h"
#include "shutdown.h"
#include "log.h"

static void (*pet)(void);

/* shutdown_set_pet: called while shutdown waits, so an armed watchdog
 * resets only a shutdown that hangs, not one that takes its time. */
void shutdown_set_pet(void (*fn)(void))
{
	pet = fn;
}

/* Reap children until none is left or deadline_ms passes; 1 when none is left. */
static int reap_until(long long deadline_ms)
{
	const struct timespec tick = { 0, 20L * 1000000 };

	for (;;) {
		if (pet != NULL)
			pet();
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid < 0 && errno == ECHILD)
			return 1;
		if (pid > 0)
			continue;
		if (clock_ms(CLOCK_MONOTONIC) >= deadline_ms)
			return 0;
		nanosleep(&tick, NULL);
	}
}

/* One pass, newest mount first; returns how many were unmounted. */
static int unmount_pass(const char *mounts_path, const char *keep, int last, int *left)
{
	static char buf[65536];
	char *targets[MOUNTLIST_MAX];
	ssize_t len = 0, r;
	int fd, n, done = 0;

	*left = 0;
	fd = open(mounts_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_msg(LOG_WARNING, "open %s: %m", mounts_path);
		return 0;
	}
	while ((size_t)len < sizeof buf - 1 &&
	       (r = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	n = mountlist_parse(buf, targets, MOUNTLIST_MAX);
	while (n-- > 0) {
		/* / stays; keep (/proc) is needed to read this list: it goes last. */
		if (strcmp(targets[n], "/") == 0 || (keep != NULL && strcmp(targets[n], keep) == 0))
			continue;
		if (umount2(targets[n], 0) == 0) {
			done++;
			continue;
		}
		/* EINVAL, ENOENT: not mounted (any more); nothing to do. */
		if (!last || errno == EINVAL || errno == ENOENT)
			continue;
		/* Busy on the last pass: no writes may be in flight at reboot. */
		if (mount(NULL, targets[n], NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0) {
			log_msg(LOG_WARNING, "%s stays mounted and writable: %m", targets[n]);
			(*left)++;
		}
	}
	return done;
}

/*
 * shutdown_unmount: unmount everything mounts_path lists, newest first, so
 * a mount is gone before the one beneath it; again while a pass makes
 * progress (a table longer than one pass holds, or a mount freed by the one
 * above it).  What stays busy is remounted read-only.  keep, the mount
 * that holds mounts_path, is unmounted after the passes.  Returns the number
 * of mounts left writable.
 */
int shutdown_unmount(const char *mounts_path, const char *keep)
{
	int pass, left = 0;

	for (pass = 0; pass < 8; pass++) {
		if (pet != NULL)
			pet();
		if (unmount_pass(mounts_path, keep, 0, &left) == 0)
			break;
	}
	unmount_pass(mounts_path, keep, 1, &left);
	if (keep != NULL && umount2(keep, 0) < 0 && errno != EINVAL && errno != ENOENT)
		log_msg(LOG_WARNING, "%s stays mounted: %m", keep);
	return left;
}

/*
 * crash: the one path for a PID 1 that cannot go on (a fault in itself):
 * say so, sync what can be synced, and reboot.  Async-signal-safe only.
 */
void crash(int sig)
{
	static const char msg[] = "<2>cairn: initd crashed: syncing and rebooting\n";
	int fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	(void)sig;
	if (fd >= 0) {
		if (write(fd, msg, sizeof msg - 1) < 0)
			(void)0;
		close(fd);
	}
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

/*
 * shutdown_run: the one way down.  TERM every process, give them
 * SHUTDOWN_GRACE_MS, KILL what is left, sync, unmount, and hand `how`
 * (RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM) to the kernel.  Never returns.
 */
void shutdown_run(int how)
{
	const struct timespec second = { 1, 0 };
	long long now = clock_ms(CLOCK_MONOTONIC);
	int left;

	log_msg(LOG_NOTICE, "%s: stopping all processes",
		how == RB_POWER_OFF ? "power off" : how == RB_AUTOBOOT ? "reboot" : "halt");
	kill(-1, SIGTERM);
	/* An interactive shell ignores TERM but leaves on HUP. */
	kill(-1, SIGHUP);
	kill(-1, SIGCONT);
	if (!reap_until(now + SHUTDOWN_GRACE_MS)) {
		log_msg(LOG_WARNING, "processes left after %d ms: killing them", SHUTDOWN_GRACE_MS);
		kill(-1, SIGKILL);
		reap_until(clock_ms(CLOCK_MONOTONIC) + 2000);
	}
	sync();
	left = shutdown_unmount("/proc/self/mounts", "/proc");
	sync();
	if (left == 0)
		log_msg(LOG_NOTICE, "file systems synced and unmounted");
	else
		log_msg(LOG_ERR, "file systems synced; %d left writable", left);
	reboot(how);
	/* Only a kernel that refuses reboot() gets here: stay alive, quietly. */
	log_msg(LOG_ERR, "reboot: %m");
	for (;;)
		nanosleep(&second, NULL);
}
