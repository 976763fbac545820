/*
 * extensions.c: what a site adds to a node (a kubelet, another GPU driver
 * series, diagnostics) is installed by `pkg --extensions` into a root of
 * its own on /var (EXTENSIONS_AREA); at boot its usr/ and opt/ join the
 * image's /usr and /opt as one read-only overlay.  The image's directory is
 * the upper layer, so an extension adds files and never replaces one of
 * the image's; with no writable layer, nothing under them changes until
 * the next boot's overlay.
 *
 * /var is a disk anyone can take to another machine and write, so before
 * a layer joins, the image's own pkg checks it against the area's
 * database (`pkg --extensions verify /usr`: every file's sha256, mode and
 * owner, and nothing there that no package installed); a layer that does
 * not match stays out.  PID 1 parses and hashes none of it itself.  The
 * overlay is nosuid and nodev whatever the check said.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "extensions.h"
#include "log.h"
#include "spawn.h"

static const char *const ext_dirs[] = { "usr", "opt" };

static int sys_mount(const char *source, const char *target, const char *type, unsigned long flags,
		     const void *data)
{
	return mount(source, target, type, flags, data);
}

const struct extensions_sys extensions_system = { EXTENSIONS_PKG, sys_mount };

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

/* Whether the area's dir (at lower) matches its database: pkg exits 0. */
static int layer_matches(const char *root, const char *dir, const char *lower,
			 const struct extensions_sys *sys)
{
	char prog[256], rootarg[256], top[16];
	char ropt[] = "--root", ext[] = "--extensions", verify[] = "verify";
	char *argv[] = { prog, ropt, rootarg, ext, verify, top, NULL };
	int rc;

	snprintf(prog, sizeof prog, "%s", sys->pkg);
	snprintf(rootarg, sizeof rootarg, "%s", root[0] != '\0' ? root : "/");
	snprintf(top, sizeof top, "/%s", dir);
	rc = spawn_wait(argv, EXTENSIONS_VERIFY_MS);
	if (rc == 1)
		log_msg(LOG_ERR, "extensions: %s does not match its database (what differs is above): "
			"left out of /%s", lower, dir);
	else if (rc != 0)
		log_msg(LOG_ERR, "extensions: %s: %s verify %s: left out of /%s", lower, sys->pkg,
			rc < 0 ? "did not run to its end" : "failed (above)", dir);
	return rc == 0;
}

/*
 * extensions_mount: under root ("" for the real one), overlay each of the
 * area's usr/ and opt/ that holds anything and matches the area's
 * database.  Returns how many were overlaid, or the first -errno (every
 * directory is tried); a layer left out for not matching is no error.
 */
int extensions_mount(const char *root, const struct extensions_sys *sys)
{
	char target[256], lower[256], opts[600];
	size_t i;
	int n = 0, rc = 0;

	for (i = 0; i < sizeof ext_dirs / sizeof ext_dirs[0]; i++) {
		const char *dir = ext_dirs[i];

		if (snprintf(target, sizeof target, "%s/%s", root, dir) >= (int)sizeof target ||
		    snprintf(lower, sizeof lower, "%s%s/%s", root, EXTENSIONS_AREA, dir) >= (int)sizeof lower)
			return -ENAMETOOLONG;
		if (!has_entries(lower) || !layer_matches(root, dir, lower, sys))
			continue;
		if (mkdir(target, 0755) < 0 && errno != EEXIST) {
			log_msg(LOG_ERR, "extensions: %s: %m: %s not overlaid", target, lower);
			rc = rc ? rc : -errno;
			continue;
		}
		/* The first lowerdir is the top layer: the image's own files win. */
		snprintf(opts, sizeof opts, "lowerdir=%s:%s", target, lower);
		if (sys->mount("overlay", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0) {
			log_msg(LOG_ERR, "extensions: overlay %s on %s: %m", lower, target);
			rc = rc ? rc : -errno;
			continue;
		}
		log_msg(LOG_INFO, "extensions: %s under /%s (read-only, nosuid, nodev; matches its "
			"database)", lower, dir);
		n++;
	}
	return rc < 0 ? rc : n;
}
