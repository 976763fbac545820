/* sup_test.c: the supervisor's state machine through a fake syscall seam:
 * no process is made, time is a variable. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "log.h"
#include "sup.h"

#define CAP 8

static struct unit table[CAP];
static struct sup sup;
static long long fake_now;
static pid_t next_pid;
static int fail_spawn;
static char started[256];	/* names in start order, space-separated */
static char signals[256];	/* "name:sig " in order */
static char notes[4096];
static int probe_ready[CAP];
static int condition_fails[CAP];

static long long now_ms(void) { return fake_now; }
static long long boot_ms(void) { return fake_now + 1000; }

static int spawn(struct unit *u)
{
	if (fail_spawn)
		return -ENOENT;
	u->pid = ++next_pid;
	strcat(started, u->svc.name);
	strcat(started, " ");
	return 0;
}

static int spawn_check(struct unit *u)
{
	u->check_pid = ++next_pid;
	return 0;
}

static int sig(struct unit *u, int signo)
{
	char buf[48];

	snprintf(buf, sizeof buf, "%s:%d ", u->svc.name, signo);
	strcat(signals, buf);
	return 0;
}

static int checks_killed;
static int kill_check(struct unit *u) { (void)u; checks_killed++; return 0; }
static void exited(struct unit *u) { (void)u; }
static int probe(const struct unit *u) { return probe_ready[u - table]; }
static int condition(const struct unit *u) { return !condition_fails[u - table]; }

static void note(const struct unit *u, int level, const char *msg)
{
	(void)level;
	if (strlen(notes) + strlen(msg) + 40 < sizeof notes) {
		strcat(notes, u != NULL ? u->svc.name : "-");
		strcat(notes, ": ");
		strcat(notes, msg);
		strcat(notes, "\n");
	}
}

static const struct sup_ops ops = { now_ms, boot_ms, spawn, spawn_check, sig, kill_check, exited, probe, condition, note };

static void reset(void)
{
	sup_init(&sup, table, CAP, &ops);
	fake_now = 1000;
	next_pid = 100;
	fail_spawn = 0;
	checks_killed = 0;
	started[0] = signals[0] = notes[0] = '\0';
	memset(probe_ready, 0, sizeof probe_ready);
	memset(condition_fails, 0, sizeof condition_fails);
}

static struct unit *add(const char *name, const char *text)
{
	struct unit *u = sup_free_slot(&sup);
	char err[256];

	if (u == NULL || svc_parse(&u->svc, name, text, strlen(text), err, sizeof err) != 0) {
		fprintf(stderr, "add %s: %s\n", name, u ? err : "table full");
		return NULL;
	}
	u->used = 1;
	u->want_up = 1;
	return u;
}

static int exit_status(int code) { return code << 8; }	/* as waitpid reports */

static void test_dependency_order(void)
{
	struct unit *a, *b, *c;

	reset();
	c = add("c", "command = /bin/c\ndepends = b\n");
	b = add("b", "command = /bin/b\ndepends = a\n");
	a = add("a", "command = /bin/a\n");
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(strcmp(started, "a b c ") == 0);
	CHECK(a->state == UNIT_UP && b->state == UNIT_UP && c->state == UNIT_UP);
	CHECK(c->ready_ms == 2000);
}

static void test_waits_for_slow_ready(void)
{
	struct unit *slow, *user;
	long long next;

	reset();
	user = add("user", "command = /bin/user\ndepends = slow\n");
	slow = add("slow", "command = /bin/slow\nready = file:/run/slow.ready\n");
	sup_resolve(&sup);
	next = sup_step(&sup);
	CHECK(strcmp(started, "slow ") == 0);
	CHECK(slow->state == UNIT_STARTING && user->state == UNIT_WAITING);
	CHECK(next == fake_now + SUP_READY_POLL_MS);
	fake_now += 3000;		/* time passes, still not ready */
	sup_step(&sup);
	CHECK(user->state == UNIT_WAITING && user->pid == 0);
	probe_ready[slow - table] = 1;
	fake_now += SUP_READY_POLL_MS;
	sup_step(&sup);
	CHECK(slow->state == UNIT_UP && user->state == UNIT_UP);
	CHECK(strcmp(started, "slow user ") == 0);
}

