/*
 * cmd_update.c: cairnctl update: a rolling OS update (doc/fleet.md).
 *
 *  1. Every node's status.  Not answering, held after a rollback, or in
 *     the middle of another update: left out, and said.
 *  2. Staged everywhere at once (POST /v1/os/update?stage=yes): the slot
 *     written and read back, nothing booted, no job disturbed.  The
 *     version they staged is the target; nodes that have it already are
 *     current.
 *  3. Rebooted in batches: a node of the slurm profile through Slurm
 *     (`scontrol reboot ASAP nextstate=DOWN`: drained, rebooted by its
 *     RebootProgram once its jobs are done, and kept out of service when
 *     it registers again), any other through its API (POST /v1/reboot).
 *     Each must come back on the target version, blessed and healthy,
 *     within --wait seconds of going down; then Slurm resumes it (`scontrol
 *     update state=resume`).  A node that rolled back, or never became
 *     healthy, is drained in Slurm with the reason and counted; more than
 *     --max-failures stops the rollout before the next batch.
 *
 * Nothing is kept on the admin host: run again after an interruption,
 * it reads where each node is (staged, current, back on the new version
 * but not yet resumed) and goes on from there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairnctl.h"
#include "osstate.h"
#include "runcap.h"

#define STATUS_MAX (64 << 10)
#define SCONTROL_SECONDS 60

enum state { NEW, STAGING, STAGED, CURRENT, WAITING, REBOOTING, DONE, FAILED, SKIPPED };
static const char *const state_names[] = {
	"new", "staging", "staged", "current", "waiting for its jobs", "rebooting", "updated", "FAILED", "left out",
};

struct upd {
	const struct node *n;
	enum state st;
	int slurm;				/* reached through Slurm */
	char old[64], version[64];		/* before, and staged */
	long long up;				/* its uptime when last seen */
	long long asked;			/* when its reboot was asked (ms) */
	long long since;			/* when it went down (ms) */
	char why[320];
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void note(struct upd *u, enum state st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(struct upd *u, enum state st, const char *fmt, ...)
{
	va_list ap;

	u->st = st;
	va_start(ap, fmt);
	vsnprintf(u->why, sizeof u->why, fmt, ap);
	va_end(ap);
	ctl_clean(u->why);
	fprintf(stderr, "  %-16s %s%s%s\n", u->n->name, state_names[st], u->why[0] ? ": " : "", u->why);
}

/* METHOD PATH to the nodes of U in state ST; their answers into A (by index in U). */
static void ask(struct ctl *c, struct upd *u, size_t n, enum state st, const char *method, const char *path,
		struct answer *a)
{
	struct nodes sub = { NULL, 0, 0, 0 };
	struct request q = { method, path, STATUS_MAX, c->timeout_ms };
	struct answer *got;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (u[i].st == st)
			sub.n++;
	if (sub.n == 0)
		return;
	sub.v = calloc(sub.n, sizeof *sub.v);
	got = calloc(sub.n, sizeof *got);
	if (sub.v == NULL || got == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++)
		if (u[i].st == st)
			sub.v[k++] = *u[i].n;
	if (request_all(c->tls, &sub, &q, c->parallel, got, NULL, NULL) < 0)
		ctl_die(EXIT_SYSTEM, "threads: %s", strerror(EAGAIN));
	for (i = 0, k = 0; i < n; i++)
		if (u[i].st == st)
			a[i] = got[k++];
	free(got);
	free(sub.v);
}

/* scontrol ARGS...: 0, or -1 with what it said in WHY. */
static int scontrol(struct ctl *c, char **argv, char *why, size_t size)
{
	char *out = NULL, prog[256];
	size_t len = 0;
	int rc;

	why[0] = '\0';
	snprintf(prog, sizeof prog, "%s", c->scontrol);
	argv[0] = prog;
	rc = run_capture(argv, 1 << 16, SCONTROL_SECONDS, &out, &len);
	if (rc != 0)
		snprintf(why, size, "%s %s: %s", c->scontrol, argv[1],
			 out != NULL && len > 0 ? out : rc == -ENOENT ? "not found" : "failed");
	free(out);
	why[strcspn(why, "\n")] = '\0';
	return rc == 0 ? 0 : -1;
}

/* Slurm's state of a node brought back: STATE resume, or drain with REASON. */
static void slurm_set(struct ctl *c, struct upd *u, const char *state, const char *reason)
{
	char node[80], st[32], rsn[200], why[300] = "";
	char *argv[] = { NULL, (char *)"update", node, st, rsn, NULL };

	snprintf(node, sizeof node, "nodename=%s", u->n->name);
	snprintf(st, sizeof st, "state=%s", state);
	snprintf(rsn, sizeof rsn, "reason=%s", reason != NULL ? reason : "");
	if (reason == NULL)
		argv[4] = NULL;
	if (scontrol(c, argv, why, sizeof why) < 0)
		fprintf(stderr, "  %-16s Slurm: %s\n", u->n->name, why);
}

/* 1. Where each node is. */
static void survey(struct ctl *c, struct upd *u, size_t n)
{
	struct answer *a = calloc(n, sizeof *a);
	size_t i;

	if (a == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	ask(c, u, n, NEW, "GET", "/v1/status", a);
	for (i = 0; i < n; i++) {
		char why[300];
		json_t *st = ctl_json(&a[i], why, sizeof why), *up;
		const char *state;

		answer_free(&a[i]);
		if (st == NULL) {
			note(&u[i], SKIPPED, "not answering: %s", why);
			continue;
		}
		up = json_object_get(st, "update");
		state = str(up, "state");
		snprintf(u[i].old, sizeof u[i].old, "%s", str(st, "version"));
		u[i].slurm = strcmp(str(st, "profile"), "slurm") == 0;
		u[i].up = json_integer_value(json_object_get(st, "uptime_s"));
		if (json_is_string(json_object_get(st, "held")))
			note(&u[i], SKIPPED, "held after a rollback (%s): cairnctl resume acknowledges it",
			     str(st, "held"));
		else if (strcmp(state, "staged") == 0)
			u[i].st = STAGED, snprintf(u[i].version, sizeof u[i].version, "%s", str(up, "version"));
		else if (json_is_object(up))
			note(&u[i], SKIPPED, "an update of its own is %s (%s)", state, str(up, "version"));
		json_decref(st);
	}
	free(a);
}

/* 2. The NEW nodes staged; waits for each to end. */
static void stage(struct ctl *c, struct upd *u, size_t n)
{
	struct answer *a = calloc(n, sizeof *a);
	char path[1200];
	long long start = now_ms();
	size_t i, left;

	if (a == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	/* The API takes the repository as it is (cairn-agent(8), API): checked by update. */
	snprintf(path, sizeof path, "/v1/os/update?stage=yes&tries=%d&repo=%s", c->tries, c->repo);
	ask(c, u, n, NEW, "POST", path, a);
	for (i = 0; i < n; i++) {
		if (u[i].st != NEW)
			continue;
		if (a[i].status == 202)
			u[i].st = STAGING;
		else if (a[i].status == 0)
			note(&u[i], FAILED, "staging: %s", a[i].err);
		else
			note(&u[i], FAILED, "staging: answered %d: %.200s", a[i].status, a[i].body ? a[i].body : "");
		answer_free(&a[i]);
	}
	for (;;) {
		for (i = 0, left = 0; i < n; i++)
			left += u[i].st == STAGING;
		if (left == 0)
			break;
		if (now_ms() - start > (long long)c->wait_s * 1000) {
			for (i = 0; i < n; i++)
				if (u[i].st == STAGING)
					note(&u[i], FAILED, "staging did not end within %d s", c->wait_s);
			break;
		}
		sleep((unsigned)c->interval_s);
		ask(c, u, n, STAGING, "GET", "/v1/status", a);
		for (i = 0; i < n; i++) {
			char why[300];
			json_t *st, *up;
			const char *said;

			if (u[i].st != STAGING)
				continue;
			st = ctl_json(&a[i], why, sizeof why);
			answer_free(&a[i]);
			said = str(st, "os_update_said");
			if (st == NULL || strncmp(said, OS_UPDATE_END, strlen(OS_UPDATE_END)) != 0) {
				json_decref(st);
				continue;	/* still writing (or a moment without an answer) */
			}
			up = json_object_get(st, "update");
			if (strcmp(str(up, "state"), "staged") == 0) {
				snprintf(u[i].version, sizeof u[i].version, "%s", str(up, "version"));
				note(&u[i], STAGED, "%s", u[i].version);
			} else if (strstr(said, " ok") != NULL) {
				snprintf(u[i].version, sizeof u[i].version, "%s", str(st, "version"));
				u[i].st = CURRENT;
			} else {
				note(&u[i], FAILED, "staging failed: %s", str(st, "os_log"));
			}
			json_decref(st);
		}
	}
	free(a);
}

/* A node back from its reboot, or not yet: DONE, FAILED or as it was. */
static void judge(struct ctl *c, struct upd *u, json_t *st, const char *target, long long now)
{
	json_t *f = json_array_get(json_object_get(st, "failed"), 0);
	const char *version = str(st, "version");
	long long up = json_integer_value(json_object_get(st, "uptime_s"));
	char reason[200];

	if (u->st == WAITING) {
		/* Down and up again between two looks: its uptime says so. */
		if (up >= u->up && strcmp(version, u->old) == 0 &&
		    strcmp(str(json_object_get(st, "update"), "state"), "staged") == 0) {
			u->up = up;
			return;
		}
		u->st = REBOOTING;
		u->since = now;
		fprintf(stderr, "  %-16s rebooted\n", u->n->name);
	}
	u->up = up;
	if (strcmp(version, target) == 0 && json_is_null(json_object_get(st, "update")) &&
	    json_is_true(json_object_get(st, "healthy"))) {
		note(u, DONE, "%s, healthy %lld s after its reboot was asked", target, (now - u->asked) / 1000);
		if (u->slurm)
			slurm_set(c, u, "resume", NULL);
		return;
	}
	if (json_is_string(json_object_get(st, "held")))
		snprintf(reason, sizeof reason, "rolled back to %s: %s", version, str(st, "held"));
	else if (strcmp(version, u->old) == 0 && json_is_null(json_object_get(st, "update")))
		/* Back on the old OS with nothing pending: the staged update was never armed. */
		snprintf(reason, sizeof reason, "came back on %s, its update not armed: %s", version, str(st, "os_log"));
	else if (now - u->since > (long long)c->wait_s * 1000)
		snprintf(reason, sizeof reason, "not good on %s within %d s (running %s%s%s%s)", target, c->wait_s,
			 version, json_is_object(f) ? "; " : "", str(f, "name"), json_is_object(f) ? " failed" : "");
	else
		return;
	note(u, FAILED, "%s", reason);
	if (u->slurm) {
		char r[240];

		/* Not slurm-health's own tag ("cairn:"): only an operator resumes it. */
		snprintf(r, sizeof r, "cairn update %s failed: %s", target, reason);
		ctl_clean(r);
		slurm_set(c, u, "drain", r);
	}
}

/* The batch's nodes told to reboot: through Slurm, or their API. */
static void reboot_batch(struct ctl *c, struct upd *u, size_t n, const char *target)
{
	struct answer *a = calloc(n, sizeof *a);
	char *list, reason[120], why[300] = "";
	char *argv[] = { NULL, (char *)"reboot", (char *)"ASAP", (char *)"nextstate=DOWN", reason, NULL, NULL };
	size_t i, len = 0;

	list = calloc(n, HOSTLIST_NAME + 1);
	if (a == NULL || list == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	snprintf(reason, sizeof reason, "reason=cairn update %s", target);
	for (i = 0; i < n; i++)
		if (u[i].st == WAITING && u[i].slurm)
			len += (size_t)sprintf(list + len, "%s%s", len ? "," : "", u[i].n->name);
	argv[5] = list;
	if (len > 0 && scontrol(c, argv, why, sizeof why) < 0)
		for (i = 0; i < n; i++)
			if (u[i].st == WAITING && u[i].slurm)
				note(&u[i], FAILED, "%s", why);
	free(list);
	/* Elsewhere no scheduler waits for jobs: the API reboots at once. */
	for (i = 0; i < n; i++)
		if (u[i].st == WAITING && !u[i].slurm)
			u[i].st = NEW;
	ask(c, u, n, NEW, "POST", "/v1/reboot", a);
	for (i = 0; i < n; i++) {
		if (u[i].st != NEW)
			continue;
		if (a[i].status == 202)
			u[i].st = WAITING;
		else
			note(&u[i], FAILED, "reboot: %s", a[i].status ? "refused" : a[i].err);
		answer_free(&a[i]);
	}
	free(a);
}

/* 3. One batch: rebooted, and waited for. */
static void batch(struct ctl *c, struct upd *u, size_t n, const char *target)
{
	struct answer *a = calloc(n, sizeof *a);
	long long start = now_ms();
	size_t i, left;

	if (a == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	reboot_batch(c, u, n, target);
	for (i = 0; i < n; i++)
		u[i].since = u[i].asked = start;
	for (;;) {
		size_t waiting = 0, down = 0;

		for (i = 0, left = 0; i < n; i++) {
			left += u[i].st == WAITING || u[i].st == REBOOTING;
			waiting += u[i].st == WAITING;
			down += u[i].st == REBOOTING;
		}
		if (left == 0)
			break;
		if (isatty(2))
			fprintf(stderr, "\r  %zu waiting for their jobs, %zu rebooting\033[K\r", waiting, down);
		sleep((unsigned)c->interval_s);
		ask(c, u, n, WAITING, "GET", "/v1/status", a);
		ask(c, u, n, REBOOTING, "GET", "/v1/status", a);
		for (i = 0; i < n; i++) {
			char why[300];
			json_t *st;

			if (u[i].st != WAITING && u[i].st != REBOOTING)
				continue;
			st = ctl_json(&a[i], why, sizeof why);
			answer_free(&a[i]);
			if (st != NULL) {
				judge(c, &u[i], st, target, now_ms());
				json_decref(st);
			} else if (u[i].st == WAITING) {
				u[i].st = REBOOTING;	/* gone: its reboot has begun */
				u[i].since = now_ms();
			} else if (now_ms() - u[i].since > (long long)c->wait_s * 1000) {
				note(&u[i], FAILED, "did not come back within %d s: %s", c->wait_s, why);
			}
		}
	}
	free(a);
}

static size_t batch_size(const char *spec, size_t total)
{
	char *end;
	unsigned long v = strtoul(spec, &end, 10);

	if (end == spec || v == 0 || (*end != '\0' && strcmp(end, "%") != 0) || (*end == '%' && v > 100))
		ctl_die(EXIT_USAGE, "--batch: N nodes or N%% of them (1 to 100%%)");
	if (*end == '%')
		v = (unsigned long)((total * v + 99) / 100);
	return v > 0 ? v : 1;
}

int cmd_update(struct ctl *c, int argc, char **argv)
{
	struct upd *u = calloc(c->nodes.n, sizeof *u);
	const char *target = NULL;
	size_t n = c->nodes.n, i, k, size, failed = 0, staged = 0;
	int stopped = 0;

	(void)argv;
	if (argc != 1 || c->repo == NULL)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] update --repo URL|PATH [--batch N|N%%] "
			"[--max-failures N] [--tries N] [--wait S]");
	if (u == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	/* What the nodes' API takes, less what would end the query. */
	if ((strncmp(c->repo, "https://", 8) != 0 && c->repo[0] != '/') || strlen(c->repo) > 1000 ||
	    strspn(c->repo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?[]@!$'()*+,;=%") !=
	    strlen(c->repo))
		ctl_die(EXIT_USAGE, "--repo: an https:// URL or an absolute path on the nodes, up to 1000 bytes, "
			"without spaces, & or #");
	for (i = 0; i < n; i++)
		u[i].n = &c->nodes.v[i];
	survey(c, u, n);
	stage(c, u, n);
	for (i = 0; i < n; i++) {
		if (u[i].st != STAGED)
			continue;
		if (target == NULL)
			target = u[i].version;
		else if (strcmp(target, u[i].version) != 0)
			ctl_die(EXIT_SOME, "the nodes staged different versions (%s on %s, %s on %s): one repository "
				"for all", target, u[0].n->name, u[i].version, u[i].n->name);
		staged++;
	}
	/* Current nodes: the target already, or nothing newer to have. */
	for (i = 0; i < n; i++) {
		if (u[i].st != CURRENT)
			continue;
		if (target != NULL && strcmp(u[i].version, target) != 0)
			note(&u[i], SKIPPED, "the repository offers it nothing newer than %s, not %s", u[i].version,
			     target);
		else if (u[i].slurm && target != NULL)
			slurm_set(c, &u[i], "resume", NULL);	/* back before an interrupted run resumed it */
	}
	size = batch_size(c->batch, staged);
	if (target != NULL)
		fprintf(stderr, "cairnctl: %zu nodes staged %s; batches of %zu, at most %d failures\n", staged,
			target, size, c->max_failures);
	for (i = 0; i < n && !stopped;) {
		size_t first = i;

		for (k = 0; i < n && k < size; i++)
			if (u[i].st == STAGED)
				u[i].st = WAITING, k++;
		if (k == 0)
			break;
		fprintf(stderr, "cairnctl: batch of %zu from %s\n", k, u[first].n->name);
		batch(c, u + first, i - first, target);
		for (failed = 0, k = 0; k < n; k++)
			failed += u[k].st == FAILED;
		if (failed > (size_t)c->max_failures) {
			fprintf(stderr, "cairnctl: stopped: %zu nodes failed, more than --max-failures %d; the rest "
				"stay staged, not booted\n", failed, c->max_failures);
			stopped = 1;
		}
	}
	printf("%-16s %-10s %s\n", "NODE", "RESULT", "DETAIL");
	for (i = 0; i < n; i++) {
		const char *r = u[i].st == DONE ? "updated" : u[i].st == CURRENT ? "current" :
				u[i].st == FAILED ? "FAILED" : u[i].st == STAGED ? "staged" : "left out";

		printf("%-16s %-10s %s\n", u[i].n->name, r, u[i].st == CURRENT ? u[i].version : u[i].why);
	}
	for (failed = 0, i = 0; i < n; i++)
		failed += u[i].st != DONE && u[i].st != CURRENT;
	free(u);
	return failed > 0 ? EXIT_SOME : 0;
}
