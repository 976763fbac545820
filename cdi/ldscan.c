/* ldscan.c: the libraries of a container's root, as glibc's ldconfig
 * would list them, read through handles that cannot leave that root
 * (inroot.c).  Folders are taken in this order, the first library of a
 * soname winning: the hook's folders (the driver's mounted libraries),
 * the folders /etc/ld.so.conf names (with its includes), then the
 * loader's own.  Hardware-capability subfolders are not listed: the loader
 * searches them itself.  Everything here is the container's data, so
 * every count is bounded and a file that is not what it claims is
 * skipped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfso.h"
#include "inroot.h"
#include "ldcache.h"
#include "ldscan.h"

#if defined(__x86_64__)
#define TRIPLET "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define TRIPLET "aarch64-linux-gnu"
#endif

static const char *const loader_dirs[] = {
	"/lib/" TRIPLET, "/usr/lib/" TRIPLET, "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

struct cand {
	char *name;		/* soname */
	char *path;		/* where the loader opens it */
	size_t rank;		/* lower wins */
};

struct scan {
	int rootfd;
	char *dirs[LDSCAN_DIRS];
	size_t ndirs;
	size_t confs;		/* conf files read: includes may loop */
	struct cand *c;
	size_t n, cap;
};

/* add_dir: folder D (absolute; trailing slashes dropped) once. */
static int add_dir(struct scan *s, const char *d, size_t len)
{
	size_t i;

	while (len > 1 && d[len - 1] == '/')
		len--;
	if (len == 0 || d[0] != '/' || len >= 4096)
		return 0;
	for (i = 0; i < s->ndirs; i++)
		if (strlen(s->dirs[i]) == len && memcmp(s->dirs[i], d, len) == 0)
			return 0;
	if (s->ndirs == LDSCAN_DIRS)
		return 0;
	s->dirs[s->ndirs] = strndup(d, len);
	if (s->dirs[s->ndirs] == NULL)
		return -ENOMEM;
	s->ndirs++;
	return 0;
}

static int read_conf(struct scan *s, const char *path, int depth);

/* open_dir: folder PATH of the root for reading, or NULL. */
static DIR *open_dir(const struct scan *s, const char *path)
{
	DIR *d;
	int fd = inroot_open(s->rootfd, path, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (d == NULL)
		close(fd);
	return d;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* include: the files PATTERN names (a glob in its last component only, as
 * every distribution writes it), in sorted order as glob(3) gives them. */
static int include(struct scan *s, const char *pattern, int depth)
{
	char dir[4096], *names[LDSCAN_DIRS], full[4096];
	const char *slash = strrchr(pattern, '/');
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (slash == NULL || (size_t)(slash - pattern) >= sizeof(dir))
		return 0;
	memcpy(dir, pattern, (size_t)(slash - pattern));
	dir[slash - pattern] = '\0';
	if (strpbrk(dir, "*?[") != NULL)
		return 0;
	if (strpbrk(slash + 1, "*?[") == NULL)
		return read_conf(s, pattern, depth + 1);
	d = open_dir(s, dir[0] != '\0' ? dir : "/");
	if (d == NULL)
		return 0;
	while (n < LDSCAN_DIRS && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fnmatch(slash + 1, de->d_name, FNM_PERIOD) != 0)
			continue;
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0 && snprintf(full, sizeof(full), "%s/%s", dir, names[i]) < (int)sizeof(full))
			rc = read_conf(s, full, depth + 1);
		free(names[i]);
	}
	return rc;
}

