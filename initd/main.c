/* main.c: Cairn's PID 1: bring the machine up, supervise its services,
 * answer initctl, reap every child, and take the machine down cleanly. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blkdev.h"
#include "boottime.h"
#include "cgroup.h"
#include "cmdline.h"
#include "control.h"
#include "ctl.h"
#include "extensions.h"
#include "loglink.h"
#include "modules.h"
#include "services.h"
#include "spawn.h"
#include "mount.h"
#include "net.h"
#include "shutdown.h"
#include "sysctl.h"
#include "watchdog.h"
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

#define CLIENTS_MAX 4
#define CLIENT_TIMEOUT_MS 2000
#define SHUTDOWN_MAX_MS 120000	/* services get this long, all told */
#define STAGE1_LIMIT_MS 120000	/* one stage-1 command (modprobe, mdev -s) */
#define DATA_INIT_LIMIT_MS 660000	/* cairn-agent data init: its tools have 600 s each */
#define NOTIFY_MAX 512		/* bytes a ready fd may send without a newline */

static struct sup sup;
static long long initd_ms;		/* CLOCK_BOOTTIME when PID 1 began */
static int all_ready_told;
static int shutting_down;		/* the reboot(2) command, once asked */
static long long shutdown_deadline;
static int wdt_fd = -1;			/* never closed: a hang must reset */
static unsigned wdt_every_ms;
static long long wdt_next;

static struct {
	int fd;
	long long since;
} clients[CLIENTS_MAX];

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
 * The kernel runs no modprobe itself (hardening): the board's list, then
 * what the devices present ask for by modalias.  Later devices are mdev's
 * (its MODALIAS rule).  devtmpfs makes the nodes; mdev -s then fixes
 * their owners and modes.
 */
static void load_modules(void)
{
	static char list[MODULES_LIST_BUF], aliases[MODULES_ALIAS_BUF];
	static char *argv[MODULES_ALIAS_MAX + 4];
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
	n = modules_coldplug("/sys", aliases, sizeof aliases, argv + 3, MODULES_ALIAS_MAX);
	if (n > 0) {
		argv[0] = "/sbin/modprobe";
		argv[1] = "-qab";
		argv[2] = "--";
		argv[3 + n] = NULL;
		/* Exit 1 is normal: most aliases have no module. */
		spawn_wait(argv, STAGE1_LIMIT_MS);
	}
}

/* shutdown_run pets through this while it waits and unmounts. */
static void pet_now(void)
{
	if (wdt_fd >= 0)
		watchdog_pet(wdt_fd);
}

static void setup_watchdog(void)
{
	char arg[128] = "", dev[96];
	unsigned timeout = 0;
	int fd;

	if (!cmdline_has(cmdline, "cairn.watchdog"))
		return;
	if (cmdline_get(cmdline, "cairn.watchdog", arg, sizeof arg) < 0 ||
	    watchdog_parse_arg(arg, dev, sizeof dev, &timeout) < 0) {
		log_msg(LOG_ERR, "cairn.watchdog=%s: not DEV[:SECONDS]: no watchdog armed", arg);
		return;
	}
	fd = watchdog_open(dev, &timeout);
	if (fd < 0) {
		log_msg(LOG_ERR, "watchdog %s: %s: not armed", dev, strerror(-fd));
		return;
	}
	wdt_fd = high(fd);
	wdt_every_ms = watchdog_interval_ms(timeout);
	wdt_next = now_mono() + wdt_every_ms;
	shutdown_set_pet(pet_now);
}

/* Pet when due; returns the next time it is due (-1: no watchdog). */
static long long watchdog_due(long long now, int force)
{
	if (wdt_fd < 0)
		return -1;
	if (force || now >= wdt_next) {
		watchdog_pet(wdt_fd);
		wdt_next = now + wdt_every_ms;
	}
	return wdt_next;
}

