/* supervise.c: PID 1's loop after boot: signals, initctl's clients, ready fds, the watchdog. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boottime.h"
#include "control.h"
#include "loglink.h"
#include "services.h"
#include "shutdown.h"
#include "supervise.h"
#include "watchdog.h"
#include "log.h"

#define CLIENTS_MAX 4
#define CLIENT_TIMEOUT_MS 2000
#define SHUTDOWN_MAX_MS 120000	/* services get this long, all told */
#define NOTIFY_MAX 512		/* bytes a ready fd may send without a newline */

static int all_ready_told;
static int shutting_down;		/* the reboot(2) command, once asked */
static long long shutdown_deadline;
static int wdt_fd = -1;			/* never closed: a hang must reset */
static unsigned wdt_every_ms;
static long long wdt_next;
static long long listen_paused_until;

static struct {
	int fd;
	long long since;
} clients[CLIENTS_MAX];

static long long now_mono(void) { return clock_ms(CLOCK_MONOTONIC); }
static long long now_boot(void) { return clock_ms(CLOCK_BOOTTIME); }

/* shutdown_run pets through this while it waits and unmounts. */
static void pet_now(void)
{
	if (wdt_fd >= 0)
		watchdog_pet(wdt_fd);
}

/* From now on the loop pets fd, and shutdown_run does through pet_now. */
void supervise_watchdog(int fd, unsigned every_ms)
{
	wdt_fd = fd;
	wdt_every_ms = every_ms;
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

void supervise_shutdown(struct sup *s, int how, const char *by)
{
	if (shutting_down)
		return;
	shutting_down = how;
	shutdown_deadline = now_mono() + SHUTDOWN_MAX_MS;
	log_msg(LOG_NOTICE, "%s requested by %s: stopping services",
		how == RB_POWER_OFF ? "poweroff" : how == RB_AUTOBOOT ? "reboot" : "halt", by);
	sup_shutdown(s);
}

static void reap(struct sup *s)
{
	pid_t pid;
	int status;

	/* Orphans too: whatever the kernel hands PID 1 is waited for here. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		sup_reaped(s, pid, status);
}

static void on_signal(struct sup *s, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(s);
			break;
		case SIGUSR2:
		case SIGPWR:
			supervise_shutdown(s, RB_POWER_OFF, "signal");
			break;
		case SIGTERM:
		case SIGINT:
			supervise_shutdown(s, RB_AUTOBOOT, "signal");
			break;
		case SIGUSR1:
			supervise_shutdown(s, RB_HALT_SYSTEM, "signal");
			break;
		default:
			break;
		}
	}
}

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

static void on_client(struct sup *s, int i, long long initd_ms)
{
	int how = control_serve(s, clients[i].fd, initd_ms);

	close(clients[i].fd);
	clients[i].fd = -1;
	if (how != 0)
		supervise_shutdown(s, how, "initctl");
}

/* A ready line on a notification fd; EOF without one is worth a line too. */
static void on_notify(struct sup *s, struct unit *u)
{
	char buf[64];
	ssize_t n = read(u->ready_fd, buf, sizeof buf);

	if (n > 0 && memchr(buf, '\n', (size_t)n) != NULL) {
		sup_notified(s, u);
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
static void tell_all_ready(const struct sup *s, long long initd_ms)
{
	char boot[24], since[24];
	int i, n = 0;

	for (i = 0; i < s->cap; i++) {
		const struct unit *u = &s->units[i];

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

/* Never returns: the way out is shutdown_run, or crash. */
void supervise_run(struct sup *s, int sfd, int lfd, long long initd_ms)
{
	struct pollfd pfd[2 + CLIENTS_MAX + DEPGRAPH_MAX];
	struct unit *owner[2 + CLIENTS_MAX + DEPGRAPH_MAX];
	long long next, now, wait, wdt;
	int i, n, nclient0;

	for (i = 0; i < CLIENTS_MAX; i++)
		clients[i].fd = -1;
	for (;;) {
		next = sup_step(s);
		if (services_settle(s, SERVICES_DIR))
			next = sup_step(s);
		if (!all_ready_told && !shutting_down)
			tell_all_ready(s, initd_ms);
		now = now_mono();
		if (shutting_down && (sup_all_down(s) || now >= shutdown_deadline)) {
			if (!sup_all_down(s))
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
		if (loglink_retry(s) && (next < 0 || now + 100 < next))
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
		for (i = 0; i < s->cap; i++) {
			if (s->units[i].used && s->units[i].ready_fd >= 0) {
				owner[n] = &s->units[i];
				pfd[n].fd = s->units[i].ready_fd;
				pfd[n++].events = POLLIN;
			}
		}
		wait = next < 0 ? -1 : next > now ? next - now : 0;
		if (wait > 60000)
			wait = 60000;
		if (poll(pfd, (nfds_t)n, (int)wait) < 0)
			continue;
		if (pfd[0].revents)
			on_signal(s, sfd);
		if (pfd[1].revents)
			on_listen(lfd);
		now = now_mono();
		for (i = 0; i < CLIENTS_MAX; i++) {
			if (clients[i].fd < 0)
				continue;
			if (pfd[nclient0 + i].revents) {
				on_client(s, i, initd_ms);
			} else if (now - clients[i].since >= CLIENT_TIMEOUT_MS) {
				close(clients[i].fd);	/* said nothing in time */
				clients[i].fd = -1;
			}
		}
		for (i = nclient0 + CLIENTS_MAX; i < n; i++)
			if (pfd[i].revents && owner[i]->ready_fd == pfd[i].fd)
				on_notify(s, owner[i]);
	}
}
