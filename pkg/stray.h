/* stray.h: what is on disk under a root that no installed package lists. */
#ifndef CAIRN_PKG_STRAY_H
#define CAIRN_PKG_STRAY_H

#include "db.h"
#include "perr.h"

int stray_walk(int rootfd, const struct db *db, const char *top,
	       void (*found)(const char *path, const char *why, void *arg), void *arg, struct perr *e);

#endif
