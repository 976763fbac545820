/* logd.c: the logger: service output pipes, handed over by initd on fd 0, into DIR/NAME.log. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boottime.h"
#include "log.h"
#include "logfile.h"
#include "svcfile.h"
#include "syslogfwd.h"
#include "text.h"

#define LOGD_SERVICES 256
#define LOGD_PACKET_MAX 128		/* "add NAME" is 35 bytes at most */
#define LOGD_PACKET_SHOWN 64		/* of a bad packet, in its message */
#define LOGD_FDS_MAX 8			/* more in one packet are closed by the kernel */
#define LOGD_PACKETS_PER_POLL 64	/* so a busy initd cannot starve the pipes */
#define LOGD_DRAIN_MAX (1 << 20)	/* bytes read from one pipe when draining */
#define EXIT_USAGE 100
#define EXIT_SYSTEM 111

static const char usage[] = "usage: logd [-s SIZE] [-n COUNT] [-r ADDR:PORT] DIR";

/* One service: its pipe, its partial line, its file. */
struct stream {
	int pipe;		/* -1: the slot is free */
	struct logbuf buf;
	struct logfile file;
};

static struct stream streams[LOGD_SERVICES];
static struct pollfd pfds[LOGD_SERVICES + 1];
static struct stream *polled[LOGD_SERVICES + 1];
static struct logfile_dir dir = { .fd = -1 };
static struct syslogfwd fwd = { .fd = -1 };
static char fwd_who[SYSLOGFWD_ADDR_MAX + 16];
static unsigned long long max_size = 1048576;
static unsigned keep = 4;
static char stamp[LOGFILE_STAMP_MAX];
static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* Lines read together carry the time they were read. */
static void stamp_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 ||
	    logfile_stamp(stamp, sizeof stamp, &ts) == 0)
		snprintf(stamp, sizeof stamp, "-");
}

static void put_line(void *arg, const char *line, size_t len)
{
	struct stream *s = arg;

	logfile_put(&s->file, stamp, line, len);
	if (fwd.fd >= 0)
		syslogfwd_send(&fwd, stamp, s->file.name, line, len);
}

static void report(struct logfile_drops *d, const char *who, int force)
{
	char msg[256];

	if (logfile_drops_report(d, who, clock_ms(CLOCK_MONOTONIC), force, msg, sizeof msg) > 0)
		log_msg(LOG_WARNING, "%s", msg);
}

/* ms until a report of lost lines is due; -1: none is. */
static long long report_wait(void)
{
	long long now = clock_ms(CLOCK_MONOTONIC), best, w;
	int i;

	best = fwd.fd >= 0 ? logfile_drops_wait(&fwd.drops, now) : -1;
	for (i = 0; i < LOGD_SERVICES; i++) {
		if (streams[i].pipe < 0)
			continue;
		w = logfile_drops_wait(&streams[i].file.drops, now);
		if (w >= 0 && (best < 0 || w < best))
			best = w;
	}
	return best;
}

static void reports(int force)
{
	int i;

	for (i = 0; i < LOGD_SERVICES; i++)
		if (streams[i].pipe >= 0)
			report(&streams[i].file.drops, streams[i].file.name, force);
	if (fwd.fd >= 0)
		report(&fwd.drops, fwd_who, force);
}