static void test_notify_fd(void)
{
	struct unit *a, *b;

	reset();
	a = add("a", "command = /bin/a\nready = fd:3\n");
	b = add("b", "command = /bin/b\ndepends = a\n");
	sup_resolve(&sup);
	CHECK(sup_step(&sup) == -1);	/* nothing timed: waits for the fd */
	CHECK(a->state == UNIT_STARTING && b->state == UNIT_WAITING);
	sup_notified(&sup, a);
	sup_step(&sup);
	CHECK(a->state == UNIT_UP && b->state == UNIT_UP);
}

/* ready = exit: a setup step; its dependents wait for it to finish well. */
static void test_setup_step(void)
{
	struct unit *a, *b;

	reset();
	a = add("a", "command = /bin/a\nready = exit\nrestart = on-failure\nrestart-delay = 1s\n");
	b = add("b", "command = /bin/b\ndepends = a\n");
	sup_resolve(&sup);
	CHECK(sup_step(&sup) == -1);	/* nothing timed: waits for the exit */
	CHECK(a->state == UNIT_STARTING && b->state == UNIT_WAITING);
	sup_reaped(&sup, a->pid, exit_status(1));	/* failed: tried again */
	CHECK(a->state == UNIT_BACKOFF && b->state == UNIT_WAITING);
	fake_now += 1000;
	sup_step(&sup);
	CHECK(a->state == UNIT_STARTING && strcmp(started, "a a ") == 0);
	sup_reaped(&sup, a->pid, exit_status(0));
	CHECK(a->state == UNIT_DONE && a->pid == 0 && a->ready_ms == fake_now + 1000);
	CHECK(strstr(notes, "a: done: ready") != NULL);
	sup_step(&sup);
	CHECK(b->state == UNIT_UP && strcmp(started, "a a b ") == 0);
	/* b restarting later does not wait for a to run again. */
	sup_reaped(&sup, b->pid, exit_status(3));
	fake_now += 1000;
	sup_step(&sup);
	CHECK(b->state == UNIT_UP && strcmp(started, "a a b b ") == 0);
	/* started by hand, it runs again. */
	CHECK(sup_start(&sup, a) == 0 && a->state == UNIT_DOWN);
	sup_step(&sup);
	CHECK(a->state == UNIT_STARTING && strcmp(started, "a a b b a ") == 0);
	sup_shutdown(&sup);
	sup_step(&sup);
	sup_reaped(&sup, a->pid, exit_status(0));
	CHECK(a->state == UNIT_DOWN);		/* not "done" in a shutdown */
}

static void test_check_command(void)
{
	struct unit *a;
	pid_t check;

	reset();
	a = add("a", "command = /bin/a\nready = check:/bin/probe --quiet\n");
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(a->state == UNIT_STARTING && a->check_pid != 0);
	check = a->check_pid;
	sup_reaped(&sup, check, exit_status(1));
	CHECK(a->state == UNIT_STARTING && a->check_pid == 0);
	CHECK(sup_step(&sup) == fake_now + SUP_CHECK_EVERY_MS);
	CHECK(a->check_pid == 0);	/* not again before its time */
	fake_now += SUP_CHECK_EVERY_MS;
	sup_step(&sup);
	CHECK(a->check_pid != 0 && a->check_pid != check);
	sup_reaped(&sup, a->check_pid, exit_status(0));
	CHECK(a->state == UNIT_UP);
}

/* A check that hangs is killed after stop-timeout and run again; one still
 * running when the service stops is killed too. */
