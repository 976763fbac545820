/* cmdline.h: reading keys from a kernel command line. */
#ifndef CAIRN_CMDLINE_H
#define CAIRN_CMDLINE_H

#include <stddef.h>

/* The longest /proc/cmdline Cairn reads (COMMAND_LINE_SIZE on x86 is 2048). */
#define CMDLINE_MAX 4096

int cmdline_get(const char *cmdline, const char *key, char *value, size_t size);
int cmdline_nth(const char *cmdline, const char *key, int nth, char *value, size_t size);
int cmdline_has(const char *cmdline, const char *key);
int cmdline_read(const char *path, char *buf, size_t size);

#endif
