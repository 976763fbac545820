/* runcap.h: run a program and keep what it prints. */
#ifndef CAIRN_RUNCAP_H
#define CAIRN_RUNCAP_H

#include <stddef.h>

int run_capture(char *const *argv, size_t max, int timeout_s, char **out, size_t *len);

#endif
