/* format.h: a Cairn package (.pkg): its header line and its metadata. */
#ifndef CAIRN_PKG_FORMAT_H
#define CAIRN_PKG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define PKG_FORMAT 1
#define PKG_HEADER_MAX 64			/* the header line, with its LF */
#define PKG_META_MAX (16u << 20)		/* metadata bytes */
#define PKG_PAYLOAD_MAX (1ULL << 40)		/* compressed or not */
#define PKG_FILES_MAX 65536
#define PKG_RELS_MAX 256			/* depends, provides, conflicts each */
#define PKG_IDS_MAX 16				/* purl and cpe lines each */
#define PKG_PATH_MAX 4095
#define PKG_DEPTH_MAX 64

enum pkg_ftype { PKG_FILE = 'f', PKG_DIR = 'd', PKG_SYMLINK = 'l', PKG_HARDLINK = 'h' };
enum pkg_op { PKG_ANY, PKG_LT, PKG_LE, PKG_EQ, PKG_GE, PKG_GT };

struct pkg_header {
	unsigned long long meta_len, payload_len;
	size_t header_len;			/* bytes of the header line */
};

struct pkg_rel {
	const char *name;
	enum pkg_op op;
	const char *version;			/* NULL with PKG_ANY */
};

struct pkg_file {
	enum pkg_ftype type;
	const char *path;			/* relative to the root, no leading / */
	const char *target;			/* symlink text, or hardlink's path */
	unsigned mode;				/* permission bits, setuid/setgid/sticky */
	unsigned uid, gid;
	unsigned long long size;
	uint8_t sha256[32];
};

/* Strings point into the metadata text, which the parser edits in place. */
struct pkg_meta {
	const char *name, *version, *arch, *license, *summary, *supplier;
	/* What a scanner matches (doc/pkg.md "Identifiers"): Package URLs
	 * (pkg:deb/debian/... for a Debian build), CPE 2.3 names of the
	 * upstream, and where the pinned source was downloaded from. */
	const char *purl[PKG_IDS_MAX], *cpe[PKG_IDS_MAX], *download;
	int npurl, ncpe;
	uint8_t source_sha256[32];
	unsigned long long payload_size;	/* the sum of every regular file */
	/* Each kind's lines, in order: depends, provides and conflicts lie
	 * one after another in the caller's rels. */
	struct pkg_rel *depends, *provides, *conflicts;
	int ndepends, nprovides, nconflicts;
	struct pkg_rel *rels;			/* the caller's */
	size_t maxrels;
	struct pkg_file *files;			/* the caller's, sorted by path */
	size_t nfiles, maxfiles;
};

int pkg_header_parse(const char *buf, size_t len, struct pkg_header *h, char *err, size_t errsize);
int pkg_meta_parse(char *text, size_t len, struct pkg_meta *m, char *err, size_t errsize);
int pkg_meta_alloc(struct pkg_meta *m, const char *text, size_t len);
int pkg_meta_compact(struct pkg_meta *m, char **text);
void pkg_meta_free(struct pkg_meta *m);
int pkg_path_ok(const char *path, const char **why);
int pkg_name_ok(const char *name);
int pkg_version_ok(const char *version);
int pkg_hex32(const char *hex, uint8_t out[32]);
int pkg_decimal(const char *s, unsigned long long max, unsigned long long *v);
int pkg_err(char *err, size_t errsize, const char *what, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int pkg_rel_parse(char *v, struct pkg_rel *r, int versioned);
int pkg_words(char *v, char *w[], int n);

#endif
