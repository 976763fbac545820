/* text.c: trim blanks around a word or a line read from a file; read a
 * number written in one. */
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
