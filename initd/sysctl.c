/* sysctl.c: apply the .conf files of /etc/sysctl.d ("key = value") to /proc/sys. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"
#include "log.h"
#include "text.h"

#define SYSCTL_FILES_MAX 32
#define SYSCTL_NAME_MAX 64
#define SYSCTL_LINE_MAX 512

/*
 * sysctl_parse_line: split "key = value" in place.  Returns 1 for a
 * setting, 0 for a blank or comment (# or ;) line, -EINVAL for anything
 * else: no '=', an empty key or value, or a key with "..", spaces or other
 * characters that could leave /proc/sys.
 */
int sysctl_parse_line(char *line, char **key, char **value)
{
	char *eq, *k, *p;

	line = text_trim(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return -EINVAL;
	*eq = '\0';
	k = text_trim(line);
	*value = text_trim(eq + 1);
	if (*k == '-')
		k++;
	if (*k == '\0' || **value == '\0' || strstr(k, "..") != NULL || *k == '.' || *k == '/')
		return -EINVAL;
	for (p = k; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '/' || *p == '-'))
			return -EINVAL;
	*key = k;
	return 1;
}

/* sysctl_set: write value to procsys/key (dots in key become slashes). */
int sysctl_set(const char *procsys, const char *key, const char *value)
{
	char path[256];
	size_t len = strlen(value);
	int n, fd, rc = 0;
	char *p;

	n = snprintf(path, sizeof path, "%s/%s", procsys, key);
	if (n < 0 || (size_t)n >= sizeof path)
		return -ENAMETOOLONG;
	for (p = path + strlen(procsys) + 1; *p != '\0'; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/*
 * sysctl_apply_file: apply every setting of one file.  A bad line or a key
 * the kernel refuses is logged with file and line and the rest still
 * applies; a key written "-key" may fail quietly (systemd's convention).
 * Returns the number of failures, or -errno when the file cannot be read.
 */
int sysctl_apply_file(const char *file, const char *procsys)
{
	char line[SYSCTL_LINE_MAX], *key, *value;
	int lineno = 0, failed = 0, rc;
	FILE *f = fopen(file, "re");

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof line, f) != NULL) {
		int optional;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			log_msg(LOG_WARNING, "%s:%d: line too long", file, lineno);
			failed++;
			while (fgets(line, sizeof line, f) != NULL && strchr(line, '\n') == NULL)
				;
			continue;
		}
		optional = text_trim(line)[0] == '-';
		rc = sysctl_parse_line(line, &key, &value);
		if (rc == 0)
			continue;
		if (rc < 0) {
			log_msg(LOG_WARNING, "%s:%d: not a 'key = value' line", file, lineno);
			failed++;
			continue;
		}
		rc = sysctl_set(procsys, key, value);
		if (rc < 0 && !optional) {
			log_msg(LOG_WARNING, "%s:%d: %s: %s", file, lineno, key, strerror(-rc));
			failed++;
		}
	}
	fclose(f);
	return failed;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/*
 * sysctl_apply_dir: every .conf file in dir, in name order, so 10-x.conf can be
 * overridden by 90-site.conf.  Returns the number of failures, or -errno.
 */
int sysctl_apply_dir(const char *dir, const char *procsys)
{
	static char names[SYSCTL_FILES_MAX][SYSCTL_NAME_MAX];
	char path[SYSCTL_NAME_MAX + 256];
	struct dirent *d;
	int n = 0, i, failed = 0, rc;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return -errno;
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len < 6 || strcmp(d->d_name + len - 5, ".conf") != 0 || d->d_name[0] == '.')
			continue;
		if (len >= SYSCTL_NAME_MAX || n == SYSCTL_FILES_MAX) {
			log_msg(LOG_WARNING, "%s/%s: skipped (name too long or too many files)", dir, d->d_name);
			failed++;
			continue;
		}
		memcpy(names[n++], d->d_name, len + 1);
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof names[0], name_cmp);
	for (i = 0; i < n; i++) {
		int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);

		if (len < 0 || (size_t)len >= sizeof path) {
			failed++;
			continue;
		}
		rc = sysctl_apply_file(path, procsys);
		failed += rc < 0 ? 1 : rc;
	}
	return failed;
}
