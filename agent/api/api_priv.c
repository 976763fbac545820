/*
 * api_priv.c: the control API's privileged helper and its channel.  The
 * network side (TLS, HTTP, routes) runs as an unprivileged user; what
 * needs root (initctl's socket, the kernel log, the drain file, the ESP,
 * pkg) is asked of this process over a SOCK_SEQPACKET socketpair, one
 * fixed-size request a message, each with the stream its answer goes back
 * on.  The helper reads nothing else from the network side, checks every
 * field against the one request set, and answers each request in a
 * process of its own, so a slow command holds up no other request.  A
 * parser bug on the network side can ask for these things and nothing
 * more.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api_priv.h"
#include "api/api_signals.h"
#include "fileio.h"

#define PRIV_ANSWER_SECONDS (2 * API_COMMAND_SECONDS + 10)	/* health runs nvidia-smi and more */

/* What goes before an answer's body on its stream. */
struct priv_head {
	int32_t status;
	uint32_t zero;
	uint64_t len;
};

/* priv_name_ok: a service's name as initd takes it. */
int priv_name_ok(const char *s)
{
	return *s != '\0' && strlen(s) < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s) &&
	       s[0] != '.' && s[0] != '-';
}

static int repo_ok(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 || s[0] == '/') &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$'()*+,;=%") ==
		       strlen(s);
}

/*
 * priv_check: 0 when R is a request of the set with arguments it takes;
 * else -EINVAL and WHY, the text of the 400 the client gets.
 */
int priv_check(const struct priv_req *r, char *why, size_t size)
{
	size_t n;

	if (memchr(r->arg, '\0', sizeof r->arg) == NULL || memchr(r->who, '\0', sizeof r->who) == NULL)
		return err_fail(why, size, "helper: an argument without its end\n");
	switch (r->op) {
	case PRIV_LOG:
		if (!priv_name_ok(r->arg))
			return err_fail(why, size, "logs: ?service=NAME, a service's name\n");
		return 0;
	case PRIV_DRAIN:
		n = strlen(r->arg);
		if (n == 0 || n > 127 ||
		    strspn(r->arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:-+") != n)
			return err_fail(why, size, "drain: ?reason=TEXT (letters, digits, . _ ~ : -, + for a space; "
					"up to 127)\n");
		return 0;
	case PRIV_OS_UPDATE:
		if (r->arg[0] != '\0' && !repo_ok(r->arg))
			return err_fail(why, size, "os/update: repo '%s' is not an https:// URL or an absolute path\n",
					r->arg);
		if (r->tries < 1 || r->tries > 9)
			return err_fail(why, size, "os/update: tries is 1 to 9\n");
		if (r->reboot > PRIV_UPDATE_STAGE)
			return err_fail(why, size, "os/update: reboot is yes or no, stage yes or no, not both\n");
		return 0;
	case PRIV_HEALTH:
	case PRIV_KMSG:
	case PRIV_SERVICES:
	case PRIV_RESUME:
	case PRIV_REBOOT:
	case PRIV_OS:
		if (r->arg[0] != '\0' || r->tries != 0 || r->reboot != 0)
			return err_fail(why, size, "helper: request %u takes no argument\n", (unsigned)r->op);
		return 0;
	default:
		return err_fail(why, size, "helper: no request %u\n", (unsigned)r->op);
	}
}

/*
 * priv_recv: the next request on SOCK, and the stream for its answer in
 * *answer_fd.  -EAGAIN when there is none yet; -EBADMSG when a message
 * is not one request with one Unix stream socket (what came with it is
 * closed); -errno.
 */
int priv_recv(int sock, struct priv_req *r, int *answer_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { r, sizeof *r };
	struct msghdr m;
	struct cmsghdr *c;
	int fds[2], nfd = 0, i, type = 0, domain = 0, rc = 0;
	socklen_t sl = sizeof type;
	ssize_t n;

	*answer_fd = -1;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cm.buf;
	m.msg_controllen = sizeof cm.buf;
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
			if (nfd < 2)
				fds[nfd++] = fd;
			else
				close(fd);
		}
	}
	/* One whole request, and one Unix stream socket with it. */
	if (n != (ssize_t)sizeof *r || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfd != 1 ||
	    getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &type, &sl) < 0 || type != SOCK_STREAM ||
	    (sl = sizeof domain, getsockopt(fds[0], SOL_SOCKET, SO_DOMAIN, &domain, &sl)) < 0 || domain != AF_UNIX)
		rc = -EBADMSG;
	if (rc < 0) {
		for (i = 0; i < nfd; i++)
			close(fds[i]);
		return rc;
	}
	*answer_fd = fds[0];
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* priv_send_answer: A on its stream FD: status, length, body. */
int priv_send_answer(int fd, const struct reply *a)
{
	struct priv_head h = { a->status, 0, a->len };
	int rc = write_all(fd, &h, sizeof h);

	return rc == 0 && a->len > 0 ? write_all(fd, a->body, a->len) : rc;
}

