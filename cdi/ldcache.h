/* ldcache.h: glibc's /etc/ld.so.cache, read strictly. */
#ifndef CAIRN_LDCACHE_H
#define CAIRN_LDCACHE_H

#include <stddef.h>

/* The cache of a real system is ~100 KiB; anything past this is refused. */
#define LDCACHE_MAX (16u << 20)
#define LDCACHE_ENTRIES_MAX 65536u

/* Called for each entry of this machine's ABI: the soname (libcuda.so.1)
 * and the path it resolves to.  A nonzero return stops the walk and is
 * ldcache_parse's result. */
typedef int ldcache_fn(void *ctx, const char *name, const char *path);

int ldcache_parse(const unsigned char *buf, size_t len, ldcache_fn *fn, void *ctx);

/* One library of a cache to write: its soname and the path the loader opens. */
struct ldcache_entry {
	const char *name;
	const char *path;
};

int ldcache_libcmp(const char *a, const char *b);
int ldcache_write(struct ldcache_entry *e, size_t n, unsigned char **buf, size_t *len);

#endif
