/* cmdline.c: find `key` or `key=value` words in a kernel command line. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

/*
 * Walk one word starting at *p: skip leading blanks, honour double quotes
 * as the kernel's next_arg() does (key="a b" and "key=a b"), and leave *p
 * after the word.  The word is returned as [start, end) with quotes kept.
 */
static int word_next(const char **p, const char **start, const char **end)
{
	const char *s = *p;
	int quoted = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0')
		return 0;
	*start = s;
	for (; *s != '\0'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (*s == ' ' || *s == '\t' || *s == '\n'))
			break;
	}
	*end = s;
	*p = s;
	return 1;
}

/* Copy [s, e) into value without double quotes; -ENAMETOOLONG if it won't fit. */
static int value_copy(const char *s, const char *e, char *value, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return -ENAMETOOLONG;
	for (; s < e; s++) {
		if (*s == '"')
			continue;
		if (n + 1 >= size)
			return -ENAMETOOLONG;
		value[n++] = *s;
	}
	value[n] = '\0';
	return 0;
}

/*
 * Find occurrence nth (0 the first; -1 the last) of key, bare or with a
 * value, and copy its value out.
 */
static int find(const char *cmdline, const char *key, int nth, char *value, size_t size)
{
	const char *p = cmdline, *start, *end, *found = NULL, *found_end = NULL;
	size_t klen = strlen(key);
	int rc, seen = 0;

	if (klen == 0)
		return -EINVAL;
	while (word_next(&p, &start, &end)) {
		const char *w = start;

		if (*w == '"')
			w++;
		if ((size_t)(end - w) < klen || memcmp(w, key, klen) != 0)
			continue;
		w += klen;
		if (w == end || (*w == '"' && w + 1 == end)) {
			found = found_end = end;
		} else if (*w == '=') {
			found = w + 1;
			found_end = end;
		} else {
			continue;
		}
		if (nth >= 0 && seen++ == nth)
			break;
	}
	if (found == NULL || (nth >= 0 && seen <= nth))
		return -ENOENT;
	rc = value_copy(found, found_end, value, size);
	if (rc < 0 && size > 0)
		value[0] = '\0';
	return rc;
}

/*
 * cmdline_get: the value of the last `key=value` (or bare `key`, value "")
 * in cmdline.  Returns 0, -ENOENT when key is absent, or -ENAMETOOLONG when
 * the value does not fit in size bytes (value is then left empty).
 */
int cmdline_get(const char *cmdline, const char *key, char *value, size_t size)
{
	return find(cmdline, key, -1, value, size);
}

/* cmdline_nth: like cmdline_get, for occurrence nth (0 the first) of a key
 * the kernel takes many times (console=). */
int cmdline_nth(const char *cmdline, const char *key, int nth, char *value, size_t size)
{
	return nth < 0 ? -EINVAL : find(cmdline, key, nth, value, size);
}

/* cmdline_has: 1 when key appears with or without a value, else 0. */
int cmdline_has(const char *cmdline, const char *key)
{
	char dummy[1];

	return cmdline_get(cmdline, key, dummy, sizeof dummy) != -ENOENT;
}

/*
 * cmdline_read: read a command line file (normally /proc/cmdline) into buf,
 * NUL-terminated.  Returns the length, or -errno; -E2BIG when it is longer
 * than buf, which a caller must not half-parse.
 */
int cmdline_read(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd, rc = 0;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (n + 1 >= size) {
			char c;

			r = read(fd, &c, 1);
			rc = r == 0 ? 0 : r < 0 ? -errno : -E2BIG;
			break;
		}
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc < 0) {
		buf[0] = '\0';
		return rc;
	}
	buf[n] = '\0';
	return (int)n;
}
