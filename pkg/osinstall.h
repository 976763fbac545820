/* osinstall.h: the OS package (cairn-os) onto a blank disk, the
 * installer's work (doc/install.md), and into a node's other root slot,
 * an update's (doc/update.md). */
#ifndef CAIRN_PKG_OSINSTALL_H
#define CAIRN_PKG_OSINSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "repo.h"
#include "txn.h"
#include "perr.h"

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

/* Where os_stream puts one file of the package. */
struct os_put {
	int file;				/* index in the file list */
	unsigned long long offset;		/* bytes into the target */
	char *keep;				/* its first HOLD bytes into memory instead */
	unsigned long long hold;		/* its size: all of it, KEEP size + 1, NUL-ended */
};

struct os_update_opts {
	const char *arch;
	const char *sys;			/* sysfs: "/sys" */
	const char *cmdline;			/* "/proc/cmdline" */
	const char *osrel;			/* the running OS's os-release */
	const char *esp;			/* where the ESP is (mounted there if not) */
	int statefd;				/* the OS state directory (its lock held) */
	int tries;				/* boots the new OS gets to become healthy */
	int stage;				/* written, not armed: `cairn-agent os reboot` arms it */
};

int os_layout_parse(const char *text, size_t len, struct os_layout *l, char *err, size_t errsize);
const struct os_part *os_layout_find(const struct os_layout *l, const char *name);
const struct index_pkg *os_newest(const struct repo *r, const char *arch);
int os_load(struct repo *r, const char *arch, const struct index_pkg **ip, struct txn_pkg *p, struct perr *e);
int os_file(const struct pkg_meta *m, const char *path);
int os_stream(const struct txn_pkg *p, int out, struct os_put *puts, int nputs, int last, const char *target,
	      struct perr *e);
int os_written(const struct txn_pkg *p, int file, const char *path, unsigned long long off, const void *head,
	       size_t headlen, struct perr *e);
int os_read_back(const char *path, unsigned long long off, unsigned long long size, const void *head,
		 size_t headlen, const uint8_t want[32], struct perr *e);
int os_install(struct repo *r, const char *arch, const char *target, int flags, struct perr *e);
int os_update(struct repo *r, const struct os_update_opts *o, struct perr *e);

#endif