static void setup_devices(void)
{
	static char *const scan[] = { "/sbin/mdev", "-s", NULL };

	if (spawn_wait(scan, STAGE1_LIMIT_MS) != 0)
		log_msg(LOG_WARNING, "mdev -s failed: some device nodes may be missing");
}

/*
 * cairn.var's device: /dev/NAME, or PARTLABEL=NAME (the GPT name; where
 * several disks have one, the one on the root's disk).  The device may
 * still be probing when PID 1 starts: wait for it a little.
 */
static int var_device(const char *want, char *dev, size_t size)
{
	char near[64], name[64];
	int i, rc = -ENOENT;

	if (strncmp(want, "PARTLABEL=", 10) != 0) {
		if (strncmp(want, "/dev/", 5) != 0 || strstr(want, "..") != NULL || strlen(want) >= size)
			return -EINVAL;
		strcpy(dev, want);
		for (i = 0; i < 50 && access(dev, F_OK) < 0; i++)
			usleep(100000);
		return 0;
	}
	if (blk_root_disk("/sys", "/", near, sizeof near) < 0)
		near[0] = '\0';
	for (i = 0; i < 50; i++) {
		rc = blk_by_label("/sys", want + 10, near[0] != '\0' ? near : NULL, name, sizeof name);
		if (rc != -ENOENT)
			break;
		usleep(100000);
	}
	if (rc < 0)
		return rc;
	if ((size_t)snprintf(dev, size, "/dev/%s", name) >= size)
		return -ENAMETOOLONG;
	for (i = 0; i < 20 && access(dev, F_OK) < 0; i++)
		usleep(100000);
	return 0;
}

/*
 * /var from the device cairn.var names (ext4), before anything writes to
 * it; on its first boot (no file system yet) the agent grows and formats
 * it.  Then the site's extensions kept there, each layer that matches its
 * database.
 */
