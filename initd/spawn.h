/* spawn.h: start, signal and probe services for real (the seam's far side). */
#ifndef CAIRN_INITD_SPAWN_H
#define CAIRN_INITD_SPAWN_H

#include "sup.h"

void spawn_setup(const char *cgroup_root, int usable);
int spawn_service(struct unit *u);
int spawn_check(struct unit *u);
int spawn_signal(struct unit *u, int sig);
int spawn_kill_check(struct unit *u);
void spawn_exited(struct unit *u);
int spawn_probe(const struct unit *u);
int spawn_condition(const struct unit *u);
int spawn_wait(char *const argv[], long long limit_ms);

#endif