static void test_check_timeout(void)
{
	struct unit *a;
	pid_t check;

	reset();
	a = add("a", "command = /bin/a\nready = check:/bin/probe\nstop-timeout = 2s\n");
	sup_resolve(&sup);
	CHECK(sup_step(&sup) == fake_now + 2000);
	check = a->check_pid;
	fake_now += 2000;
	sup_step(&sup);
	CHECK(checks_killed == 1 && strstr(notes, "did not answer") != NULL);
	sup_reaped(&sup, check, SIGKILL);
	CHECK(a->check_pid == 0 && a->state == UNIT_STARTING);
	fake_now += SUP_CHECK_EVERY_MS;
	sup_step(&sup);
	CHECK(a->check_pid != 0 && a->check_pid != check);
	sup_stop(&sup, a);
	CHECK(checks_killed == 2 && a->state == UNIT_STOPPING);
	/* Dependencies on a name added later resolve to nothing until resolved. */
	CHECK(sup_free_slot(&sup)->dep[0] == -1);
}

/* A crashing service: delays double up to the cap, then failed at the limit. */
static void test_backoff_then_failed(void)
{
	static const unsigned want[] = { 100, 200, 400, 800, 1000, 1000 };
	struct unit *a;
	unsigned i;

	reset();
	a = add("a", "command = /bin/a\nrestart-delay = 100ms\nrestart-delay-max = 1s\n"
		     "restart-limit = 6/60s\n");
	sup_resolve(&sup);
	sup_step(&sup);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK(a->state == UNIT_UP);
		fake_now += 10;
		sup_reaped(&sup, a->pid, SIGSEGV);	/* killed by a signal */
		CHECK(a->state == UNIT_BACKOFF);
		CHECK(a->due_ms == fake_now + want[i]);
		CHECK(sup_step(&sup) == fake_now + want[i]);
		fake_now += want[i] - 1;
		sup_step(&sup);
		CHECK(a->state == UNIT_BACKOFF);	/* not a millisecond early */
		fake_now += 1;
		sup_step(&sup);
	}
	fake_now += 10;
	sup_reaped(&sup, a->pid, exit_status(3));
	CHECK(a->state == UNIT_FAILED);
	CHECK(a->restarts == 6);
	CHECK(strstr(notes, "failed: 6 restarts") != NULL);
	fake_now += 100000;
	sup_step(&sup);
	CHECK(a->state == UNIT_FAILED && a->pid == 0);
	/* By hand it gets a fresh budget. */
	CHECK(sup_start(&sup, a) == 0);
	sup_step(&sup);
	CHECK(a->state == UNIT_UP && a->restarts == 0);
	sup_reaped(&sup, a->pid, exit_status(1));
	CHECK(a->state == UNIT_BACKOFF && a->due_ms == fake_now + 100);
}

static void test_window_and_healthy_reset(void)
{
	struct unit *a;

	reset();
	a = add("a", "command = /bin/a\nrestart-delay = 100ms\nrestart-limit = 2/1s\n");
	sup_resolve(&sup);
	sup_step(&sup);
	sup_reaped(&sup, a->pid, exit_status(1));
	fake_now += 100;
	sup_step(&sup);
	sup_reaped(&sup, a->pid, exit_status(1));
	CHECK(a->state == UNIT_BACKOFF && a->due_ms == fake_now + 200);
	/* A long healthy run: the window and the delay start over. */
	fake_now += 200;
	sup_step(&sup);
	fake_now += 20000;
	sup_reaped(&sup, a->pid, exit_status(1));
	CHECK(a->state == UNIT_BACKOFF && a->due_ms == fake_now + 100);
	CHECK(a->window_restarts == 1);
}

static void test_restart_policies(void)
{
	struct unit *never, *onf;

	reset();
	never = add("never", "command = /bin/x\nrestart = never\n");
	onf = add("onf", "command = /bin/y\nrestart = on-failure\n");
	sup_resolve(&sup);
	sup_step(&sup);
	sup_reaped(&sup, never->pid, exit_status(1));
	sup_reaped(&sup, onf->pid, exit_status(0));
	fake_now += 100000;
	sup_step(&sup);
	CHECK(never->state == UNIT_DOWN && never->pid == 0 && !never->want_up);
	CHECK(onf->state == UNIT_DOWN && onf->pid == 0);
	CHECK(sup_start(&sup, onf) == 0);
	sup_step(&sup);
	sup_reaped(&sup, onf->pid, exit_status(2));
	CHECK(onf->state == UNIT_BACKOFF);
	CHECK(onf->last_status == exit_status(2));
}

