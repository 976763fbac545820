/* text.c: trim blanks around a word or a line read from a file; say
 * whether it is printable; copy a string into a buffer it must fit; read a
 * number written in one; hex in and out. */
#include <errno.h>
#include <string.h>

#include "text.h"

/* text_trim: skip leading blanks, cut trailing blanks and line ends, in place. */
char *text_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* text_printable: whether S is printable ASCII only (space included):
 * what sysfs gives may go into JSON and onto a terminal as it is. */
int text_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* text_copy: SRC and its NUL into DST of SIZE bytes; -ENAMETOOLONG, DST
 * untouched, when it does not fit. */
int text_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

/*
 * text_uint: a decimal of digits only (no sign, no blanks, nothing after)
 * up to max, checked before it can overflow.  0 or -EINVAL.
 */
int text_uint(const char *s, unsigned long long max, unsigned long long *v)
{
	unsigned long long n = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (max - (unsigned)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (unsigned)(*s - '0');
	}
	*v = n;
	return 0;
}

/* text_hex: n bytes as 2n lowercase hex digits and a NUL into out. */
void text_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* text_hexdigit: a hex digit's value, either case; -1 for anything else. */
int text_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int nibble(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * text_unhex: an even number of lowercase hex digits (one spelling: no
 * upper case, no prefix) into at most max bytes; the count in *n.
 * 0 or -EINVAL.
 */
int text_unhex(const char *hex, unsigned char *out, size_t max, size_t *n)
{
	size_t len = strlen(hex), i;

	if (len == 0 || len % 2 != 0 || len / 2 > max)
		return -EINVAL;
	for (i = 0; i < len / 2; i++) {
		int hi = nibble((unsigned char)hex[2 * i]), lo = nibble((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}