/* One read from the pipe, its complete lines logged: bytes read, 0 at EOF, or -errno. */
static ssize_t stream_read(struct stream *s)
{
	ssize_t n;

	do
		n = read(s->pipe, s->buf.data + s->buf.len, sizeof s->buf.data - s->buf.len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	s->buf.len += (size_t)n;
	stamp_now();
	logfile_split(&s->buf, 0, put_line, s);
	return n;
}

/* Read what the pipe holds now (bounded: a writer cannot keep logd here), then the partial line. */
static ssize_t stream_drain(struct stream *s)
{
	size_t total = 0;
	ssize_t n;

	while ((n = stream_read(s)) > 0 && total < LOGD_DRAIN_MAX)
		total += (size_t)n;
	stamp_now();
	logfile_split(&s->buf, 1, put_line, s);
	return n;
}

static void stream_free(struct stream *s)
{
	close(s->pipe);
	s->pipe = -1;
	logfile_close(&s->file);
	report(&s->file.drops, s->file.name, 1);
}

static struct stream *stream_find(const char *name)
{
	int i;

	for (i = 0; i < LOGD_SERVICES; i++)
		if (streams[i].pipe >= 0 && strcmp(streams[i].file.name, name) == 0)
			return &streams[i];
	return NULL;
}

static void stream_event(struct stream *s)
{
	ssize_t n = stream_read(s);

	if (n > 0 || n == -EAGAIN)
		return;
	if (n < 0)
		log_msg(LOG_WARNING, "%s: read: %s", s->file.name, strerror((int)-n));
	/* every writer is gone: nothing more can come */
	stamp_now();
	logfile_split(&s->buf, 1, put_line, s);
	stream_free(s);
}

static void close_fds(const int *fds, int nfds)
{
	int i;

	for (i = 0; i < nfds; i++)
		close(fds[i]);
}

static void refuse(const char *pkt, size_t len, const int *fds, int nfds, const char *why)
{
	char shown[LOGD_PACKET_SHOWN];

	if (len > sizeof shown)
		len = sizeof shown;
	logfile_clean(shown, pkt, len);
	log_msg(LOG_WARNING, "packet '%.*s': %s", (int)len, shown, why);
	close_fds(fds, nfds);
}

static void add(const char *name, int fd)
{
	struct stream *s = stream_find(name);
	int fl = fcntl(fd, F_GETFL);
	int i;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		log_msg(LOG_WARNING, "add %s: fcntl: %s", name, strerror(errno));
		close(fd);
		return;
	}
	if (s != NULL) {
		stream_drain(s);
		close(s->pipe);
		s->pipe = fd;
		return;
	}
	for (i = 0; i < LOGD_SERVICES && streams[i].pipe >= 0; i++)
		;
	if (i == LOGD_SERVICES) {
		log_msg(LOG_WARNING, "add %s: %d services held already", name, LOGD_SERVICES);
		close(fd);
		return;
	}
	s = &streams[i];
	if (logfile_init(&s->file, &dir, name, max_size, keep) < 0) {
		close(fd);
		return;
	}
	s->buf.len = 0;
	s->buf.cut = 0;
	s->pipe = fd;
}

/* Why a packet is refused, or NULL for "add NAME" with one fd or "del NAME" with none. */
static const char *packet_check(char *pkt, size_t len, int flags, int nfds, int *is_add,
				const char **name)
{
	char *sp = memchr(pkt, ' ', len);
	size_t vlen = sp != NULL ? (size_t)(sp - pkt) : len;

	if (flags & MSG_TRUNC)
		return "too long";
	if (flags & MSG_CTRUNC)
		return "too many fds";
	if (vlen == 3 && memcmp(pkt, "add", 3) == 0)
		*is_add = 1;
	else if (vlen == 3 && memcmp(pkt, "del", 3) == 0)
		*is_add = 0;
	else
		return "unknown verb";
	pkt[len] = '\0';
	if (sp == NULL || strlen(sp + 1) != len - vlen - 1 || !svc_name_ok(sp + 1))
		return "bad service name";
	*name = sp + 1;
	if (*is_add && nfds == 0)
		return "no fd attached";
	if (*is_add && nfds > 1)
		return "more than one fd attached";
	if (!*is_add && nfds > 0)
		return "del takes no fd";
	return NULL;
}

static void packet(char *pkt, size_t len, int flags, const int *fds, int nfds)
{
	const char *why, *name = NULL;
	struct stream *s;
	int is_add = 0;

	why = packet_check(pkt, len, flags, nfds, &is_add, &name);
	if (why != NULL) {
		refuse(pkt, len, fds, nfds, why);
		return;
	}
	if (is_add) {
		add(name, fds[0]);
		return;
	}
	/* not held (its pipe already ended) is no error */
	s = stream_find(name);
	if (s != NULL) {
		stream_drain(s);
		stream_free(s);
	}
}

static int take_fds(struct msghdr *mh, int *fds)
{
	struct cmsghdr *c;
	int n = 0;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (k > (size_t)(LOGD_FDS_MAX - n))
			k = (size_t)(LOGD_FDS_MAX - n);
		memcpy(fds + n, CMSG_DATA(c), k * sizeof(int));
		n += (int)k;
	}
	return n;
}

