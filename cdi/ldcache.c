/* ldcache.c: walk glibc's ld.so.cache ("glibc-ld.so.cache1.1", optionally
 * after the old "ld.so-1.7.0" table, as glibc before 2.32 wrote it).  Every
 * count and offset is checked against the buffer; strings must end inside
 * it.  Only entries for this machine's ABI are reported. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ldcache.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER 48
#define NEW_ENTRY 24
#define OLD_ENTRY 12

#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00
#if defined(__x86_64__)
#define FLAG_ARCH 0x0300
#elif defined(__aarch64__)
#define FLAG_ARCH 0x0a00
#else
#define FLAG_ARCH 0x0000
#endif

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* str_at: the NUL-terminated string at OFF of [BASE, BASE+LEN), or NULL. */
static const char *str_at(const unsigned char *base, size_t len, uint32_t off)
{
	if (off >= len || memchr(base + off, '\0', len - off) == NULL)
		return NULL;
	return (const char *)base + off;
}

int ldcache_parse(const unsigned char *buf, size_t len, ldcache_fn *fn, void *ctx)
{
	const unsigned char *h;
	size_t hlen, i;
	uint32_t nlibs, flags;
	const char *name, *path;
	int rc;

	if (len > LDCACHE_MAX)
		return -EFBIG;
	h = buf;
	hlen = len;
	if (len >= sizeof(OLD_MAGIC) - 1 && memcmp(buf, OLD_MAGIC, sizeof(OLD_MAGIC) - 1) == 0) {
		size_t skip;

		/* magic[11], padding to 12, nlibs, entries; the new table
		 * follows, aligned to 8. */
		if (len < 16)
			return -EINVAL;
		nlibs = get32(buf + 12);
		if (nlibs > LDCACHE_ENTRIES_MAX)
			return -EINVAL;
		skip = 16 + (size_t)nlibs * OLD_ENTRY;
		skip = (skip + 7) & ~(size_t)7;
		if (skip > len)
			return -EINVAL;
		h = buf + skip;
		hlen = len - skip;
	}
	if (hlen < NEW_HEADER || memcmp(h, NEW_MAGIC, sizeof(NEW_MAGIC) - 1) != 0)
		return -ENOTSUP;
	nlibs = get32(h + 20);
	if (nlibs > LDCACHE_ENTRIES_MAX || (size_t)nlibs * NEW_ENTRY > hlen - NEW_HEADER)
		return -EINVAL;
	/* The flags byte at 28 is the writer's byte order: 0 unset, 1
	 * invalid, 2 little, 3 big endian.  Only this machine's is read. */
	if (h[28] != 0 && h[28] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 2 : 3))
		return -ENOTSUP;
	for (i = 0; i < nlibs; i++) {
		const unsigned char *e = h + NEW_HEADER + i * NEW_ENTRY;

		flags = get32(e);
		if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
		    (flags & FLAG_REQUIRED_MASK) != FLAG_ARCH)
			continue;
		/* Offsets count from the new header. */
		name = str_at(h, hlen, get32(e + 4));
		path = str_at(h, hlen, get32(e + 8));
		if (name == NULL || path == NULL)
			return -EINVAL;
		rc = fn(ctx, name, path);
		if (rc != 0)
			return rc;
	}
	return 0;
}
