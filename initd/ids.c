/*
 * ids.c: look names up in passwd(5)-format files with a bounded read and no
 * allocation (PID 1 reloads services long after its start).  A name that is
 * all digits is taken as the id itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "pages.h"
#include "text.h"

static int numeric(const char *s, unsigned long *v)
{
	unsigned long long n;

	if (text_uint(s, 0xfffffffeULL, &n) < 0)
		return 0;
	*v = (unsigned long)n;
	return 1;
}

/* The file read whole; its pages given back after each lookup. */
static char buf[IDS_FILE_MAX + 1] PAGES_ALIGN;

/* Find name in field 0 of path; copy fields 2 and 3 (ids) out. */
static int scan(const char *path, const char *name, unsigned long *id2, unsigned long *id3)
{
	size_t len = 0, nlen = strlen(name);
	ssize_t r;
	char *line, *next, *f[4], *end;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < IDS_FILE_MAX && (r = read(fd, buf + len, IDS_FILE_MAX - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	for (line = buf; line < buf + len; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : buf + len;
		if (strncmp(line, name, nlen) != 0 || line[nlen] != ':')
			continue;
		f[0] = line;
		for (i = 1; i < 4; i++) {
			f[i] = memchr(f[i - 1], ':', (size_t)(next - f[i - 1]));
			if (f[i] == NULL)
				return -EINVAL;
			f[i]++;
		}
		/* An id past 32 bits would wrap, to 0 (root) among others. */
		errno = 0;
		*id2 = strtoul(f[2], &end, 10);
		if (end == f[2] || *end != ':' || errno != 0 || *id2 >= 0xffffffffUL)
			return -EINVAL;
		if (id3 != NULL) {
			*id3 = strtoul(f[3], &end, 10);
			if (end == f[3] || (*end != ':' && *end != '\n' && *end != '\0') ||
			    errno != 0 || *id3 >= 0xffffffffUL)
				return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

static int lookup(const char *path, const char *name, unsigned long *id2, unsigned long *id3)
{
	int rc = scan(path, name, id2, id3);

	(void)pages_release(buf, sizeof buf);
	return rc;
}

/* ids_user: uid and primary gid of name.  -ENOENT: no such user. */
int ids_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid)
{
	unsigned long u = 0, g = 0;
	int rc;

	if (numeric(name, &u)) {
		*uid = (uid_t)u;
		*gid = (gid_t)u;	/* `group` names another */
		return 0;
	}
	rc = lookup(passwd, name, &u, &g);
	if (rc < 0)
		return rc;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

int ids_group(const char *group, const char *name, gid_t *gid)
{
	unsigned long g = 0;
	int rc;

	if (numeric(name, &g)) {
		*gid = (gid_t)g;
		return 0;
	}
	rc = lookup(group, name, &g, NULL);
	if (rc < 0)
		return rc;
	*gid = (gid_t)g;
	return 0;
}