/*
 * priv_call: ask the helper on SOCK for R; its answer into OUT (text).
 * A helper that does not answer is a 502.  0, or -ENOMEM.
 */
int priv_call(int sock, const struct priv_req *r, struct reply *out)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct priv_req q = *r;
	struct iovec iov = { &q, sizeof q };
	struct timeval tv = { PRIV_ANSWER_SECONDS, 0 };
	struct priv_head h = { 0, 0, 0 };
	struct msghdr m;
	char *body = NULL;
	int sp[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return reply_text(out, 502, "the API's helper: socketpair: %s\n", strerror(errno));
	memset(&m, 0, sizeof m);
	memset(&cm, 0, sizeof cm);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cm.buf;
	m.msg_controllen = sizeof cm.buf;
	CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &sp[1], sizeof(int));
	rc = sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)sizeof q ? 0 : -errno;
	close(sp[1]);
	if (rc == 0) {
		setsockopt(sp[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		rc = read_all(sp[0], &h, sizeof h);
	}
	if (rc == 0 && (h.status < 100 || h.status > 599 || h.len > API_OUTPUT_MAX + 65536))
		rc = -EBADMSG;
	if (rc == 0 && (body = malloc(h.len + 1)) == NULL)
		rc = -ENOMEM;
	if (rc == 0)
		rc = read_all(sp[0], body, h.len);
	close(sp[0]);
	if (rc < 0 || body == NULL) {
		free(body);
		if (rc == -ENOMEM)
			return rc;
		return reply_text(out, 502, "the API's helper did not answer: %s\n",
				  rc == -EAGAIN ? "it took too long" : strerror(-rc));
	}
	body[h.len] = '\0';
	free(out->body);
	out->status = h.status;
	out->type = "text/plain; charset=utf-8";
	out->body = body;
	out->len = h.len;
	return 0;
}

/* One request, in a process of its own: checked, done, answered. */
static void worker(const struct api_opts *o, const struct priv_req *r, int fd)
{
	struct reply out = { 0, NULL, NULL, 0, NULL };
	char why[512];

	if (priv_check(r, why, sizeof why) < 0)
		reply_text(&out, 400, "%s", why);
	else if (privop_run(o, r, &out) < 0 || out.status == 0)
		reply_text(&out, 500, "the API's helper: out of memory\n");
	priv_send_answer(fd, &out);
	reply_free(&out);
	fflush(o->log);
}

/*
 * priv_serve: answer the network side (process TLS) on SOCK until
 * SIGTERM, then stop it.  0 then; -ECHILD when the network side ended
 * by itself (its crash is said in the log).
 */
int priv_serve(const struct api_opts *o, int sock, pid_t tls)
{
	sigset_t open_mask;
	int workers = 0, rc = 0, status;
	pid_t pid;

	api_signals(&open_mask);
	while (!api_stopping && tls > 0) {
		struct pollfd p = { sock, POLLIN, 0 };
		struct priv_req r;
		int fd;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != tls) {
				workers--;
				continue;
			}
			if (WIFSIGNALED(status))
				fprintf(o->log, "api: the network side died of signal %d\n", WTERMSIG(status));
			else
				fprintf(o->log, "api: the network side exited (%d)\n", WEXITSTATUS(status));
			tls = 0;
			rc = -ECHILD;
		}
		if (tls == 0)
			break;
		if (ppoll(&p, 1, NULL, &open_mask) <= 0)
			continue;	/* a signal */
		if (!(p.revents & POLLIN))
			break;		/* every end of the network side's is closed */
		rc = priv_recv(sock, &r, &fd);
		if (rc == -EAGAIN) {
			rc = 0;
			continue;
		}
		if (rc < 0) {
			fprintf(o->log, "api: helper: refused a message that is not a request: %s\n", strerror(-rc));
			fflush(o->log);
			rc = 0;
			continue;
		}
		if (workers >= PRIV_WORKERS_MAX) {
			struct reply busy = { 0, NULL, NULL, 0, NULL };

			reply_text(&busy, 503, "the API's helper is answering %d requests: try again\n", workers);
			priv_send_answer(fd, &busy);
			reply_free(&busy);
			close(fd);
			continue;
		}
		fflush(o->log);
		pid = fork();
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			sigprocmask(SIG_SETMASK, &open_mask, NULL);
			close(sock);
			worker(o, &r, fd);
			_exit(0);
		}
		if (pid > 0) {
			workers++;
		} else {
			struct reply fail = { 0, NULL, NULL, 0, NULL };

			reply_text(&fail, 500, "the API's helper: fork: %s\n", strerror(errno));
			priv_send_answer(fd, &fail);
			reply_free(&fail);
		}
		close(fd);
	}
	if (tls > 0) {
		kill(tls, SIGTERM);
		while (waitpid(tls, &status, 0) < 0 && errno == EINTR)
			;
	}
	fflush(o->log);
	return rc;
}
