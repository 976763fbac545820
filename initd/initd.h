/* initd.h: the parts of Cairn's PID 1 and what they share. */
#ifndef CAIRN_INITD_H
#define CAIRN_INITD_H

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

/* boottime.c */
long long clock_ms(int clock);
int boottime_format(char *buf, size_t size, long long ms);

/* mount.c */
int mount_early(const char *root);

/* mountlist.c */
#define MOUNTLIST_MAX 64
int mountlist_parse(char *buf, char *targets[], int max);

/* net.c */
int net_link_up(const char *ifname);
int net_first_nic(const char *sysfs_net, char *ifname, size_t size);

/* proc.c */
void proc_init(struct proc *p, const char *name, int on_console);
int proc_arg(struct proc *p, const char *arg);
int proc_start(struct proc *p, long long now_ms);
struct proc *proc_find(struct proc *table, int n, pid_t pid);
void proc_exited(struct proc *p, long long now_ms);
long long proc_next_due(const struct proc *table, int n);

/* sysctl.c */
int sysctl_parse_line(char *line, char **key, char **value);
int sysctl_set(const char *procsys, const char *key, const char *value);
int sysctl_apply_file(const char *file, const char *procsys);
int sysctl_apply_dir(const char *dir, const char *procsys);

/* shutdown.c */
#define SHUTDOWN_GRACE_MS 5000
void shutdown_run(int how) __attribute__((noreturn));
int shutdown_unmount(const char *mounts_path);
void crash(int sig) __attribute__((noreturn));

#endif
