/*
 * sup.c: the supervisor's state machine.  It decides; the ops in struct
 * sup_ops act (fork, signal, probe), so every decision here is tested
 * without a process being made (dinit's bp_sys seam).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "depgraph.h"
#include "log.h"
#include "sup.h"

/* A run this long was healthy: the restart delay starts over. */
#define SUP_HEALTHY_MS 10000

static const char *const state_names[] = {
	[UNIT_DOWN] = "down", [UNIT_WAITING] = "waiting", [UNIT_STARTING] = "starting",
	[UNIT_UP] = "up", [UNIT_STOPPING] = "stopping", [UNIT_BACKOFF] = "backoff",
	[UNIT_FAILED] = "failed", [UNIT_DONE] = "done", [UNIT_SKIPPED] = "skipped",
};

const char *sup_state_name(enum unit_state st)
{
	return (unsigned)st < sizeof state_names / sizeof state_names[0] ? state_names[st] : "?";
}

static __attribute__((format(printf, 4, 5))) void note(struct sup *s, const struct unit *u,
							int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->ops->note(u, level, msg);
}

/* sup_init: the supervisor over TABLE's CAP slots, zeroed (calloc) or
 * used by an earlier sup_init. */
void sup_init(struct sup *s, struct unit *table, int cap, const struct sup_ops *ops)
{
	int i;

	memset(s, 0, sizeof *s);
	s->units = table;
	s->cap = cap;
	s->ops = ops;
	/* A slot is cleared when it is taken (sup_free_slot): the free ones
	 * of a zeroed table stay untouched, pages the kernel never gives. */
	for (i = 0; i < cap; i++)
		if (table[i].used) {
			svc_free(&table[i].svc);
			memset(&table[i], 0, sizeof table[i]);
		}
}

struct unit *sup_find(struct sup *s, const char *name)
{
	int i;

	for (i = 0; i < s->cap; i++)
		if (s->units[i].used && strcmp(s->units[i].svc.name, name) == 0)
			return &s->units[i];
	return NULL;
}

struct unit *sup_find_pid(struct sup *s, pid_t pid)
{
	int i;

	for (i = 0; pid > 0 && i < s->cap; i++)
		if (s->units[i].used && (s->units[i].pid == pid || s->units[i].check_pid == pid))
			return &s->units[i];
	return NULL;
}

/* sup_free_slot: an unused slot, cleared, or NULL when the table is full. */
struct unit *sup_free_slot(struct sup *s)
{
	struct unit *u;
	int i;

	for (i = 0; i < s->cap; i++) {
		u = &s->units[i];
		if (u->used)
			continue;
		svc_free(&u->svc);	/* a removed service's strings */
		memset(u, 0, sizeof *u);
		u->ready_fd = u->stdin_fd = -1;
		u->out[0] = u->out[1] = -1;
		u->last_status = -1;
		memset(u->dep, 0xff, sizeof u->dep);	/* -1: not resolved yet */
		return u;
	}
	return NULL;
}

int sup_running(const struct unit *u)
{
	return u->pid != 0;
}

/* sup_ready: what a dependent waits for: up, a setup step done, or a
 * service whose condition did not hold (what needs it decides for itself). */
int sup_ready(const struct unit *u)
{
	return u->state == UNIT_UP || u->state == UNIT_DONE || u->state == UNIT_SKIPPED;
}

/*
 * sup_resolve: turn every `depends` name into a table index, and leave out
 * (bad bit 2) what depends on an unknown service or sits on a cycle, with
 * the reasons noted.  Runs after the table changes (start, reload).
 */
