/* runcap.h: run a program and keep what it prints, or let it speak. */
#ifndef CAIRN_RUNCAP_H
#define CAIRN_RUNCAP_H

#include <stddef.h>

int run_capture(char *const *argv, size_t max, int timeout_s, char **out, size_t *len);
int run_tool(char *const *argv, const char *input, int timeout_s);

#endif
