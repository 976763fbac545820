/*
 * control.c: initd's side of initctl.  One request per connection; the
 * socket is root's alone (mode 0600, and SO_PEERCRED checked, since a
 * mode can be loosened by mistake).  PID 1 never waits on a client:
 * replies go out with MSG_DONTWAIT, and a client that does not read them
 * loses the rest.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boottime.h"
#include "control.h"
#include "ctl.h"
#include "log.h"
#include "services.h"

const char *control_log_dir = "/run/log";

/* control_listen: bind the control socket at path; fd or -errno. */
int control_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	old = umask(0177);	/* the socket: 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, 8) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* One reply packet: data lines start with '+' (a service may be named
 * "ok" or "error"); the last packet is "ok" or "error MESSAGE". */
static __attribute__((format(printf, 2, 3))) int reply(int fd, const char *fmt, ...)
{
	char buf[CTL_REPLY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	return send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static void last_exit(char *buf, size_t size, int status)
{
	if (status < 0)
		snprintf(buf, size, "-");
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal:%d", WTERMSIG(status));
	else
		snprintf(buf, size, "exit:%d", WEXITSTATUS(status));
}

/* One line a service, whitespace-separated columns, for people and awk. */
static int status_line(int fd, const struct unit *u, long long now)
{
	char up[24] = "-", last[24];

	if (sup_running(u))
		boottime_format(up, sizeof up, now - u->started_ms);
	last_exit(last, sizeof last, u->last_status);
	return reply(fd, "+%-16s %-9s %-7d %-10s %-8u %s", u->svc.name,
		     sup_state_name(u->state), (int)u->pid, up, u->restarts, last);
}

static int do_status(struct sup *s, int fd, const char *name)
{
	long long now = s->ops->now();
	int i;

	if (name[0] != '\0') {
		const struct unit *u = sup_find(s, name);

		if (u == NULL)
			return reply(fd, "error no service '%s'", name);
		status_line(fd, u, now);
		return reply(fd, "ok");
	}
	reply(fd, "+%-16s %-9s %-7s %-10s %-8s %s", "SERVICE", "STATE", "PID", "UPTIME",
	      "RESTARTS", "LAST");
	for (i = 0; i < s->cap; i++)
		if (s->units[i].used && status_line(fd, &s->units[i], now) < 0)
			return -1;
	return reply(fd, "ok");
}

/* Ready times since kernel start, earliest first: `NAME SECONDS`. */
static int do_timeline(struct sup *s, int fd, long long initd_ms)
{
	char when[24];
	long long after = -1, best;
	int i, pick;

	boottime_format(when, sizeof when, initd_ms);
	reply(fd, "+initd %s", when);
	for (;;) {
		pick = -1;
		best = -1;
		for (i = 0; i < s->cap; i++) {
			const struct unit *u = &s->units[i];
			long long key = u->ready_ms * 1000 + i;	/* a tie keeps table order */

			if (u->used && u->ready_ms > 0 && key > after && (best < 0 || key < best)) {
				best = key;
				pick = i;
			}
		}
		if (pick < 0)
			break;
		after = best;
		boottime_format(when, sizeof when, s->units[pick].ready_ms);
		if (reply(fd, "+%s %s", s->units[pick].svc.name, when) < 0)
			return -1;
	}
	return reply(fd, "ok");
}

/* initd's own lines from its ring; a service's log is logd's file. */
static int do_log(struct sup *s, int fd, const char *name)
{
	static char ring[8192];
	char *line, *nl;

	if (strcmp(name, "initd") == 0) {
		log_ring_copy(ring, sizeof ring);
		for (line = ring; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
			*nl = '\0';
			if (reply(fd, "+%s", line) < 0)
				return -1;
		}
		return reply(fd, "ok");
	}
	if (sup_find(s, name) == NULL)
		return reply(fd, "error no service '%s'", name);
	reply(fd, "+file %s/%s.log", control_log_dir, name);
	return reply(fd, "ok");
}

static int do_unit(struct sup *s, int fd, const struct ctl_req *req)
{
	struct unit *u = sup_find(s, req->name);
	int rc;

	if (u == NULL)
		return reply(fd, "error no service '%s'", req->name);
	if (u->removed)
		return reply(fd, "error '%s' is being removed", req->name);
	services_recheck(u);
	if (req->verb == CTL_START)
		rc = sup_start(s, u);
	else if (req->verb == CTL_STOP)
		rc = sup_stop(s, u);
	else
		rc = sup_restart(s, u);
	if (rc == -ESHUTDOWN)
		return reply(fd, "error the machine is shutting down");
	if (rc == -EINVAL)
		return reply(fd, "error '%s' has a bad definition (initctl log initd says why)",
			     req->name);
	log_msg(LOG_NOTICE, "%s: %s requested", req->name, ctl_verb_name(req->verb));
	return reply(fd, "ok");
}

/*
 * control_serve: answer the one request waiting on fd.  Returns 0, or the
 * reboot(2) command the request asked for (the caller shuts down).
 */
int control_serve(struct sup *s, int fd, long long initd_ms)
{
	char buf[CTL_REQ_MAX + 2], err[160];
	struct ctl_req req;
	struct services_diff diff;
	ssize_t n;

	n = recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return 0;
	if ((size_t)n > sizeof buf) {
		snprintf(err, sizeof err, "request longer than %d bytes", CTL_REQ_MAX);
		reply(fd, "error %s", err);
		log_msg(LOG_WARNING, "control: %s", err);
		return 0;
	}
	if (ctl_parse(buf, (size_t)n, &req, err, sizeof err) < 0) {
		reply(fd, "error %s", err);
		log_msg(LOG_WARNING, "control: %s", err);
		return 0;
	}
	switch (req.verb) {
	case CTL_STATUS:
		do_status(s, fd, req.name);
		break;
	case CTL_TIMELINE:
		do_timeline(s, fd, initd_ms);
		break;
	case CTL_LOG:
		do_log(s, fd, req.name);
		break;
	case CTL_START:
	case CTL_STOP:
	case CTL_RESTART:
		do_unit(s, fd, &req);
		break;
	case CTL_RELOAD:
		if (s->stopping) {
			reply(fd, "error the machine is shutting down");
			break;
		}
		if (services_reload(s, SERVICES_DIR, &diff) < 0) {
			reply(fd, "error %s: %m", SERVICES_DIR);
			break;
		}
		log_msg(LOG_NOTICE, "reload: %d added, %d changed, %d removed, %d bad",
			diff.added, diff.changed, diff.removed, diff.bad);
		reply(fd, "+%d added, %d changed, %d removed, %d bad", diff.added, diff.changed,
		      diff.removed, diff.bad);
		reply(fd, "ok");
		break;
	case CTL_POWEROFF:
		reply(fd, "ok");
		return RB_POWER_OFF;
	case CTL_REBOOT:
		reply(fd, "ok");
		return RB_AUTOBOOT;
	case CTL_HALT:
		reply(fd, "ok");
		return RB_HALT_SYSTEM;
	}
	return 0;
}

/* control_peer_ok: only root may talk to PID 1. */
int control_peer_ok(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	if (cred.uid == 0)
		return 1;
	log_msg(LOG_WARNING, "control: refused uid %u (pid %d)", (unsigned)cred.uid, (int)cred.pid);
	reply(fd, "error permission denied: root only");
	return 0;
}