void sup_resolve(struct sup *s)
{
	struct svc *svcs[DEPGRAPH_MAX];
	int idx[DEPGRAPH_MAX], order[DEPGRAPH_MAX], bad[DEPGRAPH_MAX];
	static char err[4096];
	int i, k, n = 0;
	char *line, *nl;

	for (i = 0; i < s->cap && n < DEPGRAPH_MAX; i++) {
		if (!s->units[i].used)
			continue;
		idx[n] = i;
		svcs[n++] = &s->units[i].svc;
	}
	if (depgraph_order(svcs, n, order, bad, err, sizeof err) < 0)
		return;
	for (i = 0; i < n; i++) {
		struct unit *u = &s->units[idx[i]];
		int was = u->bad & 2;

		u->bad = (u->bad & ~2) | (bad[i] ? 2 : 0);
		for (k = 0; k < u->svc.ndepends; k++) {
			struct unit *d = sup_find(s, u->svc.depends[k]);

			u->dep[k] = d != NULL ? (int)(d - s->units) : -1;
		}
		if ((u->bad & 2) && !was && !sup_running(u))
			u->state = UNIT_FAILED;
		else if (!(u->bad & 2) && was && u->state == UNIT_FAILED)
			u->state = UNIT_DOWN;
	}
	for (line = err; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		note(s, NULL, LOG_ERR, "%s", line);
	}
}

static void become_up(struct sup *s, struct unit *u)
{
	u->state = UNIT_UP;
	u->ready_ms = s->ops->boottime();
	note(s, u, LOG_NOTICE, "ready (pid %d)", (int)u->pid);
}

static void stop_unit(struct sup *s, struct unit *u, long long now)
{
	if (u->check_pid != 0)
		s->ops->kill_check(u);
	u->state = UNIT_STOPPING;
	u->due_ms = now + u->svc.stop_timeout_ms;
	s->ops->signal(u, u->svc.stop_signal);
}

/* Describe a wait status the way a person reads it. */
static void describe(char *buf, size_t size, int status)
{
	if (status < 0)
		snprintf(buf, size, "could not start");
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
}

/* The main process is gone (or never came): restart, give up, or rest. */
static void main_gone(struct sup *s, struct unit *u, int status, long long now)
{
	struct svc *c = &u->svc;
	char how[48];

	u->last_status = status;
	describe(how, sizeof how, status);
	if (u->state == UNIT_STOPPING || !u->want_up || s->stopping) {
		u->state = UNIT_DOWN;
		note(s, u, LOG_NOTICE, "stopped (%s)", how);
		return;
	}
	/* A setup step (ready = exit) is ready when it has done its work. */
	if (c->ready == READY_EXIT && u->state == UNIT_STARTING && status == 0) {
		u->state = UNIT_DONE;
		u->ready_ms = s->ops->boottime();
		note(s, u, LOG_NOTICE, "done: ready");
		return;
	}
	if (c->restart == RESTART_NEVER ||
	    (c->restart == RESTART_ON_FAILURE && status >= 0 && WIFEXITED(status) &&
	     WEXITSTATUS(status) == 0)) {
		u->state = UNIT_DOWN;
		u->want_up = 0;
		note(s, u, status == 0 ? LOG_NOTICE : LOG_WARNING, "%s, not restarted (restart = %s)",
		     how, c->restart == RESTART_NEVER ? "never" : "on-failure");
		return;
	}
	if (now - u->started_ms >= SUP_HEALTHY_MS)
		u->delay_ms = c->restart_delay_ms;
	if (u->window_restarts == 0 || now - u->window_ms >= c->restart_window_ms) {
		u->window_ms = now;
		u->window_restarts = 0;
	}
	if (u->window_restarts >= c->restart_limit) {
		u->state = UNIT_FAILED;
		note(s, u, LOG_ERR, "%s; failed: %u restarts within %u ms (initctl start %s tries again)",
		     how, u->window_restarts, c->restart_window_ms, c->name);
		return;
	}
	u->window_restarts++;
	u->restarts++;
	u->state = UNIT_BACKOFF;
	u->due_ms = now + u->delay_ms;
	note(s, u, LOG_WARNING, "%s; restart %u in %u ms", how, u->window_restarts, u->delay_ms);
	u->delay_ms = u->delay_ms > c->restart_delay_max_ms / 2 ? c->restart_delay_max_ms
								  : u->delay_ms * 2;
}

