/* proc.h: the processes initd keeps running, and their restart backoff. */
#ifndef CAIRN_INITD_PROC_H
#define CAIRN_INITD_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The few processes the first-cut init keeps running (the full supervisor
 * with service files is initd's own issue). */
#define PROC_MAX 8
#define PROC_ARGV_MAX 12
#define PROC_ARGBUF 256

struct proc {
	const char *name;
	char *argv[PROC_ARGV_MAX];
	char argbuf[PROC_ARGBUF];	/* argv's strings: no malloc in PID 1 */
	size_t argused;
	int on_console;		/* own session with /dev/console as its tty */
	pid_t pid;		/* 0 when not running */
	long long started_ms;	/* CLOCK_MONOTONIC of the last start */
	long long due_ms;	/* when a stopped one may start again */
	unsigned backoff_ms;
};

void proc_init(struct proc *p, const char *name, int on_console);
int proc_arg(struct proc *p, const char *arg);
int proc_start(struct proc *p, long long now_ms);
struct proc *proc_find(struct proc *table, int n, pid_t pid);
void proc_exited(struct proc *p, long long now_ms);
long long proc_next_due(const struct proc *table, int n);

#endif
