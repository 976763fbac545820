/* main.c: Cairn's PID 1, first cut: bring the machine up, keep a few
 * processes running, and take it down cleanly on request. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "boottime.h"
#include "mount.h"
#include "net.h"
#include "proc.h"
#include "shutdown.h"
#include "sysctl.h"
#include "log.h"

static const char usage[] =
	"usage: initd\n"
	"\n"
	"Cairn's init.  The kernel runs it as PID 1; it mounts the kernel file\n"
	"systems, starts mdev, loopback and (cairn.dhcp) DHCP, prints\n"
	"\"cairn: boot ok\", and keeps those processes running until poweroff,\n"
	"reboot or halt (SIGUSR2, SIGTERM, SIGUSR1) takes the machine down.\n"
	"\n"
	"Kernel command line keys (see doc/cmdline.md):\n"
	"  cairn.hostname=NAME   host name (default: /etc/hostname)\n"
	"  cairn.dhcp[=IFACE]    run udhcpc on IFACE (default: the first NIC)\n"
	"  cairn.shell           a root shell on /dev/console\n"
	"  cairn.test=poweroff   power off right after boot ok (tests)\n";

static char cmdline[CMDLINE_MAX];
static struct proc procs[PROC_MAX];
static int nprocs;

/* The kernel shows kmsg lines below console_loglevel on the console itself. */
static int console_loglevel(void)
{
	char buf[32];
	int fd, level = 7;
	ssize_t n;

	fd = open("/proc/sys/kernel/printk", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return level;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		level = (int)strtol(buf, NULL, 10);
	}
	return level;
}

/* A fault in PID 1 goes down the one crash path, not into a kernel panic. */
static void crash_handlers(void)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash;
	sa.sa_flags = SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigaction(faults[i], &sa, NULL);
}

static void set_hostname(void)
{
	char name[65] = "cairn";
	ssize_t n;
	int fd;

	if (cmdline_get(cmdline, "cairn.hostname", name, sizeof name) < 0 || name[0] == '\0') {
		fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, name, sizeof name - 1);
			close(fd);
			name[n > 0 ? n : 0] = '\0';
			name[strcspn(name, "\n")] = '\0';
		}
	}
	if (name[0] == '\0')
		strcpy(name, "cairn");
	if (sethostname(name, strlen(name)) < 0)
		log_msg(LOG_WARNING, "sethostname %s: %m", name);
}

/* Run p to its end (only before any supervised process exists).
 * Returns its exit status, or -1 when it could not run or was killed. */
static int run_wait(struct proc *p)
{
	int status = 0, rc;

	rc = proc_start(p, clock_ms(CLOCK_MONOTONIC));
	if (rc < 0) {
		log_msg(LOG_ERR, "start %s: %s", p->name, strerror(-rc));
		return -1;
	}
	while (waitpid(p->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			log_msg(LOG_ERR, "wait %s: %m", p->name);
			p->pid = 0;
			return -1;
		}
	}
	p->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * proc_new: a supervised process from its arguments (NULL-terminated).
 * The table and argument space are fixed, so a caller asking too much gets
 * NULL and a log line, never a half-filled entry.
 */
static struct proc *proc_new(const char *name, int on_console, const char *const *args)
{
	struct proc *p;

	if (nprocs == PROC_MAX) {
		log_msg(LOG_ERR, "%s: no room for another process (%d)", name, PROC_MAX);
		return NULL;
	}
	p = &procs[nprocs];
	proc_init(p, name, on_console);
	for (; *args != NULL; args++) {
		if (proc_arg(p, *args) < 0) {
			log_msg(LOG_ERR, "%s: too many or too long arguments", name);
			return NULL;
		}
	}
	nprocs++;
	return p;
}

static void setup_devices(void)
{
	static const char *const scan_args[] = { "/sbin/mdev", "-s", NULL };
	static const char *const daemon_args[] = { "/sbin/mdev", "-df", NULL };
	struct proc *scan = proc_new("mdev-scan", 0, scan_args);

	/* The scan runs once, then its slot is given back. */
	if (scan != NULL) {
		if (run_wait(scan) != 0)
			log_msg(LOG_WARNING, "mdev -s failed: some device nodes may be missing");
		nprocs--;
	}
	/* Hotplug comes over netlink: the kernel runs no helper (hardening). */
	proc_new("mdev", 0, daemon_args);
}

static void setup_network(void)
{
	static char ifname[32];
	int rc;

	rc = net_link_up("lo");
	if (rc < 0)
		log_msg(LOG_WARNING, "loopback: %s", strerror(-rc));
	if (!cmdline_has(cmdline, "cairn.dhcp"))
		return;
	if (cmdline_get(cmdline, "cairn.dhcp", ifname, sizeof ifname) < 0 || ifname[0] == '\0') {
		rc = net_first_nic("/sys/class/net", ifname, sizeof ifname);
		if (rc < 0) {
			log_msg(LOG_WARNING, "cairn.dhcp: no network interface found");
			return;
		}
	}
	const char *const args[] = { "/sbin/udhcpc", "-f", "-i", ifname, NULL };

	proc_new("udhcpc", 0, args);
}

static void reap(long long now)
{
	struct proc *p;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		p = proc_find(procs, nprocs, pid);
		if (p == NULL)
			continue;
		if (WIFSIGNALED(status))
			log_msg(LOG_WARNING, "%s (pid %d) killed by signal %d", p->name, pid, WTERMSIG(status));
		else if (WEXITSTATUS(status) != 0)
			log_msg(LOG_WARNING, "%s (pid %d) exited %d", p->name, pid, WEXITSTATUS(status));
		proc_exited(p, now);
	}
}