static void test_spawn_failure_backs_off(void)
{
	struct unit *a;

	reset();
	a = add("a", "command = /bin/a\n");
	sup_resolve(&sup);
	fail_spawn = 1;
	sup_step(&sup);
	CHECK(a->state == UNIT_BACKOFF && a->pid == 0);
	CHECK(strstr(notes, "cannot start") != NULL);
	fail_spawn = 0;
	fake_now += 250;
	sup_step(&sup);
	CHECK(a->state == UNIT_UP);
}

static void test_stop_then_kill(void)
{
	struct unit *a;

	reset();
	a = add("a", "command = /bin/a\nstop-signal = INT\nstop-timeout = 2s\n");
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(sup_stop(&sup, a) == 0);
	CHECK(a->state == UNIT_STOPPING);
	CHECK(strcmp(signals, "a:2 ") == 0);
	fake_now += 1999;
	sup_step(&sup);
	CHECK(strcmp(signals, "a:2 ") == 0);
	fake_now += 1;
	sup_step(&sup);
	CHECK(strcmp(signals, "a:2 a:9 ") == 0);
	sup_reaped(&sup, a->pid, SIGKILL);
	sup_step(&sup);
	CHECK(a->state == UNIT_DOWN && a->pid == 0);
	CHECK(strcmp(started, "a ") == 0);	/* stopped stays stopped */
}

static void test_restart_by_hand(void)
{
	struct unit *a;

	reset();
	a = add("a", "command = /bin/a\n");
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(sup_restart(&sup, a) == 0);
	CHECK(a->state == UNIT_STOPPING);
	sup_reaped(&sup, a->pid, SIGTERM);
	sup_step(&sup);
	CHECK(a->state == UNIT_UP);
	CHECK(strcmp(started, "a a ") == 0);
	CHECK(a->restarts == 0);	/* asked for, not a failure */
}

/* Shutdown goes in reverse dependency order; logd (internal) goes last. */
static void test_shutdown_order(void)
{
	struct unit *logd, *a, *b, *c;
	int i;

	reset();
	logd = add("logd", "command = /lib/initd/logd /run/log\n");
	logd->internal = 1;
	a = add("a", "command = /bin/a\n");
	b = add("b", "command = /bin/b\ndepends = a\n");
	c = add("c", "command = /bin/c\ndepends = b a\n");
	sup_resolve(&sup);
	sup_step(&sup);
	sup_shutdown(&sup);
	sup_step(&sup);
	CHECK(strcmp(signals, "c:15 ") == 0);
	CHECK(!sup_all_down(&sup));
	sup_reaped(&sup, c->pid, exit_status(0));
	sup_step(&sup);
	CHECK(strcmp(signals, "c:15 b:15 ") == 0);
	sup_reaped(&sup, b->pid, exit_status(0));
	sup_step(&sup);
	CHECK(strcmp(signals, "c:15 b:15 a:15 ") == 0);
	sup_reaped(&sup, a->pid, exit_status(0));
	sup_step(&sup);
	CHECK(strcmp(signals, "c:15 b:15 a:15 logd:15 ") == 0);
	sup_reaped(&sup, logd->pid, exit_status(0));
	sup_step(&sup);
	CHECK(sup_all_down(&sup));
	for (i = 0; i < CAP; i++)
		CHECK(!table[i].used || table[i].state == UNIT_DOWN);
	CHECK(strcmp(started, "logd a b c ") == 0);	/* nothing restarted */
	CHECK(sup_start(&sup, a) == -ESHUTDOWN);
}

