/* proc_test.c: argv building, starting, finding, and restart backoff. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"

static void args_are_bounded(void)
{
	struct proc p;
	int i, rc = 0;

	proc_init(&p, "x", 0);
	for (i = 0; i < PROC_ARGV_MAX - 1; i++)
		rc |= proc_arg(&p, "a");
	CHECK(rc == 0);
	CHECK(proc_arg(&p, "one too many") == -E2BIG);
	CHECK(p.argv[PROC_ARGV_MAX - 1] == NULL);
}

static void arg_strings_are_copied_and_bounded(void)
{
	char big[PROC_ARGBUF], word[8] = "first";
	struct proc p;

	proc_init(&p, "x", 0);
	CHECK(proc_arg(&p, word) == 0);
	strcpy(word, "changed");
	CHECK(strcmp(p.argv[0], "first") == 0);
	memset(big, 'a', sizeof big - 10);
	big[sizeof big - 10] = '\0';
	CHECK(proc_arg(&p, big) == 0);
	CHECK(proc_arg(&p, "toolong") == -E2BIG);
	CHECK(proc_arg(&p, "ok") == 0);
	CHECK(p.argv[3] == NULL);
}

static void backoff_doubles_then_caps(void)
{
	struct proc p;
	long long t = 1000;
	unsigned last = 0;
	int i;

	proc_init(&p, "crasher", 0);
	for (i = 0; i < 20; i++) {
		p.started_ms = t;
		proc_exited(&p, t + 1);	/* died at once */
		CHECK(p.pid == 0);
		CHECK(p.due_ms == t + 1 + p.backoff_ms);
		CHECK(p.backoff_ms >= last);
		last = p.backoff_ms;
		t = p.due_ms;
	}
	CHECK(p.backoff_ms == 30000);
}

static void healthy_run_resets_backoff(void)
{
	struct proc p;

	proc_init(&p, "daemon", 0);
	p.backoff_ms = 8000;
	p.started_ms = 0;
	proc_exited(&p, 60000);
	CHECK(p.backoff_ms == 250);
	CHECK(p.due_ms == 60250);
}

static void next_due_is_earliest_stopped(void)
{
	struct proc t[3];

	proc_init(&t[0], "a", 0);
	proc_init(&t[1], "b", 0);
	proc_init(&t[2], "c", 0);
	t[0].pid = 10;
	t[0].due_ms = 1;
	t[1].due_ms = 500;
	t[2].due_ms = 200;
	CHECK(proc_next_due(t, 3) == 200);
	t[1].pid = t[2].pid = 11;
	CHECK(proc_next_due(t, 3) == -1);
	CHECK(proc_find(t, 3, 11) == &t[1]);
	CHECK(proc_find(t, 3, 99) == NULL);
	CHECK(proc_find(t, 3, 0) == NULL);
}

static void start_runs_the_program(void)
{
	struct proc p;
	int status = -1;

	proc_init(&p, "true", 0);
	proc_arg(&p, "/bin/sh");
	proc_arg(&p, "-c");
	proc_arg(&p, "exit 7");
	CHECK(proc_start(&p, 5) == 0);
	CHECK(p.pid > 0 && p.started_ms == 5);
	CHECK(waitpid(p.pid, &status, 0) == p.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

static void start_of_missing_program_exits_127(void)
{
	struct proc p;
	int status = -1;

	proc_init(&p, "missing", 0);
	proc_arg(&p, "/nonexistent/program");
	CHECK(proc_start(&p, 0) == 0);
	CHECK(waitpid(p.pid, &status, 0) == p.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127);
}

int main(void)
{
	RUN(args_are_bounded);
	RUN(arg_strings_are_copied_and_bounded);
	RUN(backoff_doubles_then_caps);
	RUN(healthy_run_resets_backoff);
	RUN(next_due_is_earliest_stopped);
	RUN(start_runs_the_program);
	RUN(start_of_missing_program_exits_127);
	return CHECK_DONE();
}
