/*
 * cgroup.c: services run each in ROOT/initd/NAME.  cgroup v2 lets no
 * process live in a group whose children get controllers, so initd itself
 * and orphans stay in the root group and initd/ holds only service groups.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

int cgroup_path(char *buf, size_t size, const char *root, const char *name, const char *file)
{
	int n = snprintf(buf, size, "%s/%s%s%s%s%s", root, CGROUP_BASE, name ? "/" : "",
			 name ? name : "", file ? "/" : "", file ? file : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}

/* Controllers one at a time: a kernel without one still gets the others. */
static void enable_controllers(const char *dir)
{
	static const char *const ctl[] = { "+cpu", "+memory", "+pids", "+io" };
	char path[256];
	size_t i;

	if (snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir) >= (int)sizeof path)
		return;
	for (i = 0; i < sizeof ctl / sizeof ctl[0]; i++)
		write_file(path, ctl[i]);
}

/* cgroup_setup: make ROOT/initd with the controllers services may limit. */
int cgroup_setup(const char *root)
{
	char dir[256];
	int rc = cgroup_path(dir, sizeof dir, root, NULL, NULL);

	if (rc < 0)
		return rc;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	enable_controllers(root);
	enable_controllers(dir);
	return 0;
}

/* cgroup_prepare: make the service's group and set its limits ("max": none). */
int cgroup_prepare(const char *root, const char *name, unsigned long long memory_max,
		   unsigned cpu_max_percent)
{
	char path[256], value[64];
	int rc = cgroup_path(path, sizeof path, root, name, NULL);

	if (rc < 0)
		return rc;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Without the controller the file is missing: fatal only when asked for. */
	cgroup_path(path, sizeof path, root, name, "memory.max");
	if (memory_max > 0)
		snprintf(value, sizeof value, "%llu\n", memory_max);
	else
		snprintf(value, sizeof value, "max\n");
	rc = write_file(path, value);
	if (rc < 0 && memory_max > 0)
		return rc;
	cgroup_path(path, sizeof path, root, name, "cpu.max");
	/* The quota per 100 ms period: 150% of a CPU is 150000 of 100000. */
	if (cpu_max_percent > 0)
		snprintf(value, sizeof value, "%llu 100000\n", cpu_max_percent * 1000ULL);
	else
		snprintf(value, sizeof value, "max 100000\n");
	rc = write_file(path, value);
	return rc < 0 && cpu_max_percent > 0 ? rc : 0;
}

/* cgroup_enter: move the calling process into the service's group. */
int cgroup_enter(const char *root, const char *name)
{
	char path[256];
	int rc = cgroup_path(path, sizeof path, root, name, "cgroup.procs");

	return rc < 0 ? rc : write_file(path, "0\n");
}

/*
 * cgroup_signal: sig, then SIGCONT (a stopped process must see it), to
 * every process of the group; SIGKILL goes through cgroup.kill, which
 * also catches processes forking while they are listed.
 */
int cgroup_signal(const char *root, const char *name, int sig)
{
	char path[256], buf[4096], *p, *end;
	ssize_t r;
	size_t len = 0;
	int fd, rc;

	if (sig == SIGKILL) {
		rc = cgroup_path(path, sizeof path, root, name, "cgroup.kill");
		if (rc == 0 && (rc = write_file(path, "1\n")) != -ENOENT)
			return rc;
	}
	rc = cgroup_path(path, sizeof path, root, name, "cgroup.procs");
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Read in pieces; a pid split between two reads is carried over. */
	while ((r = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
		len += (size_t)r;
		buf[len] = '\0';
		for (p = buf; (end = strchr(p, '\n')) != NULL; p = end + 1) {
			long pid = strtol(p, NULL, 10);

			if (pid > 1) {
				kill((pid_t)pid, sig);
				if (sig != SIGKILL && sig != SIGCONT)
					kill((pid_t)pid, SIGCONT);
			}
		}
		len = strlen(p);
		memmove(buf, p, len);
	}
	close(fd);
	return 0;
}

int cgroup_remove(const char *root, const char *name)
{
	char path[256];
	int rc = cgroup_path(path, sizeof path, root, name, NULL);

	if (rc == 0 && rmdir(path) < 0)
		rc = -errno;
	return rc;
}
