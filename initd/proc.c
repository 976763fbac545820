/* proc.c: start the first-cut init's few processes and restart them with backoff. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "proc.h"
#include "log.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
/* A process that ran this long was healthy: its backoff starts over. */
#define HEALTHY_MS 10000

void proc_init(struct proc *p, const char *name, int on_console)
{
	memset(p, 0, sizeof *p);
	p->name = name;
	p->on_console = on_console;
}

/* proc_arg: append a copy of one argument; -E2BIG when argv or its buffer is full. */
int proc_arg(struct proc *p, const char *arg)
{
	size_t len = strlen(arg) + 1;
	int i;

	for (i = 0; i < PROC_ARGV_MAX - 1 && p->argv[i] != NULL; i++)
		;
	if (i == PROC_ARGV_MAX - 1 || len > sizeof p->argbuf - p->argused)
		return -E2BIG;
	p->argv[i] = memcpy(p->argbuf + p->argused, arg, len);
	p->argused += len;
	return 0;
}

static void child_exec(const struct proc *p)
{
	static char *const envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=linux", NULL
	};
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (p->on_console) {
		fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		chdir("/root");
	}
	execve(p->argv[0], p->argv, envp);
	log_msg(LOG_ERR, "exec %s: %m", p->argv[0]);
	_exit(127);
}

/* proc_start: fork and exec p.  Returns 0 or -errno (p stays stopped). */
int proc_start(struct proc *p, long long now_ms)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(p);
	p->pid = pid;
	p->started_ms = now_ms;
	return 0;
}

struct proc *proc_find(struct proc *table, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (table[i].pid == pid && pid > 0)
			return &table[i];
	return NULL;
}

/*
 * proc_exited: p's process is gone; schedule its restart.  The delay
 * doubles on each quick exit up to BACKOFF_MAX_MS, so a crashing program
 * cannot spin the machine, and starts over after a healthy run.
 */
void proc_exited(struct proc *p, long long now_ms)
{
	if (now_ms - p->started_ms >= HEALTHY_MS || p->backoff_ms == 0)
		p->backoff_ms = BACKOFF_MIN_MS;
	else if (p->backoff_ms < BACKOFF_MAX_MS / 2)
		p->backoff_ms *= 2;
	else
		p->backoff_ms = BACKOFF_MAX_MS;
	p->pid = 0;
	p->due_ms = now_ms + p->backoff_ms;
}

/* proc_next_due: the earliest restart time of a stopped process, or -1. */
long long proc_next_due(const struct proc *table, int n)
{
	long long due = -1;
	int i;

	for (i = 0; i < n; i++)
		if (table[i].name != NULL && table[i].pid == 0 &&
		    (due < 0 || table[i].due_ms < due))
			due = table[i].due_ms;
	return due;
}
