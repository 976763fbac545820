/* bundle_write.c: `pkg bundle`'s work (the build host's only): a repository into one file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "fileio.h"

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
			if (de->d_name[0] == '.' || !bundle_name_ok(name))
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
	if (ofd < 0 || file_write_all(ofd, line, strlen(line)) < 0 || file_write_all(ofd, toc, toclen) < 0) {
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
