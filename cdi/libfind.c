/* libfind.c: find a driver library (libcuda.so -> libcuda.so.VERSION and
 * its soname links) in library directories and the ld cache, and a tool in
 * binary directories, all under a root prefix. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "gpu.h"
#include "ldcache.h"
#include "libfind.h"

static const char *root_of(const char *root)
{
	return root == NULL || strcmp(root, "/") == 0 ? "" : root;
}

static int is_file(const char *root, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	if (gpu_path(full, sizeof(full), root, path) < 0)
		return 0;
	return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* host_real: the real path of ROOT+PATH with ROOT taken off again. */
static int host_real(const char *root, const char *path, char *out, size_t size)
{
	char full[PATH_MAX], real[PATH_MAX];
	size_t rl = strlen(root_of(root));

	if (gpu_path(full, sizeof(full), root, path) < 0)
		return -ENAMETOOLONG;
	if (realpath(full, real) == NULL)
		return -errno;
	if (strncmp(real, root_of(root), rl) != 0 || real[rl] != '/')
		return -EXDEV;	/* a link out of a fake root */
	if (strlen(real + rl) >= size)
		return -ENAMETOOLONG;
	snprintf(out, size, "%s", real + rl);
	return 0;
}

/* versioned: NAME.VERSION is BASE (libcuda.so.550.54.14). */
static int versioned(const char *base, const char *name, const char *version)
{
	size_t n = strlen(name);

	return version != NULL && strncmp(base, name, n) == 0 && base[n] == '.' &&
	       strcmp(base + n + 1, version) == 0;
}

struct cache_hit {
	struct libsearch *s;
	const char *name;
	char best[LIBFIND_PATH_MAX];	/* the real file of a versioned match */
	char any[LIBFIND_PATH_MAX];	/* the real file of any match */
};

static int cache_visit(void *ctx, const char *soname, const char *path)
{
	struct cache_hit *h = ctx;
	size_t n = strlen(h->name);
	char real[LIBFIND_PATH_MAX];
	const char *base;

	/* libcuda.so.1 and libcuda.so, not libcuda.somethingelse */
	if (strncmp(soname, h->name, n) != 0 || (soname[n] != '.' && soname[n] != '\0'))
		return 0;
	if (path[0] != '/' || host_real(h->s->root, path, real, sizeof(real)) < 0 ||
	    !is_file(h->s->root, real))
		return 0;
	base = strrchr(real, '/') + 1;
	if (versioned(base, h->name, h->s->version)) {
		snprintf(h->best, sizeof(h->best), "%s", real);
		return 1;
	}
	if (h->any[0] == '\0')
		snprintf(h->any, sizeof(h->any), "%s", real);
	return 0;
}

static void cache_load(struct libsearch *s)
{
	char full[PATH_MAX];
	char *buf;
	size_t len;
	int rc;

	if (s->cache_rc != 0)
		return;
	if (gpu_path(full, sizeof(full), s->root, s->ldcache) < 0) {
		s->cache_rc = -ENAMETOOLONG;
		return;
	}
	rc = file_read_alloc(full, LDCACHE_MAX, &buf, &len);
	if (rc < 0) {
		s->cache_rc = rc;
		return;
	}
	s->cache = (unsigned char *)buf;
	s->cache_len = len;
	s->cache_rc = 1;
}

void lib_search_free(struct libsearch *s)
{
	free(s->cache);
	s->cache = NULL;
	s->cache_rc = 0;
}

static int link_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* links_of: the symlinks beside FILE whose names start with NAME and
 * that resolve to FILE (libcuda.so.1, libcuda.so). */
static void links_of(struct libsearch *s, const char *name, struct libfile *out)
{
	char dir[LIBFIND_PATH_MAX], full[PATH_MAX], link[LIBFIND_PATH_MAX], real[LIBFIND_PATH_MAX];
	const char *slash = strrchr(out->path, '/');
	size_t n = strlen(name);
	struct dirent *e;
	struct stat st;
	DIR *d;

	out->nlinks = 0;
	if (slash == NULL || (size_t)(slash - out->path) >= sizeof(dir))
		return;
	memcpy(dir, out->path, (size_t)(slash - out->path));
	dir[slash - out->path] = '\0';
	if (gpu_path(full, sizeof(full), s->root, dir[0] != '\0' ? dir : "/") < 0)
		return;
	d = opendir(full);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && out->nlinks < LIBFIND_LINKS) {
		if (strncmp(e->d_name, name, n) != 0 || (e->d_name[n] != '.' && e->d_name[n] != '\0'))
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir, e->d_name) >= (int)sizeof(link))
			continue;
		if (gpu_path(full, sizeof(full), s->root, link) < 0 || lstat(full, &st) < 0 ||
		    !S_ISLNK(st.st_mode))
			continue;
		if (host_real(s->root, link, real, sizeof(real)) < 0 || strcmp(real, out->path) != 0)
			continue;
		snprintf(out->links[out->nlinks++], sizeof(out->links[0]), "%s", link);
	}
	closedir(d);
	/* readdir's order is the file system's: sort for a stable spec. */
	qsort(out->links, out->nlinks, sizeof(out->links[0]), link_cmp);
}

