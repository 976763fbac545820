/* sbom.h: an SPDX 2.3 JSON document of a set of packages. */
#ifndef CAIRN_PKG_SBOM_H
#define CAIRN_PKG_SBOM_H

#include <stdio.h>

#include "format.h"

/* What the document describes: the root or repository the packages are. */
struct sbom_root {
	const char *name;		/* the document's name and the root package's */
	const char *version;		/* the image's version, or NULL */
	const char *purpose;		/* an SPDX primaryPackagePurpose, or NULL */
};

int sbom_write(FILE *out, const struct sbom_root *root, const struct pkg_meta *const *pkgs, size_t n,
	       long long created);

#endif
