/* text.h: small helpers for the line-based files Cairn reads. */
#ifndef CAIRN_TEXT_H
#define CAIRN_TEXT_H

char *text_trim(char *s);

#endif
