/* main.c: Cairn's PID 1: bring the machine up, step by step; then supervise.c's
 * loop runs its services, answers initctl, reaps every child, takes it down. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boottime.h"
#include "cgroup.h"
#include "cmdline.h"
#include "control.h"
#include "ctl.h"
#include "fileio.h"
#include "loglink.h"
#include "modules.h"
#include "services.h"
#include "spawn.h"
#include "mount.h"
#include "net.h"
#include "pages.h"
#include "ramroot.h"
#include "shutdown.h"
#include "supervise.h"
#include "sysctl.h"
#include "text.h"
#include "var.h"
#include "watchdog.h"
#include "wdt.h"
#include "log.h"

#define HIGH_FD 10	/* PID 1's long-lived fds sit above what ready = fd:N takes */

static const char usage[] =
	"usage: initd\n"
	"\n"
	"Cairn's init.  The kernel runs it as PID 1; it mounts the kernel file\n"
	"systems, fills /dev, starts the services of /etc/initd (initd-service(5))\n"
	"and keeps them running until initctl poweroff/reboot/halt, or BusyBox's\n"
	"poweroff, reboot, halt (SIGUSR2, SIGTERM, SIGUSR1), takes the machine down.\n"
	"\n"
	"Kernel command line keys (see doc/cmdline.md):\n"
	"  cairn.hostname=NAME   host name (default: /etc/hostname)\n"
	"  cairn.dhcp[=IFACE]    run udhcpc on IFACE (default: the first NIC)\n"
	"  cairn.shell           a root shell on /dev/console\n"
	"  cairn.test=poweroff   power off right after boot ok (tests)\n";

static char cmdline[CMDLINE_MAX];

/* Move a long-lived fd of PID 1 above the numbers a service's ready fd
 * may take (3-9), so no child ever writes into one by mistake. */
static int high(int fd)
{
	int h;

	if (fd < 0 || fd >= HIGH_FD)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (h < 0)
		return fd;
	close(fd);
	return h;
}

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

#define STAGE1_LIMIT_MS 120000	/* one stage-1 command (modprobe, mdev -s) */

static struct sup sup;
static long long initd_ms;		/* CLOCK_BOOTTIME when PID 1 began */

static long long now_mono(void) { return clock_ms(CLOCK_MONOTONIC); }
static long long now_boot(void) { return clock_ms(CLOCK_BOOTTIME); }

static void note(const struct unit *u, int level, const char *msg)
{
	if (u != NULL)
		log_msg(level, "%s: %s", u->svc.name, msg);
	else
		log_msg(level, "%s", msg);
}

/* logd gets its link to initd as fd 0; every pipe follows it there. */
static int spawn(struct unit *u)
{
	int sp[2], rc;

	if (!u->internal)
		return spawn_service(u);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	u->stdin_fd = sp[1];
	rc = spawn_service(u);
	close(sp[1]);
	u->stdin_fd = -1;
	if (rc < 0)
		close(sp[0]);
	else
		loglink_attach(&sup, sp[0]);
	return rc;
}

static void exited(struct unit *u)
{
	if (u->internal)
		loglink_detach();
	if (u->on_console)
		log_msg(LOG_NOTICE, "emergency shell on the console ended");
	spawn_exited(u);
}

static const struct sup_ops ops = {
	now_mono, now_boot, spawn, spawn_check, spawn_signal, spawn_kill_check, exited,
	spawn_probe, spawn_condition, note
};

/* A unit initd defines itself, from the same key = value text a file holds. */
static struct unit *builtin(const char *name, const char *text)
{
	struct unit *u = sup_free_slot(&sup);
	char err[256];

	if (u == NULL || svc_parse(&u->svc, name, text, strlen(text), err, sizeof err) < 0) {
		log_msg(LOG_ERR, "%s: %s", name, u != NULL ? err : "no room in the service table");
		return NULL;
	}
	u->used = 1;
	u->want_up = 1;
	return u;
}

/*
 * Every console= the cmdline names gets initd's lines, so a BMC's
 * serial-over-LAN sees them as well as the screen.  /dev/console is the
 * last one named, already open.
 */
