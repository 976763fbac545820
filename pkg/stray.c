/*
 * stray.c: entries on disk that no installed package lists.  In the
 * extensions area pkg is the only writer, so anything there that its
 * database does not name came some other way (by hand, or from someone
 * who had the data disk in another machine): `pkg --extensions verify`
 * reports it, and initd leaves that layer out of /usr or /opt (doc/pkg.md,
 * EXTENSIONS).  Only directories a package lists are walked into: a
 * package path is bounded in length and depth, so the walk is too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsroot.h"
#include "stray.h"
#include "text.h"

struct walk {
	const char **owned;			/* every installed path, sorted */
	size_t n;
	void (*found)(const char *path, const char *why, void *arg);
	void *arg;
	char path[PKG_PATH_MAX + 1];
};

static int by_path(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int owned(const struct walk *w, const char *path)
{
	return bsearch(&path, w->owned, w->n, sizeof *w->owned, by_path) != NULL;
}

/* The directory open at dfd (taken), whose path is w->path, len bytes. */
static int walk_dir(struct walk *w, int dfd, size_t len, struct perr *e)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	struct stat st;
	int rc = 0, sub;

	if (d == NULL) {
		rc = perr(e, -errno, "/%s: %s", w->path, strerror(errno));
		close(dfd);
		return rc;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len + 1 + n > PKG_PATH_MAX) {
			w->found(w->path, "holds a name longer than any package's path", w->arg);
			continue;
		}
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, n + 1);
		if (!owned(w, w->path)) {
			w->found(w->path, "not installed by any package", w->arg);
		} else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = perr(e, -errno, "/%s: %s", w->path, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = sub < 0 ? perr(e, -errno, "/%s: %s", w->path, strerror(errno)) :
				walk_dir(w, sub, len + 1 + n, e);
		}
		w->path[len] = '\0';
	}
	if (rc == 0 && errno != 0)
		rc = perr(e, -errno, "/%s: %s", w->path, strerror(errno));
	closedir(d);
	return rc;
}

/*
 * stray_walk: each entry under top (a directory, relative to the root)
 * that no package in db lists, to found with why; an unlisted directory
 * once, not what it holds.  Top itself is not judged, only what it holds,
 * unless it is there and is not a directory.  Returns 0 or -errno (e set).
 */
int stray_walk(int rootfd, const struct db *db, const char *top,
	       void (*found)(const char *path, const char *why, void *arg), void *arg, struct perr *e)
{
	struct walk *w = calloc(1, sizeof *w);
	size_t i, j, total = 0;
	struct stat st;
	int dfd, rc = 0;

	if (w == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	if (text_copy(w->path, sizeof w->path, top) < 0) {
		rc = perr(e, -ENAMETOOLONG, "/%.64s...: %s", top, strerror(ENAMETOOLONG));
		goto out;
	}
	for (i = 0; i < db->n; i++)
		total += db->pkgs[i].m.nfiles;
	w->owned = calloc(total + 1, sizeof *w->owned);
	if (w->owned == NULL) {
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0; i < db->n; i++)
		for (j = 0; j < db->pkgs[i].m.nfiles; j++)
			w->owned[w->n++] = db->pkgs[i].m.files[j].path;
	qsort(w->owned, w->n, sizeof *w->owned, by_path);
	w->found = found;
	w->arg = arg;
	dfd = fsroot_open(rootfd, top, O_RDONLY | O_NOFOLLOW | O_PATH);
	if (dfd == -ENOENT)
		goto out;
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		rc = perr(e, dfd < 0 ? dfd : -errno, "/%s: %s", top, strerror(dfd < 0 ? -dfd : errno));
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	close(dfd);
	if (!S_ISDIR(st.st_mode)) {
		found(top, "not a directory", arg);
		goto out;
	}
	dfd = fsroot_open(rootfd, top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	rc = dfd < 0 ? perr(e, dfd, "/%s: %s", top, strerror(-dfd)) : walk_dir(w, dfd, strlen(top), e);
out:
	free(w->owned);
	free(w);
	return rc;
}