/* read_conf: the folders an ld.so.conf file names, and its includes. */
static int read_conf(struct scan *s, const char *path, int depth)
{
	char *buf, *line, *next, *end, base[4096], pat[4096];
	const char *slash;
	ssize_t r;
	size_t len = 0;
	int fd, rc = 0;

	if (depth > LDSCAN_DEPTH || s->confs++ >= LDSCAN_CONFS)
		return 0;
	fd = inroot_open(s->rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return 0;
	buf = malloc(LDSCAN_CONF_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len < LDSCAN_CONF_MAX && (r = read(fd, buf + len, LDSCAN_CONF_MAX - len)) != 0) {
		if (r < 0)
			break;	/* a FIFO or a folder: as much as it gave */
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	slash = strrchr(path, '/');
	snprintf(base, sizeof(base), "%.*s", slash != NULL ? (int)(slash - path) : 0, path);
	for (line = buf; rc == 0 && line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		end = strchr(line, '#');
		if (end != NULL)
			*end = '\0';
		line += strspn(line, " \t\r");
		end = line + strlen(line);
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (*line == '\0')
			continue;
		if (strncmp(line, "include", 7) == 0 && (line[7] == ' ' || line[7] == '\t')) {
			char *tok, *save = NULL;

			for (tok = strtok_r(line + 8, " \t", &save); rc == 0 && tok != NULL;
			     tok = strtok_r(NULL, " \t", &save)) {
				if (tok[0] == '/')
					snprintf(pat, sizeof(pat), "%s", tok);
				else if (snprintf(pat, sizeof(pat), "%s/%s", base, tok) >= (int)sizeof(pat))
					continue;
				rc = include(s, pat, depth);
			}
		} else if (strncmp(line, "hwcap", 5) == 0 && (line[5] == ' ' || line[5] == '\t')) {
			continue;	/* obsolete; glibc ignores it too */
		} else {
			/* Old ldconfig took "DIR=TYPE": the folder is before '='. */
			end = strchr(line, '=');
			rc = add_dir(s, line, end != NULL ? (size_t)(end - line) : strlen(line));
		}
	}
	free(buf);
	return rc;
}

static int is_library_name(const char *n)
{
	return (strncmp(n, "lib", 3) == 0 || strncmp(n, "ld-", 3) == 0) && strstr(n, ".so") != NULL;
}

static int add_cand(struct scan *s, const char *name, const char *dir, const char *file, size_t rank)
{
	struct cand *c;
	size_t plen = strlen(dir) + 1 + strlen(file) + 1;

	if (s->n == LDCACHE_ENTRIES_MAX)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;

		c = realloc(s->c, cap * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		s->c = c;
		s->cap = cap;
	}
	c = &s->c[s->n];
	c->name = strdup(name);
	c->path = malloc(plen);
	if (c->name == NULL || c->path == NULL) {
		free(c->name);
		free(c->path);
		return -ENOMEM;
	}
	snprintf(c->path, plen, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", file);
	c->rank = rank;
	s->n++;
	return 0;
}

/* scan_dir: the libraries of folder number I. */
static int scan_dir(struct scan *s, size_t i)
{
	char soname[ELFSO_NAME_MAX + 1], path[4096];
	const char *dir = s->dirs[i];
	struct dirent *de;
	size_t seen = 0;
	DIR *d;
	int lfd, rc = 0;

	d = open_dir(s, dir);
	if (d == NULL)
		return 0;
	while (rc == 0 && seen++ < LDSCAN_FILES && (de = readdir(d)) != NULL) {
		if (!is_library_name(de->d_name) || de->d_type == DT_DIR ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* From the root again, not from the folder: a link to
		 * ../lib/libx.so.1 must resolve as the loader will. */
		lfd = inroot_open(s->rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		if (lfd < 0)
			continue;
		if (elfso_read(lfd, soname) == 0)
			/* A file named as its soname (the link ldconfig
			 * would make) wins over libx.so.1.2.3 in its folder. */
			rc = add_cand(s, soname[0] != '\0' ? soname : de->d_name, dir, de->d_name,
				      i * 2 + (soname[0] == '\0' || strcmp(soname, de->d_name) == 0 ? 0 : 1));
		close(lfd);
	}
	closedir(d);
	return rc;
}

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* ldscan_root: the cache for the root ROOTFD holds, with FOLDERS first,
 * into a new buffer *CACHE of *LEN bytes.  0 or -errno. */
int ldscan_root(int rootfd, const char *const *folders, size_t n, unsigned char **cache, size_t *len)
{
	struct scan s;
	struct ldcache_entry *e = NULL;
	size_t i, ne = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.rootfd = rootfd;
	for (i = 0; rc == 0 && i < n; i++)
		rc = add_dir(&s, folders[i], strlen(folders[i]));
	if (rc == 0)
		rc = read_conf(&s, "/etc/ld.so.conf", 0);
	for (i = 0; rc == 0 && i < sizeof(loader_dirs) / sizeof(loader_dirs[0]); i++)
		rc = add_dir(&s, loader_dirs[i], strlen(loader_dirs[i]));
	for (i = 0; rc == 0 && i < s.ndirs; i++)
		rc = scan_dir(&s, i);
	if (rc < 0)
		goto out;
	if (s.n > 0)
		qsort(s.c, s.n, sizeof(s.c[0]), cand_cmp);
	e = calloc(s.n ? s.n : 1, sizeof(*e));
	if (e == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s.n; i++)
		if (i == 0 || strcmp(s.c[i].name, s.c[i - 1].name) != 0) {
			e[ne].name = s.c[i].name;
			e[ne].path = s.c[i].path;
			ne++;
		}
	rc = ldcache_write(e, ne, cache, len);
out:
	free(e);
	for (i = 0; i < s.n; i++) {
		free(s.c[i].name);
		free(s.c[i].path);
	}
	free(s.c);
	for (i = 0; i < s.ndirs; i++)
		free(s.dirs[i]);
	return rc;
}