static void test_cycle_and_unknown_skipped(void)
{
	struct unit *x, *y, *z, *ok;

	reset();
	x = add("x", "command = /bin/x\ndepends = y\n");
	y = add("y", "command = /bin/y\ndepends = x\n");
	z = add("z", "command = /bin/z\ndepends = nosuch\n");
	ok = add("ok", "command = /bin/ok\n");
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(strcmp(started, "ok ") == 0);
	CHECK(x->state == UNIT_FAILED && y->state == UNIT_FAILED && z->state == UNIT_FAILED);
	CHECK(ok->state == UNIT_UP);
	CHECK(strstr(notes, "dependency cycle") != NULL);
	CHECK(strstr(notes, "unknown service 'nosuch'") != NULL);
	CHECK(sup_start(&sup, x) == -EINVAL);
}

static void test_orphan_and_find(void)
{
	struct unit *a;

	reset();
	a = add("a", "command = /bin/a\n");
	sup_resolve(&sup);
	sup_step(&sup);
	sup_reaped(&sup, 4242, 0);	/* not ours: ignored */
	CHECK(a->state == UNIT_UP);
	CHECK(sup_find(&sup, "a") == a && sup_find(&sup, "b") == NULL);
	CHECK(sup_find_pid(&sup, a->pid) == a && sup_find_pid(&sup, 0) == NULL);
	CHECK(strcmp(sup_state_name(UNIT_BACKOFF), "backoff") == 0);
}

static void test_table_full(void)
{
	int i;

	reset();
	for (i = 0; i < CAP; i++) {
		char name[8];

		snprintf(name, sizeof name, "s%d", i);
		CHECK(add(name, "command = /bin/s\n") != NULL);
	}
	CHECK(sup_free_slot(&sup) == NULL);
}

/* condition = file:PATH: a service whose file is missing is skipped, and
 * what depends on it starts (it decides for itself); started by hand, the
 * condition is looked at again. */
static void test_condition(void)
{
	struct unit *a, *b, *c;

	reset();
	a = add("a", "command = /bin/a\ncondition = file:/run/flag\n");
	b = add("b", "command = /bin/b\ncondition = file:/run/flag\ndepends = a\n");
	c = add("c", "command = /bin/c\ndepends = b\n");
	CHECK(a->svc.condition != NULL && strcmp(a->svc.condition, "/run/flag") == 0);
	condition_fails[a - table] = condition_fails[b - table] = 1;
	sup_resolve(&sup);
	sup_step(&sup);
	CHECK(a->state == UNIT_SKIPPED && b->state == UNIT_SKIPPED && c->state == UNIT_UP);
	CHECK(a->pid == 0 && b->pid == 0 && strcmp(started, "c ") == 0);
	CHECK(strstr(notes, "a: skipped: condition file:/run/flag does not exist") != NULL);
	CHECK(sup_ready(a) && strcmp(sup_state_name(a->state), "skipped") == 0);
	/* the file appears; a start by hand runs it. */
	condition_fails[a - table] = 0;
	CHECK(sup_start(&sup, a) == 0 && a->state == UNIT_DOWN);
	sup_step(&sup);
	CHECK(a->state == UNIT_UP && b->state == UNIT_SKIPPED && strcmp(started, "c a ") == 0);
	/* stopped, a skipped service is down. */
	CHECK(sup_stop(&sup, b) == 0 && b->state == UNIT_DOWN);
}

int main(void)
{
	RUN(test_dependency_order);
	RUN(test_waits_for_slow_ready);
	RUN(test_notify_fd);
	RUN(test_setup_step);
	RUN(test_condition);
	RUN(test_check_command);
	RUN(test_check_timeout);
	RUN(test_backoff_then_failed);
	RUN(test_window_and_healthy_reset);
	RUN(test_restart_policies);
	RUN(test_spawn_failure_backs_off);
	RUN(test_stop_then_kill);
	RUN(test_restart_by_hand);
	RUN(test_shutdown_order);
	RUN(test_cycle_and_unknown_skipped);
	RUN(test_orphan_and_find);
	RUN(test_table_full);
	return CHECK_DONE();
}
