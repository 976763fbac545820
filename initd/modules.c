/* modules.c: the module names and device aliases stage 1 hands to modprobe. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "modules.h"
#include "text.h"

/*
 * A module name as modprobe and the kernel know it.  No leading '-': the
 * names become modprobe's arguments, where that would be an option.
 */
static int name_valid(const char *s)
{
	size_t n = 0;

	if (*s == '-')
		return 0;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return 0;
	return n > 0 && n <= MODULE_NAME_MAX;
}

/*
 * modules_list_parse: split a module list held in buf (modified in place)
 * into names, in file order.  '#' starts a comment anywhere on a line;
 * blank lines are skipped; a line that is not one module name is reported
 * as path:line and skipped, as is everything past max names.  Returns the
 * count stored.
 */
int modules_list_parse(const char *path, char *buf, char *names[], int max)
{
	char *line, *next, *name;
	int n = 0, lineno = 0;

	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "#")] = '\0';
		name = text_trim(line);
		if (*name == '\0')
			continue;
		if (!name_valid(name)) {
			log_msg(LOG_WARNING, "%s:%d: '%.64s' is not a module name: skipped",
				path, lineno, name);
			continue;
		}
		if (n == max) {
			log_msg(LOG_WARNING, "%s:%d: more than %d modules: the rest are not loaded",
				path, lineno, max);
			break;
		}
		names[n++] = name;
	}
	return n;
}

/*
 * modules_list_read: read the module list at path into buf and parse it
 * (modules_list_parse); names point into buf.  Returns the count, or
 * -errno: -ENOENT when the board lists none, -E2BIG when the file is
 * larger than buf (a cut line could name another module), -EINVAL when
 * it holds a NUL byte (not a text file).
 */
int modules_list_read(const char *path, char *buf, size_t size, char *names[], int max)
{
	int len;

	len = cmdline_read(path, buf, size);
	if (len < 0)
		return len;
	if (memchr(buf, '\0', (size_t)len) != NULL)
		return -EINVAL;
	return modules_list_parse(path, buf, names, max);
}

/* The aliases gathered so far, all in one caller's buffer. */
struct coldplug {
	char *buf;
	size_t size, used;
	char **aliases;
	int max, n, dropped;
};

/* The kernel writes these itself, but they still go to modprobe's argv. */
static int alias_valid(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/*
 * Add the alias in file path unless it is a duplicate.  It is read whole
 * first (sysfs attributes are below a page), so a duplicate never counts
 * as dropped when buf is full.
 */
static void alias_add(struct coldplug *c, const char *path)
{
	char alias[4096], *s;
	size_t len;
	int i;

	if (cmdline_read(path, alias, sizeof alias) <= 0)
		return;		/* most devices have no modalias file */
	s = text_trim(alias);
	if (!alias_valid(s)) {
		log_msg(LOG_WARNING, "%s: odd modalias: ignored", path);
		return;
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(c->aliases[i], s) == 0)
			return;
	len = strlen(s) + 1;
	if (c->n == c->max || len > c->size - c->used) {
		c->dropped++;
		return;
	}
	c->aliases[c->n++] = memcpy(c->buf + c->used, s, len);
	c->used += len;
}

/*
 * Add dir/ENTRY/modalias for every ENTRY of dir: the devices of a bus or a
 * class.  The entries are sysfs's links, followed by open(), never walked.
 */
static void alias_scan(struct coldplug *c, const char *dir)
{
	char path[512];
	struct dirent *d;
	DIR *dp;
	int n;

	dp = opendir(dir);
	if (dp == NULL)
		return;		/* a bus without devices/, or no class/ */
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof path, "%s/%s/modalias", dir, d->d_name);
		if (n < 0 || (size_t)n >= sizeof path)
			continue;
		alias_add(c, path);
	}
	closedir(dp);
}

/* alias_scan for every TOP/X/SUB of sysdir: each bus's or class's devices. */
static int subsys_scan(struct coldplug *c, const char *sysdir, const char *top, const char *sub)
{
	char dir[512];
	struct dirent *d;
	DIR *dp;
	int n;

	n = snprintf(dir, sizeof dir, "%s/%s", sysdir, top);
	if (n < 0 || (size_t)n >= sizeof dir)
		return -ENAMETOOLONG;
	dp = opendir(dir);
	if (dp == NULL)
		return -errno;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n = snprintf(dir, sizeof dir, "%s/%s/%s%s", sysdir, top, d->d_name, sub);
		if (n >= 0 && (size_t)n < sizeof dir)
			alias_scan(c, dir);
	}
	closedir(dp);
	return 0;
}

/*
 * modules_coldplug: the distinct modalias values of the devices present
 * under sysdir (normally /sys), for one `modprobe -qab ALIAS...` that loads
 * the drivers of the hardware found before mdev was listening.  No tree
 * walk, so no depth to bound: three fixed globs cover every device that
 * can carry a modalias: bus members (bus/B/devices/D/modalias), class
 * devices such as input and dmi (class/C/D/modalias), and subsystem roots
 * such as the CPUs' features (devices/system/S/modalias).  The strings are
 * kept in buf; aliases[] point into it.  Devices whose alias does not fit
 * (max or size) are counted and logged once; they wait for a hotplug
 * event.  Returns the count stored, or -errno when sysdir/bus cannot be
 * read (no sysfs).
 */
int modules_coldplug(const char *sysdir, char *buf, size_t size, char *aliases[], int max)
{
	struct coldplug c = { buf, size, 0, aliases, max, 0, 0 };
	char dir[512];
	int n, rc;

	rc = subsys_scan(&c, sysdir, "bus", "/devices");
	if (rc < 0)
		return rc;
	/* Without class/ or devices/system/ the buses still count. */
	rc = subsys_scan(&c, sysdir, "class", "");
	if (rc < 0)
		log_msg(LOG_WARNING, "coldplug: %s/class: %s: class devices skipped", sysdir, strerror(-rc));
	n = snprintf(dir, sizeof dir, "%s/devices/system", sysdir);
	if (n >= 0 && (size_t)n < sizeof dir)
		alias_scan(&c, dir);
	if (c.dropped > 0)
		log_msg(LOG_WARNING, "coldplug: the aliases of %d devices did not fit in %d or %zu bytes: "
			"their drivers wait for a hotplug event", c.dropped, max, size);
	return c.n;
}

/*
 * modules_count: the modules loaded, as lines of path (/proc/modules), or
 * -errno.  Read in pieces: a server's list runs to tens of KiB, and PID 1
 * keeps no buffer that size for it.
 */
int modules_count(const char *path)
{
	char buf[4096];
	ssize_t n, i;
	int fd, lines = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return lines;
}
