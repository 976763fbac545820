/* cgroup.h: one cgroup v2 group per service, with its limits. */
#ifndef CAIRN_INITD_CGROUP_H
#define CAIRN_INITD_CGROUP_H

#include <stddef.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_BASE "initd"	/* services live under ROOT/BASE/NAME */

int cgroup_setup(const char *root);
int cgroup_path(char *buf, size_t size, const char *root, const char *name, const char *file);
int cgroup_prepare(const char *root, const char *name, unsigned long long memory_max,
		   unsigned cpu_max_percent);
int cgroup_enter(const char *root, const char *name);
int cgroup_signal(const char *root, const char *name, int sig);
int cgroup_remove(const char *root, const char *name);

#endif
