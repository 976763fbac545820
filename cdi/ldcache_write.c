/* ldcache_write.c: glibc's ld.so.cache ("glibc-ld.so.cache1.1", the only
 * format glibc 2.32 and later write) from a list of sonames and paths, so
 * that a container's cache is made by Cairn's own code and never by a
 * program the container brings.  The loader finds a name by binary search,
 * so the entries are sorted as glibc's ldconfig sorts them: by the
 * loader's own name order (runs of digits compared as numbers), greatest
 * first. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldcache.h"

#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER 48
#define NEW_ENTRY 24

/* What this machine's loader takes: an ELF libc6 library of its ABI. */
#if defined(__x86_64__)
#define ENTRY_FLAGS 0x0303
#elif defined(__aarch64__)
#define ENTRY_FLAGS 0x0a03
#else
#error "ldcache_write: unknown machine"
#endif

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* number: the run of digits at *P as the loader reads it: in 32 bits,
 * wrapping (glibc adds them up in an int), *P moved past it. */
static uint32_t number(const char **p)
{
	uint32_t v = 0;

	for (; is_digit(**p); (*p)++)
		v = v * 10 + (uint32_t)(**p - '0');
	return v;
}

/* ldcache_libcmp: the loader's order of two names (glibc's
 * _dl_cache_libcmp): digits sort after other characters and runs of
 * digits compare as numbers, wrapping as the loader's do (a name with a
 * run of ten digits sorts where the loader will look for it); other
 * characters as this machine's char. */
int ldcache_libcmp(const char *a, const char *b)
{
	uint32_t x, y;

	while (*a != '\0') {
		if (is_digit(*a)) {
			if (!is_digit(*b))
				return 1;
			x = number(&a);
			y = number(&b);
			if (x != y)
				return (int32_t)(x - y) < 0 ? -1 : 1;
		} else if (is_digit(*b)) {
			return -1;
		} else if (*a != *b) {
			return *a - *b;
		} else {
			a++;
			b++;
		}
	}
	return *a - *b;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct ldcache_entry *a = x, *b = y;

	return ldcache_libcmp(b->name, a->name);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* ldcache_write: the cache of the N entries E (sorted in place; names
 * unique) into a new buffer *BUF of *LEN bytes.  -E2BIG past the limits
 * a reader (ldcache_parse) accepts. */
int ldcache_write(struct ldcache_entry *e, size_t n, unsigned char **buf, size_t *len)
{
	size_t strings = 0, i, head, off, l;
	unsigned char *b;

	if (n > LDCACHE_ENTRIES_MAX)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		strings += strlen(e[i].name) + 1 + strlen(e[i].path) + 1;
		if (strings > LDCACHE_MAX)
			return -E2BIG;
	}
	head = NEW_HEADER + n * NEW_ENTRY;
	if (head + strings > LDCACHE_MAX)
		return -E2BIG;
	if (n > 0)
		qsort(e, n, sizeof(*e), entry_cmp);
	b = calloc(1, head + strings);
	if (b == NULL)
		return -ENOMEM;
	memcpy(b, NEW_MAGIC, sizeof(NEW_MAGIC) - 1);
	put32(b + 20, (uint32_t)n);
	put32(b + 24, (uint32_t)strings);
	b[28] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 2 : 3;
	/* 32: no extension section (hwcaps subfolders are not listed). */
	off = head;
	for (i = 0; i < n; i++) {
		unsigned char *p = b + NEW_HEADER + i * NEW_ENTRY;

		put32(p, ENTRY_FLAGS);
		/* Offsets count from the start of the file. */
		l = strlen(e[i].name) + 1;
		put32(p + 4, (uint32_t)off);
		memcpy(b + off, e[i].name, l);
		off += l;
		l = strlen(e[i].path) + 1;
		put32(p + 8, (uint32_t)off);
		memcpy(b + off, e[i].path, l);
		off += l;
		/* osversion and hwcap stay 0: any kernel, any CPU. */
	}
	*buf = b;
	*len = off;
	return 0;
}
