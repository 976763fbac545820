/* purl.h: Package URLs (the purl specification): what a vulnerability feed
 * and a package's metadata name a package by (doc/pkg.md, AUDIT). */
#ifndef CAIRN_PKG_PURL_H
#define CAIRN_PKG_PURL_H

#define PURL_MAX 1024

/* Parsed in place in buf, each part percent-decoded: do not copy one. */
struct purl {
	const char *type;			/* lowercase */
	const char *ns, *name, *version;	/* ns and version "" when none */
	const char *distro, *upstream;		/* the qualifiers osv.c reads; NULL when none */
	char buf[PURL_MAX + 1];
};

int purl_parse(const char *s, struct purl *p, const char **why);
int purl_same_package(const struct purl *a, const struct purl *b);

#endif
