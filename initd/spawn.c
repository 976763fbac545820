/*
 * spawn.c: the real side of the supervisor's seam: start a service with
 * exactly the privileges, limits and file descriptors its file asks for,
 * signal it, probe its readiness.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "spawn.h"

static const char *cg_root = CGROUP_ROOT;
static int cg_usable;

/* spawn_setup: where service cgroups go; usable 0 runs services without. */
void spawn_setup(const char *cgroup_root, int usable)
{
	cg_root = cgroup_root;
	cg_usable = usable;
}

static const char *cg_name(const struct unit *u)
{
	return u->svc.cgroup != NULL ? u->svc.cgroup : u->svc.name;
}

static void fail(const struct unit *u, const char *what) __attribute__((noreturn));
static void fail(const struct unit *u, const char *what)
{
	log_msg(LOG_ERR, "%s: %s: %m", u->svc.name, what);
	_exit(111);
}

static int last_cap(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), n = 40;

	if (fd >= 0) {
		if (read(fd, buf, sizeof buf - 1) > 0)
			n = (int)strtol(buf, NULL, 10);
		close(fd);
	}
	return n > 0 && n < 64 ? n : 40;
}

/*
 * Drop every capability the service does not keep from the bounding set;
 * for root that is all an exec can then have.  A service that runs as
 * another user gets its kept ones as ambient capabilities.
 */
