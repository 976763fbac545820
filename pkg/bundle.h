/* bundle.h: a repository carried as one file (a USB stick, a DVD). */
#ifndef CAIRN_PKG_BUNDLE_H
#define CAIRN_PKG_BUNDLE_H

#include "perr.h"

#define BUNDLE_FILES_MAX 70000
#define BUNDLE_TOC_MAX (16u << 20)

struct bundle_entry {
	const char *name;			/* a repository path: release, index, root/N.root, X.pkg */
	unsigned long long off, size;
};

struct bundle {
	int fd;
	char *toc;
	struct bundle_entry *v;			/* sorted by name */
	size_t n;
};

int bundle_parse(char *toc, size_t len, unsigned long long n, unsigned long long start,
		 unsigned long long filesize, struct bundle *b, char *err, size_t errsize);
int bundle_open(struct bundle *b, const char *path, struct perr *e);
const struct bundle_entry *bundle_find(const struct bundle *b, const char *name);
int bundle_read(const struct bundle *b, const char *name, size_t max, char **buf, size_t *len,
		struct perr *e);
int bundle_name_ok(const char *name);
void bundle_close(struct bundle *b);
/* bundle_write.c, the build host's pkg only */
int bundle_write(const char *dir, const char *out, struct perr *e);

#endif
