/* text.h: small helpers for the line-based files Cairn reads. */
#ifndef CAIRN_TEXT_H
#define CAIRN_TEXT_H

#include <stddef.h>

char *text_trim(char *s);
int text_uint(const char *s, unsigned long long max, unsigned long long *v);

#endif