/* dir_any: in DIR, any NAME.* that resolves to a regular file. */
static int dir_any(struct libsearch *s, const char *dir, const char *name, char *out, size_t size)
{
	char full[PATH_MAX], cand[LIBFIND_PATH_MAX], best[LIBFIND_PATH_MAX] = "";
	size_t n = strlen(name);
	struct dirent *e;
	DIR *d;

	if (gpu_path(full, sizeof(full), s->root, dir) < 0)
		return -ENAMETOOLONG;
	d = opendir(full);
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, name, n) != 0 || (e->d_name[n] != '.' && e->d_name[n] != '\0'))
			continue;
		if (snprintf(cand, sizeof(cand), "%s/%s", dir, e->d_name) >= (int)sizeof(cand))
			continue;
		if (host_real(s->root, cand, full, sizeof(full)) < 0 || !is_file(s->root, full) ||
		    strlen(full) >= sizeof(best))
			continue;
		/* the same file whatever link named it: keep the smallest
		 * name for a stable result */
		if (best[0] == '\0' || strcmp(full, best) < 0)
			memcpy(best, full, strlen(full) + 1);	/* length checked above */
	}
	closedir(d);
	if (best[0] == '\0')
		return -ENOENT;
	if (strlen(best) >= size)
		return -ENAMETOOLONG;
	snprintf(out, size, "%s", best);
	return 0;
}

/* lib_find: NAME (libcuda.so) as a file: NAME.VERSION in the directories,
 * then in the ld cache, then any NAME.* in the directories or the cache.
 * -ENOENT: none. */
int lib_find(struct libsearch *s, const char *name, struct libfile *out)
{
	char path[LIBFIND_PATH_MAX];
	struct cache_hit hit;
	size_t i;

	out->path[0] = '\0';
	out->nlinks = 0;
	for (i = 0; s->version != NULL && i < s->ndirs; i++) {
		if (snprintf(path, sizeof(path), "%s/%s.%s", s->dirs[i], name, s->version) >=
		    (int)sizeof(path))
			continue;
		if (is_file(s->root, path) && host_real(s->root, path, out->path, sizeof(out->path)) == 0)
			goto found;
	}
	memset(&hit, 0, sizeof(hit));
	hit.s = s;
	hit.name = name;
	if (s->ldcache != NULL) {
		cache_load(s);
		if (s->cache_rc == 1)
			ldcache_parse(s->cache, s->cache_len, cache_visit, &hit);
	}
	if (hit.best[0] != '\0') {
		snprintf(out->path, sizeof(out->path), "%s", hit.best);
		goto found;
	}
	for (i = 0; i < s->ndirs; i++)
		if (dir_any(s, s->dirs[i], name, out->path, sizeof(out->path)) == 0)
			goto found;
	if (hit.any[0] != '\0') {
		snprintf(out->path, sizeof(out->path), "%s", hit.any);
		goto found;
	}
	return -ENOENT;
found:
	links_of(s, name, out);
	return 0;
}

/* bin_find: the first DIR/NAME that is an executable regular file. */
int bin_find(const char *root, const char *const *dirs, size_t ndirs, const char *name,
	     char *out, size_t size)
{
	char path[LIBFIND_PATH_MAX], full[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < ndirs; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dirs[i], name) >= (int)sizeof(path))
			continue;
		if (gpu_path(full, sizeof(full), root, path) < 0 || stat(full, &st) < 0 ||
		    !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
			continue;
		if (strlen(path) >= size)
			return -ENAMETOOLONG;
		snprintf(out, size, "%s", path);
		return 0;
	}
	return -ENOENT;
}
