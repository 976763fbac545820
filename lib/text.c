/* text.c: trim blanks around a word or a line read from a file. */
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
