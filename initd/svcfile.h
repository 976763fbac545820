/* svcfile.h: service definitions, one `key = value` file per service. */
#ifndef CAIRN_INITD_SVCFILE_H
#define CAIRN_INITD_SVCFILE_H

#include <stddef.h>

#define SVC_NAME_MAX 32		/* with the NUL */
#define SVC_ARGV_MAX 32
#define SVC_ENV_MAX 16
#define SVC_DEPS_MAX 8
#define SVC_RLIMITS_MAX 8
#define SVC_POOL 2048		/* every string of one service */
#define SVC_FILE_MAX 16384	/* the largest service file read */

enum svc_ready { READY_START, READY_FD, READY_FILE, READY_SOCKET, READY_CHECK, READY_EXIT };
enum svc_restart { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum svc_stop_mode { STOP_CGROUP, STOP_MAIN };

struct svc_rlimit {
	int resource;
	unsigned long long soft, hard;
};

/*
 * One parsed service, filled in place (in a table sized at start) and
 * never copied.  Its strings live in its own pool, allocated to fit once
 * the file is parsed: a table slot stays small, and PID 1's resident
 * pages grow with what its services say, not with SVC_POOL.
 */
struct svc {
	char name[SVC_NAME_MAX];
	char *argv[SVC_ARGV_MAX + 1];
	char *env[SVC_ENV_MAX + 1];
	char *depends[SVC_DEPS_MAX];
	int ndepends;
	char *user, *group, *workdir;
	enum svc_ready ready;
	int ready_fd;
	char *ready_arg;		/* path (file, socket) or command (check) */
	char *condition;		/* a path that must exist to start; NULL: none */
	enum svc_restart restart;
	unsigned restart_delay_ms, restart_delay_max_ms;
	unsigned restart_limit, restart_window_ms;
	int stop_signal;
	unsigned stop_timeout_ms;
	enum svc_stop_mode stop_mode;
	int caps_set;			/* 0: keep the bounding set as it is */
	unsigned long long caps;	/* bit n: capability n is kept */
	int no_new_privs;
	struct svc_rlimit rlimits[SVC_RLIMITS_MAX];
	int nrlimits;
	char *cgroup;
	unsigned long long memory_max;	/* bytes; 0: no limit */
	unsigned cpu_max_percent;	/* 0: no limit */
	char *pool;			/* svc_parse's; svc_free gives it back */
	size_t pool_used;
};

int svc_name_ok(const char *name);
int svc_parse(struct svc *s, const char *name, const char *text, size_t len,
	      char *err, size_t errsize);
int svc_load(struct svc *s, const char *dir, const char *name, char *err, size_t errsize);
void svc_free(struct svc *s);
int svc_split(char *line, char *words[], int max);
int svc_duration(const char *v, unsigned *ms);
int svc_size(const char *v, unsigned long long *bytes);
int svc_signal(const char *v);
int svc_cap(const char *v);

#endif
