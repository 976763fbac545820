/* fake_ops.h: a supervisor seam that does nothing but hand out pids and
 * tell a settable time, for tests of what sits above the state machine
 * (sup_test.c has its own, recording fakes). */
#ifndef CAIRN_FAKE_OPS_H
#define CAIRN_FAKE_OPS_H

#include <errno.h>

#include "sup.h"

static long long fake_now = 5000;
static pid_t fake_next_pid = 200;

static long long fake_mono(void) { return fake_now; }
static long long fake_boot(void) { return fake_now + 1500; }
static int fake_spawn(struct unit *u) { u->pid = ++fake_next_pid; return 0; }
static int fake_spawn_check(struct unit *u) { (void)u; return -ENOSYS; }
static int fake_signal(struct unit *u, int sig) { (void)u; (void)sig; return 0; }
static int fake_kill_check(struct unit *u) { (void)u; return 0; }
static void fake_exited(struct unit *u) { (void)u; }
static int fake_probe(const struct unit *u) { (void)u; return 0; }
static int fake_condition(const struct unit *u) { (void)u; return 1; }
static void fake_note(const struct unit *u, int level, const char *msg)
{
	(void)u;
	(void)level;
	(void)msg;
}

static const struct sup_ops fake_ops = {
	fake_mono, fake_boot, fake_spawn, fake_spawn_check, fake_signal, fake_kill_check,
	fake_exited, fake_probe, fake_condition, fake_note
};

#endif
