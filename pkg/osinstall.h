/* osinstall.h: the OS package (cairn-os) onto a blank disk: the
 * installer's work (doc/install.md). */
#ifndef CAIRN_PKG_OSINSTALL_H
#define CAIRN_PKG_OSINSTALL_H

#include <stddef.h>

#include "repo.h"
#include "util.h"

#define OS_PACKAGE "cairn-os"
#define OS_PARTS_MAX 16
#define OS_LAYOUT_MAX 8192			/* the table's text, bytes */
#define OS_ESP_TYPE "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

struct os_part {
	unsigned long long start, size;		/* 512-byte sectors */
	char type[40], name[40];
};

/* The partition table the package carries (boot/gpt.sfdisk). */
struct os_layout {
	struct os_part p[OS_PARTS_MAX];
	int n;
	unsigned long long end;			/* the first sector past every partition */
};

#define OS_FORCE 1				/* a target that is not blank */

int os_layout_parse(const char *text, size_t len, struct os_layout *l, char *err, size_t errsize);
const struct os_part *os_layout_find(const struct os_layout *l, const char *name);
int os_install(struct repo *r, const char *arch, const char *target, int flags, struct perr *e);

#endif
