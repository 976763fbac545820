/* sup.h: the supervisor: every service's state, and the events that move it. */
#ifndef CAIRN_INITD_SUP_H
#define CAIRN_INITD_SUP_H

#include <stdint.h>
#include <sys/types.h>

#include "svcfile.h"

#define SUP_READY_POLL_MS 100	/* how often file/socket readiness is probed */
#define SUP_CHECK_EVERY_MS 250	/* how often a failed ready check runs again */

enum unit_state {
	UNIT_DOWN,		/* not running, not wanted, or done */
	UNIT_WAITING,		/* wanted; waits for its dependencies */
	UNIT_STARTING,		/* running, not ready yet */
	UNIT_UP,		/* running and ready */
	UNIT_STOPPING,		/* stop signal sent; KILL at due_ms */
	UNIT_BACKOFF,		/* exited; starts again at due_ms */
	UNIT_FAILED,		/* gave up: restart limit, or a bad definition */
	UNIT_DONE,		/* a `ready = exit` service that exited 0: counts as ready */
	UNIT_SKIPPED		/* its condition did not hold: not started, counts as ready */
};

/*
 * One slot of the service table.  The table is sized at start with room for
 * services added by reload; a slot is filled in place and never copied.
 */
struct unit {
	struct svc svc;
	int used;
	enum unit_state state;
	int want_up;
	int bad;			/* definition unusable: never starts */
	int removed;			/* reload dropped it: free once down */
	int reparse;			/* reload changed it: reload once down */
	int internal;			/* initd's own (logd): stops last */
	int on_console;			/* stdio on /dev/console (the shell) */
	int dep[SVC_DEPS_MAX];		/* table indexes of svc.depends */
	uid_t uid;
	gid_t gid;
	pid_t pid;			/* main process, 0 when none */
	pid_t check_pid;		/* ready check command, 0 when none */
	int ready_fd;			/* read end of the notification pipe */
	unsigned notify_bytes;		/* read from it without a newline */
	int stdin_fd;			/* given as fd 0 (logd's link), or -1 */
	int from_file;			/* defined in the service directory */
	int out[2];			/* stdout+stderr pipe; initd keeps both ends */
	int out_pending;		/* its read end not yet handed to logd */
	long long started_ms;		/* monotonic, of the last start */
	long long ready_ms;		/* CLOCK_BOOTTIME when last ready; 0 never */
	long long due_ms;		/* next timed event: restart, KILL, probe */
	unsigned delay_ms;		/* the next restart delay */
	unsigned restarts;		/* since the service was last started by hand */
	long long window_ms;		/* start of the restart-limit window */
	unsigned window_restarts;
	int last_status;		/* wait status of the last exit; -1: none */
	uint64_t hash;			/* of the service file: reload sees changes */
};

/* The syscall seam: the real ones fork, signal and probe; tests fake them. */
struct sup_ops {
	long long (*now)(void);			/* CLOCK_MONOTONIC, ms */
	long long (*boottime)(void);		/* CLOCK_BOOTTIME, ms */
	int (*spawn)(struct unit *u);		/* set u->pid; 0 or -errno */
	int (*spawn_check)(struct unit *u);	/* set u->check_pid; 0 or -errno */
	int (*signal)(struct unit *u, int sig);	/* per stop-mode */
	int (*kill_check)(struct unit *u);	/* SIGKILL the ready check */
	void (*exited)(struct unit *u);		/* main is gone: clear the rest */
	int (*probe)(const struct unit *u);	/* file/socket ready: 1, 0 */
	int (*condition)(const struct unit *u);	/* its condition holds: 1, 0 */
	void (*note)(const struct unit *u, int level, const char *msg);
};

struct sup {
	struct unit *units;
	int cap;
	int stopping;			/* shutdown: everything goes down */
	const struct sup_ops *ops;
};

void sup_init(struct sup *s, struct unit *table, int cap, const struct sup_ops *ops);
struct unit *sup_find(struct sup *s, const char *name);
struct unit *sup_find_pid(struct sup *s, pid_t pid);
struct unit *sup_free_slot(struct sup *s);
void sup_resolve(struct sup *s);
long long sup_step(struct sup *s);
void sup_reaped(struct sup *s, pid_t pid, int status);
void sup_notified(struct sup *s, struct unit *u);
int sup_start(struct sup *s, struct unit *u);
int sup_stop(struct sup *s, struct unit *u);
int sup_restart(struct sup *s, struct unit *u);
void sup_shutdown(struct sup *s);
int sup_all_down(const struct sup *s);
int sup_running(const struct unit *u);
int sup_ready(const struct unit *u);
const char *sup_state_name(enum unit_state st);

#endif