static void start_due(long long now)
{
	int i, rc;

	for (i = 0; i < nprocs; i++) {
		if (procs[i].pid != 0 || procs[i].due_ms > now)
			continue;
		rc = proc_start(&procs[i], now);
		if (rc < 0) {
			log_msg(LOG_ERR, "start %s: %s", procs[i].name, strerror(-rc));
			proc_exited(&procs[i], now);
		}
	}
}

static void supervise(const sigset_t *set)
{
	siginfo_t info;
	struct timespec ts;
	long long now, due;
	int sig;

	for (;;) {
		now = clock_ms(CLOCK_MONOTONIC);
		start_due(now);
		due = proc_next_due(procs, nprocs);
		if (due < 0) {
			sig = sigwaitinfo(set, &info);
		} else {
			due = due > now ? due - now : 0;
			ts.tv_sec = due / 1000;
			ts.tv_nsec = (long)(due % 1000) * 1000000;
			sig = sigtimedwait(set, &info, &ts);
		}
		switch (sig) {
		case SIGCHLD:
			reap(clock_ms(CLOCK_MONOTONIC));
			break;
		case SIGUSR2:
		case SIGPWR:
			shutdown_run(RB_POWER_OFF);
		case SIGTERM:
		case SIGINT:
			shutdown_run(RB_AUTOBOOT);
		case SIGUSR1:
			shutdown_run(RB_HALT_SYSTEM);
		default:
			break;
		}
	}
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGPWR, SIGHUP };
	char elapsed[32];
	sigset_t set;
	size_t i;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		puts("initd (Cairn) " CAIRN_VERSION);
		return 0;
	}
	if (getpid() != 1) {
		fprintf(stderr, "initd: must run as PID 1 (it is the kernel's init)\n%s", usage);
		return 100;
	}

	/* From now on, we must not die. */
	umask(022);
	sigemptyset(&set);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	reboot(RB_DISABLE_CAD);
	crash_handlers();

	/* Until /dev is mounted, the console the kernel gave us is all there is. */
	log_open("cairn", -1, 2, 0);
	rc = mount_early("");
	/* kmsg drops lines past 10 per 5 s from one writer unless told not to. */
	if (sysctl_set("/proc/sys", "kernel.printk_devkmsg", "on\n") < 0)
		log_msg(LOG_WARNING, "kernel.printk_devkmsg: %m: kmsg may drop lines");
	/* Non-blocking: a console held by XOFF or a stalled BMC must never
	 * stop PID 1; a line that cannot be written is dropped. */
	log_open("cairn", open("/dev/kmsg", O_WRONLY | O_CLOEXEC),
		 open("/dev/console", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC),
		 console_loglevel());
	if (rc < 0)
		log_msg(LOG_ERR, "early mounts incomplete: %s", strerror(-rc));
	rc = cmdline_read("/proc/cmdline", cmdline, sizeof cmdline);
	if (rc < 0)
		log_msg(LOG_ERR, "/proc/cmdline: %s: using no cairn.* keys", strerror(-rc));

	rc = sysctl_apply_dir("/etc/sysctl.d", "/proc/sys");
	if (rc != 0 && rc != -ENOENT)
		log_msg(LOG_WARNING, "/etc/sysctl.d: %d setting(s) not applied", rc < 0 ? 1 : rc);
	set_hostname();
	setup_devices();
	setup_network();
	start_due(clock_ms(CLOCK_MONOTONIC));

	if (boottime_format(elapsed, sizeof elapsed, clock_ms(CLOCK_BOOTTIME)) < 0)
		strcpy(elapsed, "?");
	log_msg(LOG_NOTICE, "boot ok %s after kernel start", elapsed);

	if (cmdline_has(cmdline, "cairn.test")) {
		char test[32] = "";

		if (cmdline_get(cmdline, "cairn.test", test, sizeof test) == 0 &&
		    strcmp(test, "poweroff") == 0)
			shutdown_run(RB_POWER_OFF);
		log_msg(LOG_WARNING, "cairn.test=%s: unknown test action, ignored", test);
	}
	if (cmdline_has(cmdline, "cairn.shell")) {
		static const char *const args[] = { "/bin/sh", "-l", NULL };

		proc_new("shell", 1, args);
	}
	supervise(&set);
	return 0;
}
