/* osstate.c: the OS state files on /var, the running OS's version and slot. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "osstate.h"
#include "fileio.h"

/* One line, "YYYY-MM-DDTHH:MM:SSZ text", appended to `log` and on the disk. */
int osstate_log(int statefd, const char *fmt, ...)
{
	char line[1024];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	size_t n;

	gmtime_r(&now, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';
	return osstate_append(statefd, "log", line, n);
}

/* LINE appended to FILE in STATEFD, and on the disk before this returns. */
int osstate_append(int statefd, const char *file, const char *line, size_t len)
{
	int fd, rc = 0;

	fd = openat(statefd, file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (file_write_all(fd, line, len) < 0 || fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* FILE holds "slot S\nversion V\ntries N\n", replaced whole. */
int osstate_put(int statefd, const char *file, const struct os_pending *p)
{
	char buf[OS_VERSION_MAX + 48];
	int n = snprintf(buf, sizeof buf, "slot %c\nversion %s\ntries %d\n", p->slot, p->version, p->tries);

	return file_write_at(statefd, file, buf, (size_t)n, 0644);
}

/* -ENOENT: no such file; -EINVAL: not what osstate_put writes. */
int osstate_get(int statefd, const char *file, struct os_pending *p)
{
	struct perr e;
	char *buf, *end;
	size_t len;
	long tries;
	int rc, n = 0;

	rc = file_read_at(statefd, file, 4096, &buf, &len, &e);
	if (rc < 0)
		return rc;
	memset(p, 0, sizeof *p);
	/* 63: OS_VERSION_MAX - 1.  The number as %d took it (a sign, digits;
	 * the blanks before it are behind n), by strtol, which says when it
	 * does not fit; then blanks to the end. */
	if (sscanf(buf, "slot %c\nversion %63s\ntries %n", &p->slot, p->version, &n) != 2 || n == 0 ||
	    (p->slot != 'a' && p->slot != 'b')) {
		rc = -EINVAL;
		goto out;
	}
	errno = 0;
	tries = strtol(buf + n, &end, 10);
	if (end == buf + n || errno != 0 || tries < INT_MIN || tries > INT_MAX) {
		rc = -EINVAL;
		goto out;
	}
	p->tries = (int)tries;
	end += strspn(end, " \t\n\v\f\r");
	if ((size_t)(end - buf) != len)
		rc = -EINVAL;
out:
	free(buf);
	return rc;
}

/* KEY's value in an os-release(5) file, its quotes taken off. */
int osrel_get(const char *path, const char *key, char *value, size_t size)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "re");
	int rc = -ENOENT;

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof line, f) != NULL) {
		char *v = line + klen + 1;
		size_t n;

		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		v[strcspn(v, "\n")] = '\0';
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
			n -= 2;
		}
		rc = n > 0 && n < size ? 0 : -EINVAL;
		if (rc == 0)
			memcpy(value, v, n + 1);
	}
	fclose(f);
	return rc;
}

/* The slot this system booted ('a' or 'b'), from cairn.slot= on its command line. */
int os_slot_running(const char *cmdline_path, char *slot)
{
	char cmdline[CMDLINE_MAX], v[4];
	int rc;

	rc = cmdline_read(cmdline_path, cmdline, sizeof cmdline);
	if (rc < 0)
		return rc;
	if (cmdline_get(cmdline, "cairn.slot", v, sizeof v) < 0)
		return -ENOENT;
	if (strcmp(v, "a") != 0 && strcmp(v, "b") != 0)
		return -EINVAL;
	*slot = v[0];
	return 0;
}
