/*
 * loglink.c: each service writes into a pipe whose both ends initd keeps,
 * so neither a service nor logd restarting loses a line: what is written
 * while logd is away waits in the pipe.  logd gets the read ends over a
 * SOCK_SEQPACKET link, one "add NAME" packet with the fd attached each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loglink.h"

static int logd_sock = -1;
static int enabled;		/* a logd is configured: services get pipes */
static int pending;		/* some pipe waits to be handed over */

void loglink_enable(void)
{
	enabled = 1;
}

static int send_msg(const char *verb, const char *name, int fd)
{
	char text[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	int n = snprintf(text, sizeof text, "%s %s", verb, name);

	if (logd_sock < 0)
		return -ENOTCONN;
	memset(&msg, 0, sizeof msg);
	iov.iov_base = text;
	iov.iov_len = (size_t)n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof cbuf;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	/* Never block PID 1 on logd: a full link is logd's problem. */
	if (sendmsg(logd_sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		int e = errno;

		/* A full link is retried (loglink_retry); anything else is news. */
		if (e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS)
			log_msg(LOG_WARNING, "logd link: %s %s: %s", verb, name, strerror(e));
		return -e;
	}
	return 0;
}

/* Hand u's read end to logd; a full link leaves it pending for
 * loglink_retry (the pipe holds the lines meanwhile). */
static void hand_over(struct unit *u)
{
	u->out_pending = 1;
	if (logd_sock >= 0 && send_msg("add", u->svc.name, u->out[0]) == 0)
		u->out_pending = 0;
	pending |= u->out_pending;
}

/* loglink_pipe: give u its output pipe, and hand the read end to logd. */
int loglink_pipe(struct unit *u)
{
	if (u->out[0] >= 0 || !enabled)
		return 0;	/* no logd: output goes to the console */
	if (pipe2(u->out, O_CLOEXEC) < 0) {
		u->out[0] = u->out[1] = -1;
		return -errno;
	}
	hand_over(u);
	return 0;
}

/* loglink_drop: u is gone for good: logd drains its pipe, then both close. */
void loglink_drop(struct unit *u)
{
	if (u->out[0] < 0)
		return;
	if (logd_sock >= 0)
		send_msg("del", u->svc.name, -1);
	close(u->out[0]);
	close(u->out[1]);
	u->out[0] = u->out[1] = -1;
}

/* loglink_attach: a new logd listens on sock: hand it every pipe. */
void loglink_attach(struct sup *s, int sock)
{
	int i;

	loglink_detach();
	logd_sock = sock;
	pending = 0;
	for (i = 0; i < s->cap; i++)
		if (s->units[i].used && s->units[i].out[0] >= 0)
			hand_over(&s->units[i]);
}

/* loglink_retry: hand over what a full link refused before.  Returns 1
 * while something is still pending (the caller tries again soon). */
int loglink_retry(struct sup *s)
{
	int i;

	if (!pending || logd_sock < 0)
		return 0;
	pending = 0;
	for (i = 0; i < s->cap; i++)
		if (s->units[i].used && s->units[i].out[0] >= 0 && s->units[i].out_pending)
			hand_over(&s->units[i]);
	return pending;
}

void loglink_detach(void)
{
	if (logd_sock >= 0)
		close(logd_sock);
	logd_sock = -1;
}

int loglink_connected(void)
{
	return logd_sock >= 0;
}