static void start_unit(struct sup *s, struct unit *u, long long now)
{
	int rc;

	if (u->delay_ms == 0)
		u->delay_ms = u->svc.restart_delay_ms;
	u->started_ms = now;
	u->state = UNIT_STARTING;
	rc = s->ops->spawn(u);
	if (rc < 0) {
		note(s, u, LOG_ERR, "cannot start: %s", strerror(-rc));
		main_gone(s, u, -1, now);
		return;
	}
	note(s, u, LOG_INFO, "started (pid %d)", (int)u->pid);
	u->due_ms = now;
	if (u->svc.ready == READY_START)
		become_up(s, u);
}

static int deps_up(const struct sup *s, const struct unit *u)
{
	int k;

	for (k = 0; k < u->svc.ndepends; k++)
		if (u->dep[k] < 0 || !sup_ready(&s->units[u->dep[k]]))
			return 0;
	return 1;
}

/* In a shutdown a unit stops only after every unit that needs it. */
static int has_running_dependents(const struct sup *s, const struct unit *u)
{
	int self = (int)(u - s->units), i, k;

	for (i = 0; i < s->cap; i++) {
		const struct unit *v = &s->units[i];

		if (!v->used || v == u || !sup_running(v))
			continue;
		if (u->internal && !v->internal)
			return 1;
		for (k = 0; k < v->svc.ndepends; k++)
			if (v->dep[k] == self)
				return 1;
	}
	return 0;
}

/* One unit's timed and waiting work; returns 1 when its state changed. */
static int step_unit(struct sup *s, struct unit *u, long long now)
{
	enum unit_state was = u->state;
	int down_wanted = s->stopping || !u->want_up;

	switch (u->state) {
	case UNIT_BACKOFF:
		if (down_wanted) {
			u->state = UNIT_DOWN;
			break;
		}
		if (now < u->due_ms)
			break;
		u->state = UNIT_WAITING;
		/* fall through */
	case UNIT_DOWN:
	case UNIT_WAITING:
		if (down_wanted || u->bad || u->removed || u->reparse) {
			u->state = UNIT_DOWN;
			break;
		}
		if (!deps_up(s, u)) {
			u->state = UNIT_WAITING;
		} else if (u->svc.condition != NULL && !s->ops->condition(u)) {
			u->state = UNIT_SKIPPED;
			u->ready_ms = s->ops->boottime();
			note(s, u, LOG_NOTICE, "skipped: condition file:%s does not exist", u->svc.condition);
		} else {
			start_unit(s, u, now);
		}
		break;
	case UNIT_STARTING:
	case UNIT_UP:
		if (down_wanted && (!s->stopping || !has_running_dependents(s, u))) {
			stop_unit(s, u, now);
			break;
		}
		if (u->state == UNIT_UP || now < u->due_ms)
			break;
		if (u->svc.ready == READY_FILE || u->svc.ready == READY_SOCKET) {
			if (s->ops->probe(u) > 0)
				become_up(s, u);
			else
				u->due_ms = now + SUP_READY_POLL_MS;
		} else if (u->svc.ready == READY_CHECK && u->check_pid == 0) {
			/* A check gets stop-timeout to answer; then it is killed. */
			if (s->ops->spawn_check(u) < 0)
				u->due_ms = now + SUP_CHECK_EVERY_MS;
			else
				u->due_ms = now + u->svc.stop_timeout_ms;
		} else if (u->svc.ready == READY_CHECK) {
			note(s, u, LOG_WARNING, "ready check did not answer within %u ms: SIGKILL",
			     u->svc.stop_timeout_ms);
			s->ops->kill_check(u);
			u->due_ms = now + SUP_CHECK_EVERY_MS;
		}
		break;
	case UNIT_STOPPING:
		if (now >= u->due_ms) {
			note(s, u, LOG_WARNING, "did not stop within %u ms: SIGKILL",
			     u->svc.stop_timeout_ms);
			s->ops->signal(u, SIGKILL);
			u->due_ms = now + 60000;	/* only the kernel can keep it now */
		}
		break;
	case UNIT_DONE:
	case UNIT_SKIPPED:
		if (down_wanted)
			u->state = UNIT_DOWN;
		break;
	case UNIT_FAILED:
		break;
	}
	return u->state != was;
}

