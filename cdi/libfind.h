/* libfind.h: the driver's libraries and tools on the host. */
#ifndef CAIRN_LIBFIND_H
#define CAIRN_LIBFIND_H

#include <stddef.h>

#define LIBFIND_PATH_MAX 512
#define LIBFIND_LINKS 8
#define LIBFIND_DIRS 32

struct libfile {
	char path[LIBFIND_PATH_MAX];	/* the file itself, as the host names it */
	size_t nlinks;			/* its soname links beside it */
	char links[LIBFIND_LINKS][LIBFIND_PATH_MAX];
};

struct libsearch {
	const char *root;		/* prefix of every path below ("" or "/": none) */
	const char *const *dirs;	/* searched in order, before the cache */
	size_t ndirs;
	const char *ldcache;		/* NULL: none */
	const char *version;		/* the driver's: preferred in file names */
	unsigned char *cache;		/* the cache, read once (lib_search_free) */
	size_t cache_len;
	int cache_rc;			/* 0 unread, 1 read, -errno failed */
};

int lib_find(struct libsearch *s, const char *name, struct libfile *out);
void lib_search_free(struct libsearch *s);
int bin_find(const char *root, const char *const *dirs, size_t ndirs, const char *name,
	     char *out, size_t size);

#endif
