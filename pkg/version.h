/* version.h: ordering package versions, matching relations. */
#ifndef CAIRN_PKG_VERSION_H
#define CAIRN_PKG_VERSION_H

#include "format.h"

/* Each: <0, 0 or >0 as a orders before, with or after b. */
int version_cmp(const char *a, const char *b);		/* pkg's: Debian's, without epochs */
int version_cmp_deb(const char *a, const char *b);	/* dpkg's: epoch, upstream, revision */
int version_cmp_semver(const char *a, const char *b);	/* SemVer 2.0 precedence */
int version_match(const char *have, enum pkg_op op, const char *want);

#endif
