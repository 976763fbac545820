/*
 * bundle.c: a repository as one file, for a site that carries it on a
 * stick (doc/pkg-repo.md):
 *
 *   cairn-bundle 1 N TOC_LEN
 *   OFFSET SIZE NAME        N lines, sorted by NAME, each once
 *   ...the files' bytes
 *
 * The bundle itself is not signed and needs not be: what is in it is
 * checked exactly as a repository directory's files are (root, release,
 * index, packages).  Its table is parsed strictly so that no name or range
 * can point anywhere but inside the bundle, at a repository file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "format.h"

/* The reason in err, after "bundle table line N: " when a line is known. */
#define bad(err, errsize, line, ...) pkg_err(err, errsize, "bundle table", line, __VA_ARGS__)

/* bundle_name_ok: a name a repository holds: release, index, root/N.root, or X.pkg. */
int bundle_name_ok(const char *name)
{
	const char *why;
	size_t n = strlen(name);
	unsigned long long v;
	char num[32];

	if (!pkg_path_ok(name, &why))
		return 0;
	if (strcmp(name, "release") == 0 || strcmp(name, "index") == 0)
		return 1;
	if (strncmp(name, "root/", 5) == 0 && n > 10 && n - 10 < sizeof num &&
	    strcmp(name + n - 5, ".root") == 0) {
		memcpy(num, name + 5, n - 10);
		num[n - 10] = '\0';
		return pkg_decimal(num, 1ULL << 53, &v) == 0;
	}
	return strchr(name, '/') == NULL && n > 4 && strcmp(name + n - 4, ".pkg") == 0;
}

/*
 * bundle_parse: the table (len bytes, edited in place) of n entries whose
 * data lies in [start, filesize).  0, or -EINVAL with the reason.
 */
int bundle_parse(char *toc, size_t len, unsigned long long n, unsigned long long start,
		 unsigned long long filesize, struct bundle *b, char *err, size_t errsize)
{
	size_t at = 0;
	int line = 0;
	char *w[3];

	b->v = calloc(n + 1, sizeof *b->v);
	b->n = 0;
	if (b->v == NULL)
		return -ENOMEM;
	if (len == 0 || toc[len - 1] != '\n' || memchr(toc, '\0', len) != NULL)
		return bad(err, errsize, 0, "table is empty, has a NUL byte or no final newline");
	while (at < len) {
		char *l = toc + at, *nl = memchr(l, '\n', len - at);
		struct bundle_entry *en = &b->v[b->n];

		*nl = '\0';
		at = (size_t)(nl - toc) + 1;
		line++;
		if (b->n == n)
			return bad(err, errsize, line, "more entries than the header's %llu", n);
		if (pkg_words(l, w, 3) < 0 || pkg_decimal(w[0], 1ULL << 62, &en->off) < 0 ||
		    pkg_decimal(w[1], 1ULL << 62, &en->size) < 0)
			return bad(err, errsize, line, "needs 'OFFSET SIZE NAME'");
		if (!bundle_name_ok(w[2]))
			return bad(err, errsize, line, "'%.80s' is not a repository file name", w[2]);
		if (en->off < start || en->off > filesize || en->size > filesize - en->off)
			return bad(err, errsize, line, "%s lies outside the bundle's data", w[2]);
		en->name = w[2];
		if (b->n > 0 && strcmp(b->v[b->n - 1].name, en->name) >= 0)
			return bad(err, errsize, line, "%s is out of order or listed twice", en->name);
		b->n++;
	}
	if (b->n != n)
		return bad(err, errsize, 0, "%zu entries, the header says %llu", b->n, n);
	return 0;
}

int bundle_open(struct bundle *b, const char *path, struct perr *e)
{
	char head[96], err[256], *sp;
	unsigned long long n, toclen;
	struct stat st;
	ssize_t r;
	char *w[4];
	int rc;

	memset(b, 0, sizeof *b);
	/* Without blocking: a FIFO is refused below, not waited on. */
	b->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (b->fd < 0 || fstat(b->fd, &st) < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	/* A bundle written raw to a disk or a partition (an installer stick):
	 * the device's size, its tail past the bundle unused. */
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(b->fd, 0, SEEK_END);

		if (end < 0)
			return perr(e, -errno, "%s: %s", path, strerror(errno));
		st.st_size = end;
	} else if (!S_ISREG(st.st_mode)) {
		return perr(e, -EINVAL, "%s: not a file or a block device", path);
	}
	if (fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) & ~O_NONBLOCK) < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	r = pread(b->fd, head, sizeof head - 1, 0);
	if (r < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	head[r] = '\0';
	sp = strchr(head, '\n');
	if (strncmp(head, "cairn-bundle ", 13) != 0 || sp == NULL)
		return perr(e, -EINVAL, "%s: not a Cairn repository bundle", path);
	*sp = '\0';
	if (pkg_words(head, w, 4) < 0 || strcmp(w[1], "1") != 0 ||
	    pkg_decimal(w[2], BUNDLE_FILES_MAX, &n) < 0 || n == 0 ||
	    pkg_decimal(w[3], BUNDLE_TOC_MAX, &toclen) < 0 || toclen == 0)
		return perr(e, -EINVAL, "%s: bad bundle header (cairn-bundle 1 N TOC_LEN)", path);
	if ((unsigned long long)(sp - head) + 1 + toclen > (unsigned long long)st.st_size)
		return perr(e, -EINVAL, "%s: truncated: its table runs past its end", path);
	b->toc = malloc(toclen + 1);
	if (b->toc == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	r = pread(b->fd, b->toc, toclen, sp - head + 1);
	if (r != (ssize_t)toclen)
		return perr(e, r < 0 ? -errno : -EIO, "%s: cannot read its table", path);
	b->toc[toclen] = '\0';
	rc = bundle_parse(b->toc, toclen, n, (unsigned long long)(sp - head) + 1 + toclen,
			  (unsigned long long)st.st_size, b, err, sizeof err);
	if (rc < 0)
		return perr(e, rc, "%s: %s", path, err);
	return 0;
}

const struct bundle_entry *bundle_find(const struct bundle *b, const char *name)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(b->v[mid].name, name);

		if (c == 0)
			return &b->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* bundle_read: one file of the bundle, whole, at most max bytes (NUL after). */
int bundle_read(const struct bundle *b, const char *name, size_t max, char **buf, size_t *len,
		struct perr *e)
{
	const struct bundle_entry *en = bundle_find(b, name);
	size_t got = 0;

	if (en == NULL)
		return perr(e, -ENOENT, "%s: not in the bundle", name);
	if (en->size > max)
		return perr(e, -EFBIG, "%s: bigger than any such file may be", name);
	*buf = malloc(en->size + 1);
	if (*buf == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	while (got < en->size) {
		ssize_t r = pread(b->fd, *buf + got, en->size - got, (off_t)(en->off + got));

		if (r <= 0) {
			free(*buf);
			*buf = NULL;
			return perr(e, r < 0 ? -errno : -EIO, "%s: %s", name, r < 0 ? strerror(errno) :
				    "the bundle is shorter than its table says");
		}
		got += (size_t)r;
	}
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

void bundle_close(struct bundle *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->toc);
	free(b->v);
	memset(b, 0, sizeof *b);
	b->fd = -1;
}