static void drop_caps(const struct unit *u, int will_setuid)
{
	int cap, top = last_cap();

	for (cap = 0; cap <= top; cap++)
		if (!(u->svc.caps & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			fail(u, "drop capability from the bounding set");
	if (will_setuid && u->svc.caps != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(u, "keep capabilities");
}

static void raise_ambient(const struct unit *u)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int cap, top = last_cap();

	memset(data, 0, sizeof data);
	data[0].effective = data[0].permitted = data[0].inheritable = (__u32)u->svc.caps;
	data[1].effective = data[1].permitted = data[1].inheritable = (__u32)(u->svc.caps >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail(u, "capset");
	for (cap = 0; cap <= top; cap++)
		if ((u->svc.caps & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			fail(u, "raise ambient capability");
}

static void stdio_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	ioctl(fd, TIOCSCTTY, 1);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* stdin from /dev/null; stdout and stderr into the log pipe (or console). */
static void stdio_service(const struct unit *u)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), out = u->out[1];

	if (u->stdin_fd >= 0)
		dup2(u->stdin_fd, 0);
	else if (null >= 0)
		dup2(null, 0);
	else
		close(0);	/* never PID 1's console as input */
	if (out < 0)
		out = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
}

/* A child starts as PID 1 left it: signals unblocked and its crash
 * handlers gone (a fault before exec must not reboot the machine). */
static void child_common(void)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	sigset_t none;
	size_t i;

	for (i = 0; i < sizeof faults / sizeof faults[0]; i++)
		signal(faults[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
}

/* Privileges, in the order the kernel needs them: the bounding set while
 * still root, then groups and user, then ambient caps, then no_new_privs. */
static void drop_privileges(const struct unit *u)
{
	const struct svc *c = &u->svc;
	int setuid_to = c->user != NULL && u->uid != 0;

	if (c->caps_set)
		drop_caps(u, setuid_to);
	if (c->user != NULL || c->group != NULL) {
		if (setgroups(1, &u->gid) < 0 || setgid(u->gid) < 0)
			fail(u, "set group");
		if (setuid(u->uid) < 0)
			fail(u, "set user");
		if (setuid_to && c->caps_set && c->caps != 0)
			raise_ambient(u);
	}
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(u, "no_new_privs");
}

static void child_exec(const struct unit *u, int notify)
{
	const struct svc *c = &u->svc;
	char *envp[SVC_ENV_MAX + 4];
	char home[64];
	int i, n = 0, setuid_to = c->user != NULL && u->uid != 0;

	child_common();
	if (cg_usable && cgroup_enter(cg_root, cg_name(u)) < 0)
		fail(u, "join its cgroup");
	if (u->on_console)
		stdio_console();
	else
		stdio_service(u);
	for (i = 0; i < c->nrlimits; i++) {
		struct rlimit rl = { c->rlimits[i].soft, c->rlimits[i].hard };

		if (setrlimit(c->rlimits[i].resource, &rl) < 0)
			fail(u, "setrlimit");
	}
	if (chdir(c->workdir != NULL ? c->workdir : u->on_console ? "/root" : "/") < 0)
		fail(u, "chdir");
	drop_privileges(u);

	envp[n++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	snprintf(home, sizeof home, "HOME=%s", setuid_to ? "/" : "/root");
	envp[n++] = home;
	if (u->on_console)
		envp[n++] = "TERM=linux";
	for (i = 0; i < SVC_ENV_MAX && c->env[i] != NULL; i++)
		envp[n++] = c->env[i];
	envp[n] = NULL;
	/* Last: until now a failure's log line could land in fd N (it may be
	 * the number of one of PID 1's descriptors) and read as "ready". */
	if (notify >= 0 && c->ready == READY_FD) {
		if (notify != c->ready_fd && dup2(notify, c->ready_fd) < 0)
			_exit(111);
		if (notify == c->ready_fd)
			fcntl(notify, F_SETFD, 0);
	}
	execve(c->argv[0], c->argv, envp);
	if (notify >= 0 && c->ready == READY_FD)
		close(c->ready_fd);
	fail(u, c->argv[0]);
}

/* spawn_service: fork and exec u.  0 with u->pid set, or -errno. */
int spawn_service(struct unit *u)
{
	int notify[2] = { -1, -1 }, rc;
	pid_t pid;

	if (cg_usable) {
		rc = cgroup_prepare(cg_root, cg_name(u), u->svc.memory_max, u->svc.cpu_max_percent);
		if (rc < 0) {
			log_msg(LOG_ERR, "%s: cgroup %s/%s/%s: %s", u->svc.name, cg_root, CGROUP_BASE,
				cg_name(u), strerror(-rc));
			return rc;
		}
	} else if (u->svc.memory_max > 0 || u->svc.cpu_max_percent > 0) {
		return -EOPNOTSUPP;	/* never run without the limits asked for */
	}
	if (u->svc.ready == READY_FD) {
		if (pipe2(notify, O_CLOEXEC) < 0)
			return -errno;
		fcntl(notify[0], F_SETFL, O_NONBLOCK);	/* only initd's end */
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(notify[0]);
		close(notify[1]);
		return rc;
	}
	if (pid == 0)
		child_exec(u, notify[1]);
	if (notify[1] >= 0)
		close(notify[1]);
	u->ready_fd = notify[0];
	u->notify_bytes = 0;
	u->pid = pid;
	return 0;
}

/* spawn_check: run the `ready = check:COMMAND` command once, in the
 * service's cgroup and with its privileges: it is the service's code. */
int spawn_check(struct unit *u)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char cmd[SVC_POOL], *argv[SVC_ARGV_MAX + 1];
		static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
		int n;

		child_common();
		if (cg_usable && cgroup_enter(cg_root, cg_name(u)) < 0)
			fail(u, "join its cgroup");
		stdio_service(u);
		if (chdir("/") < 0)
			fail(u, "chdir");
		drop_privileges(u);
		snprintf(cmd, sizeof cmd, "%s", u->svc.ready_arg);
		n = svc_split(cmd, argv, SVC_ARGV_MAX);
		if (n <= 0)
			_exit(100);
		argv[n] = NULL;
		execve(argv[0], argv, envp);
		fail(u, argv[0]);
	}
	u->check_pid = pid;
	return 0;
}

int spawn_kill_check(struct unit *u)
{
	return u->check_pid > 0 && kill(u->check_pid, SIGKILL) < 0 ? -errno : 0;
}

/* spawn_signal: the stop-mode decides who hears it; the main process
 * always does (it may have left its group). */
int spawn_signal(struct unit *u, int sig)
{
	if (u->svc.stop_mode == STOP_CGROUP && cg_usable)
		cgroup_signal(cg_root, cg_name(u), sig);
	if (u->pid <= 0)
		return -ESRCH;
	if (kill(u->pid, sig) < 0)
		return -errno;
	if (sig != SIGKILL && sig != SIGCONT)
		kill(u->pid, SIGCONT);
	return 0;
}

/* spawn_exited: the main process is gone.  In cgroup mode whatever it left
 * behind goes too, so a restart starts clean; in main mode (containerd's
 * shims and containers) it stays. */
void spawn_exited(struct unit *u)
{
	if (u->ready_fd >= 0) {
		close(u->ready_fd);
		u->ready_fd = -1;
	}
	if (u->svc.stop_mode == STOP_CGROUP && cg_usable)
		cgroup_signal(cg_root, cg_name(u), SIGKILL);
}

/* spawn_condition: 1 when the service's condition holds (its file exists). */
int spawn_condition(const struct unit *u)
{
	return u->svc.condition == NULL || access(u->svc.condition, F_OK) == 0;
}

/* spawn_probe: 1 when a ready file exists or a ready socket accepts. */
int spawn_probe(const struct unit *u)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (u->svc.ready == READY_FILE)
		return access(u->svc.ready_arg, F_OK) == 0;
	if (u->svc.ready != READY_SOCKET || strlen(u->svc.ready_arg) >= sizeof sa.sun_path)
		return 0;
	memcpy(sa.sun_path, u->svc.ready_arg, strlen(u->svc.ready_arg) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	/* A full backlog still means something listens. */
	rc = rc == 0 || errno == EAGAIN;
	close(fd);
	return rc;
}

/*
 * spawn_wait: run argv to its end (stage 1, before any service exists),
 * for at most limit_ms: a driver probe that hangs must not hang the boot.
 * Returns its exit status, or -1 when it could not run, was killed, or ran
 * out of time (then it is killed).
 */
int spawn_wait(char *const argv[], long long limit_ms)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const struct timespec tick = { 0, 5L * 1000000 };
	long long waited = 0;
	int status = 0;
	pid_t r, pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		child_common();
		execve(argv[0], argv, envp);
		log_msg(LOG_ERR, "exec %s: %m", argv[0]);
		_exit(127);
	}
	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (waited >= limit_ms) {
			log_msg(LOG_ERR, "%s: still running after %lld ms: killed", argv[0], limit_ms);
			/* Its session (child_common) with it: what it ran too. */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited += 5;
	}
	if (r < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
