/* build.h: make a package from a directory tree and a spec. */
#ifndef CAIRN_PKG_BUILD_H
#define CAIRN_PKG_BUILD_H

#include "perr.h"

int build_package(const char *spec, const char *dir, const char *out, int level, struct perr *e);

#endif