static void setup_var(void)
{
	static char *init[] = { "/usr/sbin/cairn-agent", "data", "init", NULL, NULL };
	struct statvfs st;
	char want[128], dev[128];
	int rc;

	if (cmdline_has(cmdline, "cairn.var")) {
		if (cmdline_get(cmdline, "cairn.var", want, sizeof want) < 0)
			want[0] = '\0';
		rc = var_device(want, dev, sizeof dev);
		if (rc < 0) {
			log_msg(LOG_ERR, "cairn.var=%s: %s: /var stays in memory", want,
				rc == -EINVAL ? "not /dev/NAME or PARTLABEL=NAME" :
				rc == -ENOENT ? "no such partition" :
				rc == -ENOTUNIQ ? "more than one partition has that name, and not one alone on the root's disk" :
				strerror(-rc));
		} else {
			rc = mount(dev, "/var", "ext4", MS_NOSUID | MS_NODEV, NULL);
			/* No file system (EINVAL): its first boot. */
			if (rc < 0 && errno == EINVAL && access(init[0], X_OK) == 0) {
				log_msg(LOG_INFO, "/var: %s has no file system: making it", dev);
				init[3] = dev;
				if (spawn_wait(init, DATA_INIT_LIMIT_MS) != 0) {
					log_msg(LOG_ERR, "cairn.var: cairn-agent data init %s failed (above): /var "
						"stays in memory", dev);
					rc = 1;
				} else {
					rc = mount(dev, "/var", "ext4", MS_NOSUID | MS_NODEV, NULL);
				}
			}
			if (rc < 0)
				log_msg(LOG_ERR, "cairn.var: mount %s on /var: %m: /var stays in memory", dev);
			else if (rc == 0)
				log_msg(LOG_INFO, "/var: %s", dev);
		}
	}
	/* A read-only root (a disk slot's squashfs) has no room to write:
	 * without a data partition /var is memory, as it is on a RAM root. */
	if (!is_mountpoint("/var") && statvfs("/", &st) == 0 && (st.f_flag & ST_RDONLY)) {
		if (mount("var", "/var", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			log_msg(LOG_ERR, "/var: tmpfs on a read-only root: %m");
		else
			log_msg(LOG_INFO, "/var: in memory (tmpfs), the root is read-only");
	}
	rc = extensions_mount("", &extensions_system);
	if (rc < 0)
		log_msg(LOG_WARNING, "extensions: %s: some are not in place", strerror(-rc));
}

static void setup_builtins(void)
{
	char ifname[32], text[160];
	struct unit *u;
	int rc;

	if (access(LOGLINK_LOGD, X_OK) == 0) {
		char syslog[80] = "", logd[256];

		/* /var/log only when /var is a file system of its own (the data
		 * partition): the initramfs's /var is memory like /run. */
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

static void begin_shutdown(int how, const char *by)
{
	if (shutting_down)
		return;
	shutting_down = how;
	shutdown_deadline = now_mono() + SHUTDOWN_MAX_MS;
	log_msg(LOG_NOTICE, "%s requested by %s: stopping services",
		how == RB_POWER_OFF ? "poweroff" : how == RB_AUTOBOOT ? "reboot" : "halt", by);
	sup_shutdown(&sup);
}

static void reap(void)
{
	pid_t pid;
	int status;

	/* Orphans too: whatever the kernel hands PID 1 is waited for here. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		sup_reaped(&sup, pid, status);
}

static void on_signal(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap();
			break;
		case SIGUSR2:
		case SIGPWR:
			begin_shutdown(RB_POWER_OFF, "signal");
			break;
		case SIGTERM:
		case SIGINT:
			begin_shutdown(RB_AUTOBOOT, "signal");
			break;
		case SIGUSR1:
			begin_shutdown(RB_HALT_SYSTEM, "signal");
			break;
		default:
			break;
		}
	}
}

static long long listen_paused_until;

static void on_listen(int lfd)
{
	int fd, i;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of fds or memory: the connection stays queued and
			 * poll would wake at once, forever; look again later. */
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
				log_msg(LOG_WARNING, "control: accept: %m");
				listen_paused_until = now_mono() + 1000;
			}
			return;
		}
		if (!control_peer_ok(fd)) {
			close(fd);
			continue;
		}
		for (i = 0; i < CLIENTS_MAX && clients[i].fd >= 0; i++)
			;
		if (i == CLIENTS_MAX) {
			log_msg(LOG_WARNING, "control: %d clients already waiting; one refused",
				CLIENTS_MAX);
			close(fd);
			continue;
		}
		clients[i].fd = fd;
		clients[i].since = now_mono();
	}
}

static void on_client(int i)
{
	int how = control_serve(&sup, clients[i].fd, initd_ms);

	close(clients[i].fd);
	clients[i].fd = -1;
	if (how != 0)
		begin_shutdown(how, "initctl");
}

/* A ready line on a notification fd; EOF without one is worth a line too. */
static void on_notify(struct unit *u)
{
	char buf[64];
	ssize_t n = read(u->ready_fd, buf, sizeof buf);

	if (n > 0 && memchr(buf, '\n', (size_t)n) != NULL) {
		sup_notified(&sup, u);
	} else if (n == 0) {
		log_msg(LOG_WARNING, "%s: closed its ready fd without a ready line", u->svc.name);
	} else if (n > 0 && (u->notify_bytes += (unsigned)n) > NOTIFY_MAX) {
		log_msg(LOG_WARNING, "%s: %d bytes on its ready fd and no newline: not listening",
			u->svc.name, NOTIFY_MAX);
	} else {
		return;
	}
	close(u->ready_fd);
	u->ready_fd = -1;
}

/* The first time every wanted service is up: the boot's one figure. */
static void tell_all_ready(void)
{
	char boot[24], since[24];
	int i, n = 0;

	for (i = 0; i < sup.cap; i++) {
		const struct unit *u = &sup.units[i];

		if (!u->used || u->bad || !u->want_up)
			continue;
		if (!sup_ready(u))
			return;
		n++;
	}
	all_ready_told = 1;
	boottime_format(boot, sizeof boot, now_boot());
	boottime_format(since, sizeof since, now_boot() - initd_ms);
	log_msg(LOG_NOTICE, "all %d services ready %s after kernel start (%s after initd start)",
		n, boot, since);
}

static void supervise(int sfd, int lfd)
{
	struct pollfd pfd[2 + CLIENTS_MAX + DEPGRAPH_MAX];
	struct unit *owner[2 + CLIENTS_MAX + DEPGRAPH_MAX];
	long long next, now, wait, wdt;
	int i, n, nclient0;

	for (i = 0; i < CLIENTS_MAX; i++)
		clients[i].fd = -1;
	for (;;) {
		next = sup_step(&sup);
		if (services_settle(&sup, SERVICES_DIR))
			next = sup_step(&sup);
		if (!all_ready_told && !shutting_down)
			tell_all_ready();
		now = now_mono();
		if (shutting_down && (sup_all_down(&sup) || now >= shutdown_deadline)) {
			if (!sup_all_down(&sup))
				log_msg(LOG_WARNING, "services still running after %d s: going on",
					SHUTDOWN_MAX_MS / 1000);
			watchdog_due(now, 1);	/* the rest must fit one timeout */
			shutdown_run(shutting_down);
		}
		if (shutting_down && (next < 0 || next > shutdown_deadline))
			next = shutdown_deadline;
		wdt = watchdog_due(now, 0);
		if (wdt >= 0 && (next < 0 || wdt < next))
			next = wdt;
		/* A pipe logd's link had no room for: try again in 100 ms. */
		if (loglink_retry(&sup) && (next < 0 || now + 100 < next))
			next = now + 100;

		n = 0;
		pfd[n].fd = sfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = now >= listen_paused_until ? lfd : -1;
		pfd[n++].events = POLLIN;
		if (now < listen_paused_until && (next < 0 || listen_paused_until < next))
			next = listen_paused_until;
		nclient0 = n;
		for (i = 0; i < CLIENTS_MAX; i++) {
			pfd[n].fd = clients[i].fd;	/* -1 is skipped by poll */
			pfd[n++].events = POLLIN;
			if (clients[i].fd >= 0) {
				long long end = clients[i].since + CLIENT_TIMEOUT_MS;

				if (next < 0 || end < next)
					next = end;
			}
		}
		for (i = 0; i < sup.cap; i++) {
			if (sup.units[i].used && sup.units[i].ready_fd >= 0) {
				owner[n] = &sup.units[i];
				pfd[n].fd = sup.units[i].ready_fd;
				pfd[n++].events = POLLIN;
			}
		}
		wait = next < 0 ? -1 : next > now ? next - now : 0;
		if (wait > 60000)
			wait = 60000;
		if (poll(pfd, (nfds_t)n, (int)wait) < 0)
			continue;
		if (pfd[0].revents)
			on_signal(sfd);
		if (pfd[1].revents)
			on_listen(lfd);
		now = now_mono();
		for (i = 0; i < CLIENTS_MAX; i++) {
			if (clients[i].fd < 0)
				continue;
			if (pfd[nclient0 + i].revents) {
				on_client(i);
			} else if (now - clients[i].since >= CLIENT_TIMEOUT_MS) {
				close(clients[i].fd);	/* said nothing in time */
				clients[i].fd = -1;
			}
		}
		for (i = nclient0 + CLIENTS_MAX; i < n; i++)
			if (pfd[i].revents && owner[i]->ready_fd == pfd[i].fd)
				on_notify(owner[i]);
	}
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
	setup_var();
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
			begin_shutdown(RB_POWER_OFF, "cairn.test");
		else
			log_msg(LOG_WARNING, "cairn.test=%s: unknown test action, ignored", test);
	}
	supervise(sfd, lfd);
	return 0;
}
