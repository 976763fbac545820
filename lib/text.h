/* text.h: small helpers for the line-based files Cairn reads. */
#ifndef CAIRN_TEXT_H
#define CAIRN_TEXT_H

#include <stddef.h>

char *text_trim(char *s);
int text_copy(char *dst, size_t size, const char *src);
int text_uint(const char *s, unsigned long long max, unsigned long long *v);
int text_printable(const char *s);

void text_hex(const unsigned char *b, size_t n, char *out);
int text_unhex(const char *hex, unsigned char *out, size_t max, size_t *n);
int text_hexdigit(int c);

#endif
