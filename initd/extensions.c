/*
 * extensions.c: what a site adds to a node (a kubelet, another GPU driver
 * series, diagnostics) is installed by `pkg --extensions` into a root of
 * its own on /var (EXTENSIONS_AREA); at boot its usr/ and opt/ join the
 * image's /usr and /opt as one read-only overlay.  The image's directory is
 * the upper layer, so an extension adds files and never replaces one of
 * the image's; with no writable layer, nothing under them changes until
 * the next boot's overlay.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "extensions.h"
#include "log.h"

static const char *const ext_dirs[] = { "usr", "opt" };

/* A directory with at least one entry. */
static int has_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (d == NULL)
		return 0;
	while (n == 0 && (de = readdir(d)) != NULL)
		n = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/*
 * extensions_mount: under root ("" for the real one), overlay each of
 * area's usr/ and opt/ that holds anything.  Returns how many were
 * overlaid, or the first -errno (every directory is tried).
 */
int extensions_mount(const char *root, const char *area)
{
	char target[256], lower[256], opts[600];
	size_t i;
	int n = 0, rc = 0;

	for (i = 0; i < sizeof ext_dirs / sizeof ext_dirs[0]; i++) {
		const char *dir = ext_dirs[i];

		if (snprintf(target, sizeof target, "%s/%s", root, dir) >= (int)sizeof target ||
		    snprintf(lower, sizeof lower, "%s%s/%s", root, area, dir) >= (int)sizeof lower)
			return -ENAMETOOLONG;
		if (!has_entries(lower))
			continue;
		if (mkdir(target, 0755) < 0 && errno != EEXIST) {
			log_msg(LOG_ERR, "extensions: %s: %m: %s not overlaid", target, lower);
			rc = rc ? rc : -errno;
			continue;
		}
		/* The first lowerdir is the top layer: the image's own files win. */
		snprintf(opts, sizeof opts, "lowerdir=%s:%s", target, lower);
		if (mount("overlay", target, "overlay", MS_RDONLY | MS_NODEV, opts) < 0) {
			log_msg(LOG_ERR, "extensions: overlay %s on %s: %m", lower, target);
			rc = rc ? rc : -errno;
			continue;
		}
		log_msg(LOG_INFO, "extensions: %s under /%s (read-only)", lower, dir);
		n++;
	}
	return rc < 0 ? rc : n;
}
