/* modules.h: which kernel modules stage 1 asks modprobe to load. */
#ifndef CAIRN_INITD_MODULES_H
#define CAIRN_INITD_MODULES_H

#include <stddef.h>

/* The board's list in the image: one module name per line, '#' comments. */
#define MODULES_LIST_PATH "/etc/modules"

/* The kernel's MODULE_NAME_LEN (64 - sizeof(unsigned long)) less the NUL. */
#define MODULE_NAME_MAX 55

/*
 * Sizes for initd's static tables (no malloc in PID 1).  A big server has
 * a few hundred distinct aliases of some 40 bytes (one CPU alias of up to
 * 2 KiB); what does not fit is logged and waits for hotplug.
 */
#define MODULES_LIST_MAX 64
#define MODULES_LIST_BUF 4096
#define MODULES_ALIAS_MAX 512
#define MODULES_ALIAS_BUF 32768

int modules_list_parse(const char *path, char *buf, char *names[], int max);
int modules_list_read(const char *path, char *buf, size_t size, char *names[], int max);
int modules_coldplug(const char *sysdir, char *buf, size_t size, char *aliases[], int max);
int modules_count(const char *path);

#endif
