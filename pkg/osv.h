/* osv.h: OSV vulnerability records (the OSV schema, ossf.github.io/osv-schema)
 * read from an offline feed, and whether one affects a package (doc/pkg.md, AUDIT). */
#ifndef CAIRN_PKG_OSV_H
#define CAIRN_PKG_OSV_H

#include <stddef.h>

#include "format.h"
#include "purl.h"

#define OSV_FILE_MAX (16u << 20)		/* one feed file */
#define OSV_MEM_MAX (256u << 20)		/* what parsing one may take */
#define OSV_ID_MAX 256				/* an id, alias, ecosystem, name or version */
#define OSV_SUMMARY_MAX 4096

enum osv_range_type { OSV_ECOSYSTEM, OSV_SEMVER, OSV_GIT };
/* In the order events of one version sort in. */
enum osv_event_kind { OSV_INTRODUCED, OSV_FIXED, OSV_LAST_AFFECTED, OSV_LIMIT };

struct osv_event {
	enum osv_event_kind kind;
	const char *version;
	size_t at;				/* its place in the feed */
};

struct osv_range {
	enum osv_range_type type;
	struct osv_event *events;		/* sorted by version, introduced "0" first; none for GIT */
	size_t nevents;
};

struct osv_affected {
	const char *ecosystem, *name;		/* NULL: no package named */
	struct purl *purl;			/* NULL: none given */
	struct osv_range *ranges;
	size_t nranges;
	const char **versions;
	size_t nversions;
};

/* Strings point into the parsed document, kept until osv_free. */
struct osv_vuln {
	const char *id, *summary;		/* summary "" when none */
	const char **aliases;
	size_t naliases;
	int withdrawn;
	struct osv_affected *affected;
	size_t naffected;
};

struct osv_doc {
	void *json;
	struct osv_vuln *v;
	size_t n;
};

/* A package as a feed can name it: each of its purls, and
 * pkg:generic/NAME@VERSION. */
struct osv_pkg {
	const struct pkg_meta *m;
	struct purl ids[PKG_IDS_MAX + 1];
	int nids;
};

int osv_parse(const char *text, size_t len, struct osv_doc *d, char *err, size_t errsz);
void osv_free(struct osv_doc *d);
int osv_pkg_init(struct osv_pkg *p, const struct pkg_meta *m, char *err, size_t errsz);
int osv_affects(const struct osv_vuln *v, const struct osv_pkg *p, const char **fixed);

#endif
