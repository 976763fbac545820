/* api_priv_test.c: the API's privileged helper takes its fixed request
 * set and nothing else: a request outside it, an argument it does not
 * take or without its end, a message of another size, with no stream, two,
 * or a file that is not a socket, are refused; an answer goes back whole. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api_priv.h"
#include "check.h"

static struct priv_req req(enum priv_op op, const char *arg)
{
	struct priv_req r;

	memset(&r, 0, sizeof r);
	r.op = op;
	snprintf(r.arg, sizeof r.arg, "%s", arg);
	return r;
}

static int check(struct priv_req r, const char *want)
{
	char why[512] = "";
	int rc = priv_check(&r, why, sizeof why);

	return want == NULL ? rc == 0 : rc == -EINVAL && strstr(why, want) != NULL;
}

static void test_check(void)
{
	struct priv_req r;

	CHECK(check(req(PRIV_SERVICES, ""), NULL));
	CHECK(check(req(PRIV_LOG, "containerd"), NULL));
	CHECK(check(req(PRIV_DRAIN, "PSU+swap:rack-3"), NULL));
	CHECK(check(req(0, ""), "no request 0"));
	CHECK(check(req(PRIV_OP_END, ""), "no request"));
	CHECK(check(req(PRIV_REBOOT, "now"), "takes no argument"));
	CHECK(check(req(PRIV_LOG, "../etc"), "a service's name"));
	CHECK(check(req(PRIV_LOG, ""), "a service's name"));
	CHECK(check(req(PRIV_LOG, "-x"), "a service's name"));
	CHECK(check(req(PRIV_DRAIN, ""), "drain: ?reason"));
	CHECK(check(req(PRIV_DRAIN, "a%0Ab"), "drain: ?reason"));
	CHECK(check(req(PRIV_DRAIN, "x\n"), "drain: ?reason"));
	r = req(PRIV_OS_UPDATE, "https://repo.test/cairn/");
	r.tries = 3;
	CHECK(check(r, NULL));
	r.tries = 0;
	CHECK(check(r, "tries is 1 to 9"));
	r.tries = 10;
	CHECK(check(r, "tries is 1 to 9"));
	r.tries = 1;
	r.reboot = PRIV_UPDATE_STAGE;
	CHECK(check(r, NULL));
	r.reboot = PRIV_UPDATE_STAGE + 1;
	CHECK(check(r, "reboot is yes or no, stage yes or no, not both"));
	r = req(PRIV_OS_UPDATE, "http://plain.test/");
	r.tries = 3;
	CHECK(check(r, "not an https:// URL or an absolute path"));
	r = req(PRIV_OS_UPDATE, "/dev/vdz $(reboot)");
	r.tries = 3;
	CHECK(check(r, "not an https:// URL"));
	r = req(PRIV_OS_UPDATE, "");
	r.tries = 3;
	CHECK(check(r, NULL));			/* the config's repo */
	r = req(PRIV_LOG, "containerd");
	memset(r.who, 'x', sizeof r.who);	/* no end */
	CHECK(check(r, "without its end"));
	r = req(PRIV_LOG, "");
	memset(r.arg, 'a', sizeof r.arg);
	CHECK(check(r, "without its end"));
}

/* Send LEN bytes of R on SOCK with the NFD descriptors FDS. */
static int send_with(int sock, void *r, size_t len, const int *fds, int nfd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct iovec iov = { r, len };
	struct msghdr m;

	memset(&m, 0, sizeof m);
	memset(&cm, 0, sizeof cm);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (nfd > 0) {
		m.msg_control = cm.buf;
		m.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), fds, (size_t)nfd * sizeof(int));
	}
	return sendmsg(sock, &m, 0) == (ssize_t)len ? 0 : -errno;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void test_recv(void)
{
	struct priv_req r = req(PRIV_SERVICES, ""), got;
	int sv[2] = { -1, -1 }, a[2] = { -1, -1 }, b[2] = { -1, -1 }, pipefd[2] = { -1, -1 }, fd = -1, before;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
	CHECK(pipe(pipefd) == 0);
	CHECK(priv_recv(sv[1], &got, &fd) == -EAGAIN);
	CHECK(send_with(sv[0], &r, sizeof r, a, 1) == 0);
	CHECK(priv_recv(sv[1], &got, &fd) == 0 && fd >= 0 && got.op == PRIV_SERVICES);
	close(fd);
	before = open_fds();
	CHECK(send_with(sv[0], &r, sizeof r - 1, a, 1) == 0);			/* short */
	CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG && fd == -1);
	{
		char big[sizeof r + 16];

		memset(big, 0, sizeof big);
		CHECK(send_with(sv[0], big, sizeof big, a, 1) == 0);		/* long */
		CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG);
	}
	CHECK(send_with(sv[0], &r, sizeof r, NULL, 0) == 0);			/* no stream */
	CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG);
	{
		int two[2] = { a[0], b[0] };

		CHECK(send_with(sv[0], &r, sizeof r, two, 2) == 0);		/* two */
		CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG);
	}
	CHECK(send_with(sv[0], &r, sizeof r, &pipefd[1], 1) == 0);		/* not a socket */
	CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG);
	CHECK(send_with(sv[0], &r, sizeof r, &sv[0], 1) == 0);			/* not a stream */
	CHECK(priv_recv(sv[1], &got, &fd) == -EBADMSG);
	/* What came with the refused messages was closed. */
	CHECK(open_fds() == before);
	close(sv[0]);
	close(sv[1]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* A call answered by a helper in another process, body whole. */
static void test_call(void)
{
	struct priv_req r = req(PRIV_LOG, "containerd");
	struct reply out = { 0, NULL, NULL, 0, NULL };
	int sv[2], status;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		struct priv_req got;
		struct reply a = { 0, NULL, NULL, 0, NULL };
		int fd = -1, rc;

		while ((rc = priv_recv(sv[1], &got, &fd)) == -EAGAIN)
			usleep(1000);
		if (rc < 0 || strcmp(got.arg, "containerd") != 0)
			_exit(1);
		reply_text(&a, 200, "log of %s: %0*d\n", got.arg, 200000, 7);
		priv_send_answer(fd, &a);
		_exit(0);
	}
	CHECK(priv_call(sv[0], &r, &out) == 0);
	CHECK(out.status == 200 && out.len == strlen("log of containerd: \n") + 200000);
	CHECK(out.body != NULL && strncmp(out.body, "log of containerd: 000", 22) == 0 && out.body[out.len] == '\0');
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* No helper: the client gets a 502, not a hang. */
	close(sv[1]);
	CHECK(priv_call(sv[0], &r, &out) == 0 && out.status == 502 &&
	      strstr(out.body, "the API's helper did not answer") != NULL);
	reply_free(&out);
	close(sv[0]);
}

int main(void)
{
	RUN(test_check);
	RUN(test_recv);
	RUN(test_call);
	return CHECK_DONE();
}
