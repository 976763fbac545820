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
#include <dirent.h>
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

/* A name a repository holds: release, index, root/N.root, or X.pkg. */
static int repo_name_ok(const char *name)
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
		if (!repo_name_ok(w[2]))
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

#ifndef PKG_VERIFY_ONLY
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* bundle_write: every repository file of dir into one bundle, out. */
int bundle_write(const char *dir, const char *out, struct perr *e)
{
	char **names = NULL, tmp[4200], line[512], *toc = NULL;
	size_t n = 0, cap = 0, i, toclen = 0;
	unsigned long long off = 0, *sizes = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ofd = -1, rc = 0, pass;

	if (dfd < 0)
		return perr(e, -errno, "%s: %s", dir, strerror(errno));
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		DIR *d = opendir(pass == 0 ? dir : (snprintf(tmp, sizeof tmp, "%s/root", dir), tmp));
		struct dirent *de;

		if (d == NULL)
			continue;	/* no root/: no rotation yet */
		while (rc == 0 && (de = readdir(d)) != NULL) {
			char name[300];

			snprintf(name, sizeof name, "%s%s", pass ? "root/" : "", de->d_name);
			if (de->d_name[0] == '.' || !repo_name_ok(name))
				continue;
			if (names == NULL || n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				char **v = realloc(names, ncap * sizeof *v);

				if (v == NULL) {
					rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
					break;
				}
				names = v;
				cap = ncap;
			}
			names[n] = strdup(name);
			if (names[n++] == NULL)
				rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		}
		closedir(d);
	}
	if (rc < 0 || n == 0 || names == NULL) {
		if (rc == 0)
			rc = perr(e, -ENOENT, "%s: no repository files", dir);
		goto out;
	}
	qsort(names, n, sizeof *names, by_name);
	sizes = calloc(n, sizeof *sizes);
	toc = malloc(n * 320 + 1);
	if (sizes == NULL || toc == NULL) {
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			rc = perr(e, -EINVAL, "%s/%s: not a regular file", dir, names[i]);
			goto out;
		}
		sizes[i] = (unsigned long long)st.st_size;
	}
	/* The data starts after the header and table, whose lengths depend on
	 * the offsets: lay out until the lengths stop changing. */
	{
		size_t headlen = 0, prev = (size_t)-1;

		while (headlen + toclen != prev) {
			prev = headlen + toclen;
			off = prev;
			toclen = 0;
			for (i = 0; i < n; i++) {
				toclen += (size_t)snprintf(toc + toclen, 320, "%llu %llu %s\n", off, sizes[i], names[i]);
				off += sizes[i];
			}
			headlen = (size_t)snprintf(line, sizeof line, "cairn-bundle 1 %zu %zu\n", n, toclen);
		}
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (ofd < 0 || util_write_all(ofd, line, strlen(line)) < 0 || util_write_all(ofd, toc, toclen) < 0) {
		rc = perr(e, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		int fd = openat(dfd, names[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		loff_t from = 0;

		if (fd < 0) {
			rc = perr(e, -errno, "%s/%s: %s", dir, names[i], strerror(errno));
			break;
		}
		while (rc == 0 && (unsigned long long)from < sizes[i]) {
			ssize_t r = copy_file_range(fd, &from, ofd, NULL, (size_t)(sizes[i] - (unsigned long long)from), 0);

			if (r <= 0)
				rc = perr(e, r < 0 ? -errno : -EIO, "%s/%s: %s", dir, names[i],
					  r < 0 ? strerror(errno) : "changed while bundled");
		}
		close(fd);
	}
	if (rc == 0 && (fsync(ofd) < 0 || rename(tmp, out) < 0))
		rc = perr(e, -errno, "%s: %s", out, strerror(errno));
out:
	if (ofd >= 0) {
		close(ofd);
		if (rc < 0)
			unlink(tmp);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(sizes);
	free(toc);
	close(dfd);
	return rc;
}
#endif