static void setup_consoles(void)
{
	char name[64], path[80];
	int i, fd;

	for (i = 0; cmdline_nth(cmdline, "console", i + 1, name, sizeof name) == 0; i++) {
		if (cmdline_nth(cmdline, "console", i, name, sizeof name) < 0)
			break;
		name[strcspn(name, ",")] = '\0';
		if (name[0] == '\0' || strchr(name, '/') != NULL || strchr(name, '.') != NULL)
			continue;
		snprintf(path, sizeof path, "/dev/%s", name);
		fd = high(open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
		if (fd >= 0 && log_console_add(fd) < 0)
			close(fd);
	}
}

/*
 * `modprobe -qab` for what the devices present ask for by modalias, in
 * rounds: a driver the first round loads can make devices of its own
 * (lpc_ich and i2c_i801 make Intel's iTCO_wdt, a bridge's driver its
 * children) whose uevents no one hears, as mdev does not listen yet.  A
 * round that loads nothing ends it; on a board whose drivers are built in
 * that is the first.  Devices made after stage 1 are mdev's (its MODALIAS
 * rule).
 */
#define COLDPLUG_ROUNDS 3
static void coldplug(void)
{
	static char aliases[MODULES_ALIAS_BUF] PAGES_ALIGN;
	static char *argv[MODULES_ALIAS_MAX + 4];
	int n, round, before, after;

	before = modules_count("/proc/modules");
	for (round = 0; round < COLDPLUG_ROUNDS; round++) {
		n = modules_coldplug("/sys", aliases, sizeof aliases, argv + 3, MODULES_ALIAS_MAX);
		if (n <= 0)
			break;
		argv[0] = "/sbin/modprobe";
		argv[1] = "-qab";
		argv[2] = "--";
		argv[3 + n] = NULL;
		/* Exit 1 is normal: most aliases have no module. */
		spawn_wait(argv, STAGE1_LIMIT_MS);
		after = modules_count("/proc/modules");
		if (before < 0 || after <= before)
			break;
		before = after;
	}
	/* Used once, at boot. */
	(void)pages_release(aliases, sizeof aliases);
}

/*
 * The kernel runs no modprobe itself (hardening): the board's list, then
 * the coldplug.  devtmpfs makes the nodes; mdev -s then fixes their
 * owners and modes.
 */
static void load_modules(void)
{
	static char list[MODULES_LIST_BUF];
	static char *argv[MODULES_LIST_MAX + 4];
	int n, rc;

	n = modules_list_read(MODULES_LIST_PATH, list, sizeof list, argv + 2, MODULES_LIST_MAX);
	if (n > 0) {
		argv[0] = "/sbin/modprobe";
		argv[1] = "-ab";
		argv[2 + n] = NULL;
		rc = spawn_wait(argv, STAGE1_LIMIT_MS);
		if (rc != 0)
			log_msg(LOG_WARNING, "%s: modprobe exited %d: some listed modules are missing",
				MODULES_LIST_PATH, rc);
	} else if (n < 0 && n != -ENOENT) {
		log_msg(LOG_ERR, "%s: %s: no listed module loaded", MODULES_LIST_PATH, strerror(-n));
	}
	coldplug();
}

/*
 * cairn.watchdog: DEV, or auto for the best the machine has (its drivers
 * are loaded by now: the board's list, then the coldplug's rounds).  The
 * one armed is recorded in WDT_RECORD for the agent's inventory.
 */
static void setup_watchdog(void)
{
	struct wdt_armed a;
	char arg[128] = "", rec[256];
	int fd, len;

	if (!cmdline_has(cmdline, "cairn.watchdog"))
		return;
	memset(&a, 0, sizeof a);
	if (cmdline_get(cmdline, "cairn.watchdog", arg, sizeof arg) < 0 ||
	    watchdog_parse_arg(arg, a.dev, sizeof a.dev, &a.timeout_s) < 0) {
		log_msg(LOG_ERR, "cairn.watchdog=%s: not DEV[:SECONDS] or auto[:SECONDS]: "
			"no watchdog armed", arg);
		return;
	}
	if (strcmp(a.dev, WATCHDOG_AUTO) == 0) {
		text_copy(a.chosen, sizeof a.chosen, "auto");
		fd = watchdog_open_auto("/sys", "/dev", &a);
		if (fd < 0) {
			log_msg(LOG_ERR, "cairn.watchdog=auto: no hardware watchdog opens: none armed");
			return;
		}
	} else {
		text_copy(a.chosen, sizeof a.chosen, "dev");
		fd = watchdog_open(&a);
		if (fd < 0) {
			log_msg(LOG_ERR, "watchdog %s: %s: not armed", a.dev, strerror(-fd));
			return;
		}
	}
	supervise_watchdog(high(fd), watchdog_interval_ms(a.timeout_s));
	len = wdt_record_format(&a, rec, sizeof rec);
	if (len < 0 || file_write_atomic(WDT_RECORD, rec, (size_t)len, 0644) < 0)
		log_msg(LOG_WARNING, "%s: not written: the inventory will not say which watchdog runs",
			WDT_RECORD);
}

static void setup_devices(void)
{
	static char *const scan[] = { "/sbin/mdev", "-s", NULL };

	if (spawn_wait(scan, STAGE1_LIMIT_MS) != 0)
		log_msg(LOG_WARNING, "mdev -s failed: some device nodes may be missing");
}

static void setup_builtins(void)
{
	char ifname[32], text[160];
	struct unit *u;
	int rc;

	if (access(LOGLINK_LOGD, X_OK) == 0) {
		char syslog[80] = "", logd[256];

		/* /var/log only when /var is a file system of its own: the data
		 * partition, or the tmpfs a read-only root gets (then memory,
		 * as /run is); a cpio root's own /var is the initramfs. */
		if (is_mountpoint("/var") == 1)
			control_log_dir = "/var/log";
		if (cmdline_get(cmdline, "cairn.syslog", syslog, sizeof syslog) == 0 &&
		    (syslog[0] == '\0' || strpbrk(syslog, " \t\"'\\") != NULL)) {
			log_msg(LOG_WARNING, "cairn.syslog=%s: not ADDR:PORT: not forwarding", syslog);
			syslog[0] = '\0';
		}
		snprintf(logd, sizeof logd, "command = %s %s%s %s\nrestart-delay = 100ms\n"
			 "restart-limit = 1000/60s\nstop-mode = main\n", LOGLINK_LOGD,
			 syslog[0] != '\0' ? "-r " : "", syslog, control_log_dir);
		u = builtin("logd", logd);
		if (u != NULL) {
			u->internal = 1;
			loglink_enable();
		}
	} else {
		log_msg(LOG_WARNING, "%s missing: service output goes to the console", LOGLINK_LOGD);
	}
	if (cmdline_has(cmdline, "cairn.dhcp")) {
		if (cmdline_get(cmdline, "cairn.dhcp", ifname, sizeof ifname) < 0 || ifname[0] == '\0') {
			rc = net_first_nic("/sys/class/net", ifname, sizeof ifname);
			if (rc < 0)
				ifname[0] = '\0';
		}
		if (ifname[0] == '\0' || !svc_name_ok(ifname)) {
			log_msg(LOG_WARNING, "cairn.dhcp: no usable network interface");
		} else {
			snprintf(text, sizeof text, "command = /sbin/udhcpc -f -i %s\n", ifname);
			u = builtin("udhcpc", text);
			if (u != NULL)
				loglink_pipe(u);
		}
	}
	/* Break-glass: only when asked for, and said aloud each time. */
	if (cmdline_has(cmdline, "cairn.shell")) {
		u = builtin("shell", "command = /bin/sh -l\nno-new-privs = no\nstop-mode = main\nstop-signal = HUP\n"
				     "restart-delay = 1s\n");
		if (u != NULL) {
			u->on_console = 1;
			log_msg(LOG_WARNING, "cairn.shell: emergency root shell on the console");
		}
	}
}

/* The table is sized here, once: every file, the built-ins, and room for reload. */
static int setup_table(void)
{
	int n = services_count(SERVICES_DIR), cap;
	struct unit *table;

	if (n < 0) {
		log_msg(LOG_ERR, "%s: %s", SERVICES_DIR, strerror(-n));
		n = 0;
	}
	cap = n + 4 + SERVICES_SPARE;
	if (cap > DEPGRAPH_MAX)
		cap = DEPGRAPH_MAX;
	table = calloc((size_t)cap, sizeof *table);
	if (table == NULL) {
		cap = 8;
		table = calloc((size_t)cap, sizeof *table);
		if (table == NULL)
			crash(0);
	}
	sup_init(&sup, table, cap, &ops);
	return cap;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGPWR, SIGHUP };
	char elapsed[32];
	sigset_t set;
	size_t i;
	int rc, sfd, lfd, loaded, root_bound;

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
	initd_ms = now_boot();
	umask(022);
	sigemptyset(&set);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	reboot(RB_DISABLE_CAD);
	crash_handlers();

	/* Until /dev is mounted, the console the kernel gave us is all there is. */
	log_open("cairn", -1, 2, 0);
	/* A netbooted root first: all the rest runs on it (ramroot.c). */
	if (ramroot_switch(argv) < 0)
		crash(0);
	root_bound = mount_root_bind();
	rc = mount_early("");
	/* kmsg drops lines past 10 per 5 s from one writer unless told not to. */
	if (sysctl_set("/proc/sys", "kernel.printk_devkmsg", "on\n") < 0)
		log_msg(LOG_WARNING, "kernel.printk_devkmsg: %m: kmsg may drop lines");
	/* Non-blocking: a console held by XOFF or a stalled BMC must never
	 * stop PID 1; a line that cannot be written is dropped. */
	log_open("cairn", high(open("/dev/kmsg", O_WRONLY | O_CLOEXEC)),
		 high(open("/dev/console", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)),
		 console_loglevel());
	if (rc < 0)
		log_msg(LOG_ERR, "early mounts incomplete: %s", strerror(-rc));
	if (root_bound < 0)
		log_msg(LOG_ERR, "/ as a bind mount of the initramfs: %s: containers cannot pivot_root",
			strerror(-root_bound));
	rc = cmdline_read("/proc/cmdline", cmdline, sizeof cmdline);
	if (rc < 0)
		log_msg(LOG_ERR, "/proc/cmdline: %s: using no cairn.* keys", strerror(-rc));

	setup_consoles();
	rc = sysctl_apply_dir("/etc/sysctl.d", "/proc/sys");
	if (rc != 0 && rc != -ENOENT)
		log_msg(LOG_WARNING, "/etc/sysctl.d: %d setting(s) not applied", rc < 0 ? 1 : rc);
	set_hostname();
	load_modules();
	setup_devices();
	var_setup(cmdline);
	setup_watchdog();
	rc = net_link_up("lo");
	if (rc < 0)
		log_msg(LOG_WARNING, "loopback: %s", strerror(-rc));
	rc = cgroup_setup(CGROUP_ROOT);
	if (rc < 0)
		log_msg(LOG_WARNING, "cgroups: %s: services run without their own groups",
			strerror(-rc));
	spawn_setup(CGROUP_ROOT, rc == 0);

	sfd = high(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
	if (sfd < 0) {
		log_msg(LOG_ERR, "signalfd: %m");
		crash(0);
	}
	lfd = high(control_listen(CTL_SOCKET));
	if (lfd < 0)
		log_msg(LOG_ERR, "control socket %s: %s: initctl will not work", CTL_SOCKET,
			strerror(-lfd));

	setup_table();
	setup_builtins();
	loaded = services_load(&sup, SERVICES_DIR);
	if (loaded < 0)
		log_msg(LOG_ERR, "%s: %s", SERVICES_DIR, strerror(-loaded));

	if (boottime_format(elapsed, sizeof elapsed, now_boot()) < 0)
		strcpy(elapsed, "?");
	log_msg(LOG_NOTICE, "boot ok %s after kernel start", elapsed);

	if (cmdline_has(cmdline, "cairn.test")) {
		char test[32] = "";

		if (cmdline_get(cmdline, "cairn.test", test, sizeof test) == 0 &&
		    strcmp(test, "poweroff") == 0)
			supervise_shutdown(&sup, RB_POWER_OFF, "cairn.test");
		else
			log_msg(LOG_WARNING, "cairn.test=%s: unknown test action, ignored", test);
	}
	supervise_run(&sup, sfd, lfd, initd_ms);
	return 0;
}