/*
 * sup_step: do what is due and start what may start, until nothing
 * changes (a unit that becomes ready at once lets its dependents start in
 * the same step).  Returns the monotonic time of the next timed event, or
 * -1 when only a process exit or a request can change anything.
 */
long long sup_step(struct sup *s)
{
	long long now = s->ops->now(), next = -1;
	int i, changed, passes = 0;

	do {
		changed = 0;
		for (i = 0; i < s->cap; i++)
			if (s->units[i].used)
				changed |= step_unit(s, &s->units[i], now);
	} while (changed && ++passes <= s->cap);

	for (i = 0; i < s->cap; i++) {
		const struct unit *u = &s->units[i];
		int timed = u->state == UNIT_BACKOFF || u->state == UNIT_STOPPING ||
			    (u->state == UNIT_STARTING && u->svc.ready != READY_FD && u->svc.ready != READY_EXIT);

		if (u->used && timed && (next < 0 || u->due_ms < next))
			next = u->due_ms;
	}
	return next;
}

/* sup_reaped: a child of initd exited with status. */
void sup_reaped(struct sup *s, pid_t pid, int status)
{
	struct unit *u = sup_find_pid(s, pid);
	long long now = s->ops->now();

	if (u == NULL)
		return;			/* an orphan: reaped, nothing more */
	if (pid == u->check_pid) {
		u->check_pid = 0;
		if (u->state != UNIT_STARTING)
			return;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			become_up(s, u);
		else
			u->due_ms = now + SUP_CHECK_EVERY_MS;
		return;
	}
	u->pid = 0;
	if (u->check_pid != 0)
		s->ops->kill_check(u);
	s->ops->exited(u);
	main_gone(s, u, status, now);
}

/* sup_notified: the service wrote a line to its notification fd. */
void sup_notified(struct sup *s, struct unit *u)
{
	if (u->state == UNIT_STARTING)
		become_up(s, u);
}

/* sup_start: want u up; a failed unit gets a fresh restart budget. */
int sup_start(struct sup *s, struct unit *u)
{
	if (s->stopping)
		return -ESHUTDOWN;
	if (u->bad)
		return -EINVAL;
	u->want_up = 1;
	u->restarts = 0;	/* status counts restarts since a start by hand */
	if (u->state == UNIT_FAILED || u->state == UNIT_BACKOFF || u->state == UNIT_DONE ||
	    u->state == UNIT_SKIPPED) {
		u->state = UNIT_DOWN;
		u->window_restarts = 0;
		u->delay_ms = u->svc.restart_delay_ms;
	}
	return 0;
}

int sup_stop(struct sup *s, struct unit *u)
{
	u->want_up = 0;
	if (u->state == UNIT_STARTING || u->state == UNIT_UP)
		stop_unit(s, u, s->ops->now());
	else if (u->state == UNIT_WAITING || u->state == UNIT_BACKOFF || u->state == UNIT_DONE ||
		 u->state == UNIT_SKIPPED)
		u->state = UNIT_DOWN;
	return 0;
}

/* sup_restart: stop u if it runs; it starts again once down. */
int sup_restart(struct sup *s, struct unit *u)
{
	int rc = sup_start(s, u);

	if (rc == 0 && (u->state == UNIT_STARTING || u->state == UNIT_UP))
		stop_unit(s, u, s->ops->now());
	return rc;
}

void sup_shutdown(struct sup *s)
{
	s->stopping = 1;
}

int sup_all_down(const struct sup *s)
{
	int i;

	for (i = 0; i < s->cap; i++)
		if (s->units[i].used && s->units[i].pid != 0)
			return 0;
	return 1;
}
