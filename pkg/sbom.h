/* sbom.h: an SPDX 2.3 JSON document of a set of packages. */
#ifndef CAIRN_PKG_SBOM_H
#define CAIRN_PKG_SBOM_H

#include <stdio.h>

#include "format.h"

int sbom_write(FILE *out, const char *name, const struct pkg_meta *const *pkgs, size_t n,
	       long long created);

#endif