/* The packets waiting on fd 0: 0 when done for now, 1 at EOF, -errno. */
static int control(void)
{
	char pkt[LOGD_PACKET_MAX + 1];
	union {
		char buf[CMSG_SPACE(LOGD_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = pkt, .iov_len = LOGD_PACKET_MAX };
	struct msghdr mh;
	int fds[LOGD_FDS_MAX], nfds, i;
	ssize_t n;

	for (i = 0; i < LOGD_PACKETS_PER_POLL; i++) {
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof cbuf.buf;
		memset(fds, -1, sizeof fds);
		n = recvmsg(0, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			log_msg(LOG_ERR, "fd 0: recvmsg: %s", strerror(errno));
			return -errno;
		}
		nfds = take_fds(&mh, fds);
		if (n == 0 && nfds == 0)
			return 1;
		packet(pkt, (size_t)n, mh.msg_flags, fds, nfds);
	}
	return 0;
}

static int poll_set(void)
{
	int i, n = 1;

	pfds[0].fd = 0;
	pfds[0].events = POLLIN;
	for (i = 0; i < LOGD_SERVICES; i++) {
		if (streams[i].pipe < 0)
			continue;
		pfds[n].fd = streams[i].pipe;
		pfds[n].events = POLLIN;
		polled[n++] = &streams[i];
	}
	return n;
}

/* Until EOF on fd 0 or SIGTERM; then 0, or -errno when fd 0 failed. */
static int serve(const sigset_t *mask)
{
	struct timespec ts, *tp;
	long long wait;
	int i, n, rc;

	for (;;) {
		n = poll_set();
		wait = report_wait();
		tp = NULL;
		if (wait >= 0) {
			ts.tv_sec = (time_t)(wait / 1000);
			ts.tv_nsec = (long)(wait % 1000) * 1000000;
			tp = &ts;
		}
		if (ppoll(pfds, (nfds_t)n, tp, mask) < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			return -errno;
		}
		if (stop)
			return 0;
		for (i = 1; i < n; i++)
			if (pfds[i].revents != 0)
				stream_event(polled[i]);
		if (pfds[0].revents != 0) {
			rc = control();
			if (rc != 0)
				return rc > 0 ? 0 : rc;
		}
		reports(0);
	}
}

static int parse_size(const char *v, unsigned long long *bytes)
{
	char buf[32];
	size_t len = strlen(v);

	if (len == 0 || len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, v, len + 1);
	buf[len - 1] = (char)toupper((unsigned char)buf[len - 1]);
	if (svc_size(buf, bytes) < 0 || *bytes == 0)
		return -EINVAL;
	return 0;
}

static int parse_count(const char *v, unsigned *n)
{
	unsigned long long c;

	if (strlen(v) > 4 || text_uint(v, LOGFILE_KEEP_MAX, &c) < 0)
		return -EINVAL;
	*n = (unsigned)c;
	return 0;
}

static __attribute__((noreturn)) void bad_usage(const char *what, const char *v)
{
	if (what != NULL)
		fprintf(stderr, "logd: %s '%s'\n", what, v);
	fprintf(stderr, "%s\n", usage);
	exit(EXIT_USAGE);
}

static void setup_signals(sigset_t *mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	/* delivered only inside ppoll: no wakeup is lost between the check and the wait */
	sigprocmask(SIG_BLOCK, &block, mask);
	sigdelset(mask, SIGTERM);
	sigdelset(mask, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int main(int argc, char **argv)
{
	const char *remote = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	sigset_t mask;
	int c, type, rc, i;

	log_open("logd", -1, 2, 0);
	opterr = 0;
	while ((c = getopt(argc, argv, "s:n:r:")) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &max_size) < 0)
				bad_usage("-s: not a size (4096, 64k, 1M)", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &keep) < 0)
				bad_usage("-n: not a count from 0 to 1000", optarg);
			break;
		case 'r':
			if (syslogfwd_addr(optarg, &ss, &len) < 0)
				bad_usage("-r: not a numeric ADDR:PORT", optarg);
			remote = optarg;
			break;
		default:
			bad_usage(NULL, NULL);
		}
	}
	if (argc - optind != 1 || argv[optind][0] == '\0')
		bad_usage(NULL, NULL);
	dir.path = argv[optind];
	len = sizeof type;
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET) {
		fprintf(stderr, "logd: fd 0: not a SOCK_SEQPACKET socket\n%s\n", usage);
		return EXIT_USAGE;
	}

	umask(027);
	setup_signals(&mask);
	for (i = 0; i < LOGD_SERVICES; i++)
		streams[i].pipe = -1;
	rc = logfile_dir_open(&dir);
	if (rc < 0)
		log_msg(LOG_ERR, "%s: %s (lines are dropped until it opens)", dir.path, strerror(-rc));
	if (remote != NULL) {
		rc = syslogfwd_open(&fwd, remote);
		if (rc < 0) {
			log_msg(LOG_ERR, "-r %s: %s", remote, strerror(-rc));
			return EXIT_SYSTEM;
		}
		snprintf(fwd_who, sizeof fwd_who, "forward %s", remote);
	}

	rc = serve(&mask);
	for (i = 0; i < LOGD_SERVICES; i++) {
		if (streams[i].pipe >= 0) {
			stream_drain(&streams[i]);
			stream_free(&streams[i]);
		}
	}
	reports(1);
	syslogfwd_close(&fwd);
	return rc < 0 ? EXIT_SYSTEM : 0;
}
