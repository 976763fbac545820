/*
 * netapply.c: take a network plan's steps (netplan.c) on this node: `ip`
 * commands through ip(8) (BusyBox's on a node), sysfs writes, and one DHCP
 * client (BusyBox udhcpc) per interface that asks for it, kept running.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "net/netapply.h"

#define WORDS_MAX 16

static int split(char *line, char **argv)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " ", &save); w != NULL && n < WORDS_MAX - 1; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

/* Run argv, its output to ours; 0 when it exits 0. */
static int run(char *const *argv, struct perr *e)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return perr(e, -EINVAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "cairn-agent: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return perr(e, -EINVAL, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -EIO;
}

static int write_attr(const char *path, const char *value, struct perr *e)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return perr(e, -EINVAL, "%s: %s", path, strerror(errno));
	w = write(fd, value, len);
	if (w < 0 || (size_t)w != len) {
		int no = w < 0 ? errno : EIO;

		close(fd);
		return perr(e, -EINVAL, "%s: writing %s: %s", path, value, strerror(no));
	}
	return close(fd) < 0 ? perr(e, -EINVAL, "%s: %s", path, strerror(errno)) : 0;
}

/*
 * netapply_steps: every step but `dhcp`, in order, each said on out; stops
 * at the first that fails, named in e.  ip is the ip(8) to run.
 */
int netapply_steps(const struct netplan *p, const char *ip, FILE *out, struct perr *e)
{
	char line[NP_STEP], prog[256], *argv[WORDS_MAX];
	int i, n, rc;

	if (strlen(ip) >= sizeof prog)
		return perr(e, -EINVAL, "%s: name too long", ip);
	memcpy(prog, ip, strlen(ip) + 1);

	for (i = 0; i < p->n; i++) {
		if (strncmp(p->step[i], "dhcp ", 5) == 0)
			continue;
		fprintf(out, "net: %s\n", p->step[i]);
		fflush(out);
		snprintf(line, sizeof line, "%s", p->step[i]);
		n = split(line, argv);
		if (n == 0)
			continue;	/* blank: nothing to run (netplan makes none) */
		if (strcmp(argv[0], "write") == 0 && n == 3) {
			rc = write_attr(argv[1], argv[2], e);
		} else {
			argv[0] = prog;
			rc = run(argv, e);
			if (rc == -EIO)
				perr(e, -EINVAL, "%s: failed", p->step[i]);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The interface has an IPv4 address other than a link-local one. */
static int has_ipv4(const char *ifname)
{
	struct ifaddrs *all, *a;
	int found = 0;

	if (getifaddrs(&all) < 0)
		return 0;
	for (a = all; a != NULL && !found; a = a->ifa_next)
		if (a->ifa_addr != NULL && a->ifa_addr->sa_family == AF_INET && strcmp(a->ifa_name, ifname) == 0)
			found = 1;
	freeifaddrs(all);
	return found;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static pid_t dhcp_start(const char *udhcpc, const char *ifname, int static_dns)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = SIG_DFL };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		if (static_dns)
			setenv("CAIRN_DNS_STATIC", "1", 1);
		/* -f: in the foreground; -R: release the lease when stopped. */
		execlp(udhcpc, udhcpc, "-f", "-R", "-i", ifname, (char *)NULL);
		fprintf(stderr, "cairn-agent: %s: %s\n", udhcpc, strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * netapply_dhcp: a DHCP client on each `dhcp` step's interface, restarted
 * when it exits, until SIGTERM.  notify (>= 0) gets one line once every
 * such interface has an IPv4 address, or after wait_s seconds with the
 * ones that have none named on out: a node with one dead link still boots.
 */
int netapply_dhcp(const struct netplan *p, const char *udhcpc, int static_dns, int notify, int wait_s,
		  FILE *out)
{
	const char *ifs[NP_STEPS_MAX];
	pid_t pids[NP_STEPS_MAX];
	time_t restart_at[NP_STEPS_MAX];
	struct sigaction sa = { .sa_handler = on_term };
	time_t start = time(NULL);
	int n = 0, i, told = 0;

	for (i = 0; i < p->n; i++)
		if (strncmp(p->step[i], "dhcp ", 5) == 0)
			ifs[n++] = p->step[i] + 5;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < n; i++) {
		pids[i] = dhcp_start(udhcpc, ifs[i], static_dns);
		restart_at[i] = 0;
		fprintf(out, "net: %s: DHCP client started\n", ifs[i]);
	}
	fflush(out);
	while (!stop) {
		int status, bound = 0;
		pid_t pid;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < n; i++)
				if (pids[i] == pid) {
					fprintf(out, "net: %s: DHCP client exited; restart in 5 s\n", ifs[i]);
					pids[i] = 0;
					restart_at[i] = time(NULL) + 5;
				}
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0 && restart_at[i] <= time(NULL))
				pids[i] = dhcp_start(udhcpc, ifs[i], static_dns);
			bound += has_ipv4(ifs[i]);
		}
		if (!told && (bound == n || time(NULL) - start >= wait_s)) {
			for (i = 0; i < n; i++)
				if (!has_ipv4(ifs[i]))
					fprintf(out, "net: %s: no DHCP lease after %d s; still trying\n", ifs[i], wait_s);
			fprintf(out, "net: ready\n");
			if (notify >= 0) {
				(void)!write(notify, "\n", 1);
				close(notify);
			}
			told = 1;
		}
		fflush(out);
		usleep(told ? 1000000 : 200000);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	return 0;
}
