/* hostlist.h: Slurm's host-list syntax ("gpu[001-128,200]"), expanded. */
#ifndef CAIRNCTL_HOSTLIST_H
#define CAIRNCTL_HOSTLIST_H

#include <stddef.h>

#define HOSTLIST_NAME 64		/* a name's bytes, its NUL included */
#define HOSTLIST_MAX 100000		/* names in one expansion */

struct hostlist {
	char (*names)[HOSTLIST_NAME];
	size_t n, cap;
	size_t max;			/* the most names; 0: HOSTLIST_MAX */
};

int hostlist_name_ok(const char *name);
int hostlist_expand(const char *expr, struct hostlist *hl, char *err, size_t size);
void hostlist_free(struct hostlist *hl);

#endif
