/* initctl.c: ask initd (PID 1) about services, or to change them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define TAIL_MAX 262144	/* the most of a log file `log` reads */

static const char usage[] =
	"usage: initctl [-s SOCKET] COMMAND [NAME]\n"
	"\n"
	"Commands:\n"
	"  status [NAME]    state, pid, uptime, restarts and last exit of services\n"
	"  start NAME       start a service (a failed one gets a fresh restart budget)\n"
	"  stop NAME        stop a service (its stop-signal, SIGKILL after stop-timeout)\n"
	"  restart NAME     stop, then start again\n"
	"  log [-n N] NAME  the last N (100) lines of a service's log; NAME initd: initd's own\n"
	"  reload           re-read /etc/initd: new services start, removed ones stop,\n"
	"                   changed ones restart\n"
	"  timeline         when each service became ready, seconds since kernel start\n"
	"  poweroff, reboot, halt\n"
	"                   stop every service in reverse dependency order, then the machine\n"
	"\n"
	"Exit status: 0 done, 1 initd refused or failed it, 100 usage, 111 system error.\n";

static void die_usage(const char *why)
{
	fprintf(stderr, "initctl: %s\n%s", why, usage);
	exit(100);
}

static void die_sys(const char *what)
{
	fprintf(stderr, "initctl: %s: %s\n", what, strerror(errno));
	exit(111);
}

/* Print the last n lines of path. */
static int print_tail(const char *path, long n)
{
	static char buf[TAIL_MAX + 1];
	struct stat st;
	ssize_t r;
	size_t len = 0;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT) {
			fprintf(stderr, "initctl: %s: no log yet\n", path);
			return 1;
		}
		die_sys(path);
	}
	if (fstat(fd, &st) == 0 && st.st_size > TAIL_MAX)
		lseek(fd, st.st_size - TAIL_MAX, SEEK_SET);
	while (len < TAIL_MAX && (r = read(fd, buf + len, TAIL_MAX - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	p = buf + len;
	if (p > buf && p[-1] == '\n')
		p--;
	while (p > buf && n > 0) {
		p--;
		if (*p == '\n' && --n == 0) {
			p++;
			break;
		}
	}
	fputs(p, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = CTL_SOCKET;
	char req[CTL_REQ_MAX + 1], reply[CTL_REPLY_MAX + 1], err[160];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_req parsed;
	long lines = 100;
	int i = 1, fd, n, rc = 0;
	ssize_t r;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		sock = argv[2];
		i = 3;
	}
	if (i >= argc)
		die_usage("no command");
	if (strcmp(argv[i], "log") == 0 && i + 2 < argc && strcmp(argv[i + 1], "-n") == 0) {
		char *end;

		lines = strtol(argv[i + 2], &end, 10);
		if (*end != '\0' || lines <= 0)
			die_usage("log -n needs a positive number");
		memmove(&argv[i + 1], &argv[i + 3], sizeof *argv * (size_t)(argc - i - 2));
		argc -= 2;
	}
	if (argc - i > 2)
		die_usage("too many arguments");
	n = snprintf(req, sizeof req, "%s%s%s", argv[i], argc - i == 2 ? " " : "",
		     argc - i == 2 ? argv[i + 1] : "");
	if (n < 0 || (size_t)n >= sizeof req)
		die_usage("request too long");
	if (ctl_parse(req, (size_t)n, &parsed, err, sizeof err) < 0)
		die_usage(err);

	if (strlen(sock) >= sizeof sa.sun_path)
		die_usage("socket path too long");
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_sys("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die_sys(sock);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) < 0)
		die_sys("send");
	for (;;) {
		r = recv(fd, reply, CTL_REPLY_MAX, 0);
		if (r < 0)
			die_sys("receive");
		if (r == 0) {
			fprintf(stderr, "initctl: initd closed the connection without an answer\n");
			return 111;
		}
		reply[r] = '\0';
		if (strcmp(reply, "ok") == 0)
			break;
		if (strncmp(reply, "error ", 6) == 0) {
			fprintf(stderr, "initctl: %s\n", reply + 6);
			return 1;
		}
		if (reply[0] != '+') {
			fprintf(stderr, "initctl: initd sent a line this initctl does not know: %s\n",
				reply);
			return 111;
		}
		if (parsed.verb == CTL_LOG && strncmp(reply + 1, "file ", 5) == 0)
			rc |= print_tail(reply + 6, lines);
		else
			puts(reply + 1);
	}
	close(fd);
	return rc;
}
