/* version.h: ordering package versions, matching relations. */
#ifndef CAIRN_PKG_VERSION_H
#define CAIRN_PKG_VERSION_H

#include "format.h"

int version_cmp(const char *a, const char *b);
int version_match(const char *have, enum pkg_op op, const char *want);

#endif
