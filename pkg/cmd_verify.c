/* cmd_verify.c: `pkg verify [PATH...]`: the installed files against the database. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"
#include "fsroot.h"
#include "db.h"
#include "stray.h"
#include "sha256.h"

static int hash_at(int rootfd, const char *path, uint8_t out[32])
{
	static unsigned char buf[1 << 16];
	struct sha256 h;
	ssize_t r;
	int fd = fsroot_open(rootfd, path, O_RDONLY | O_NOFOLLOW), rc;

	if (fd < 0)
		return fd;
	if (sha256_init(&h) < 0) {
		close(fd);
		return -ENOMEM;
	}
	while ((r = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&h, buf, (size_t)r);
	rc = r < 0 ? -errno : 0;
	close(fd);
	if (sha256_final(&h, out) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* One file against its entry: NULL when it matches, else what differs. */
static const char *verify_one(int rootfd, const struct pkg_file *f)
{
	char target[PKG_PATH_MAX + 1];
	const char *leaf;
	struct stat st;
	uint8_t sum[32];
	ssize_t n;
	int dfd = fsroot_parent(rootfd, f->path, &leaf), rc;

	if (dfd < 0)
		return "missing (its directory is gone)";
	rc = fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW);
	if (rc == 0 && f->type == PKG_SYMLINK) {
		n = readlinkat(dfd, leaf, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
	}
	close(dfd);
	if (rc < 0)
		return "missing";
	switch (f->type) {
	case PKG_DIR:
		if (!S_ISDIR(st.st_mode))
			return "not a directory";
		break;
	case PKG_SYMLINK:
		if (!S_ISLNK(st.st_mode))
			return "not a symlink";
		if (strcmp(target, f->target) != 0)
			return "symlink points elsewhere";
		return geteuid() == 0 && (st.st_uid != f->uid || st.st_gid != f->gid) ? "owner differs" : NULL;
	case PKG_HARDLINK:
		if (!S_ISREG(st.st_mode))
			return "not a regular file";
		return NULL;	/* checked as its target */
	case PKG_FILE:
		if (!S_ISREG(st.st_mode))
			return "not a regular file";
		if ((unsigned long long)st.st_size != f->size)
			return "size differs";
		if (hash_at(rootfd, f->path, sum) < 0)
			return "unreadable";
		if (memcmp(sum, f->sha256, 32) != 0)
			return "contents differ (sha256)";
		break;
	}
	if ((st.st_mode & 07777) != f->mode)
		return "mode differs";
	if (geteuid() == 0 && (st.st_uid != f->uid || st.st_gid != f->gid))
		return "owner differs";
	return NULL;
}

/* A verify PATH as a path inside the root: no leading or trailing slash,
 * "" for all of it. */
static char *verify_top(char *arg)
{
	const char *why;
	char *top = arg;
	size_t n;

	while (*top == '/')
		top++;
	n = strlen(top);
	while (n > 0 && top[n - 1] == '/')
		top[--n] = '\0';
	if (n > 0 && !pkg_path_ok(top, &why))
		cmd_die(100, "verify %s: %s", arg, why);
	return top;
}

/* Whether path is top or under it; with no tops, everything is. */
static int verify_wanted(const char *path, char *const *tops, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(tops[i]);

		if (len == 0 || (strncmp(path, tops[i], len) == 0 && (path[len] == '\0' || path[len] == '/')))
			return 1;
	}
	return n == 0;
}

static void stray_print(const char *path, const char *why, void *arg)
{
	printf("/%s: %s\n", path, why);
	++*(size_t *)arg;
}

/*
 * The image's layers (doc/netboot.md, "Layers"): the build lists them in
 * lib/pkg/layers, "NAME PKG..." a line, and each layer holds
 * lib/pkg/layers.d/NAME, so that file is there when the layer is.  The
 * layer of PKG when this node did not load it (its name in LAYER), else
 * NULL.  Neither file is a package's: either could be changed by what is
 * laid over the root, so a package taken as absent is still checked to
 * have none of its files here (verify_pkg).
 */
static const char *layer_absent(int pkgdir, const char *list, const char *pkg, char *layer, size_t size)
{
	const char *line, *end, *w, *we;
	char path[64];
	size_t n, plen = strlen(pkg);

	for (line = list; line != NULL && *line != '\0'; line = end != NULL ? end + 1 : NULL) {
		end = strchr(line, '\n');
		we = line + strcspn(line, " \n");
		n = (size_t)(we - line);
		if (n == 0 || n >= size)
			continue;
		for (w = we; *w == ' ';) {
			w++;
			we = w + strcspn(w, " \n");
			if ((size_t)(we - w) == plen && strncmp(w, pkg, plen) == 0) {
				memcpy(layer, line, n);
				layer[n] = '\0';
				snprintf(path, sizeof path, "layers.d/%s", layer);
				/* Only "no such file" is absence: any other error checks it. */
				return faccessat(pkgdir, path, F_OK, 0) < 0 && errno == ENOENT ? layer : NULL;
			}
			w = we;
		}
	}
	return NULL;
}

struct verify_count {
	size_t files, bad, changed, skipped;
};

/* Whether an entry is at PATH at all (what a package of an absent layer must not have). */
static int entry_here(int rootfd, const char *path)
{
	const char *leaf;
	struct stat st;
	int dfd = fsroot_parent(rootfd, path, &leaf), rc;

	if (dfd < 0)
		return 0;
	rc = fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW);
	close(dfd);
	return rc == 0;
}

/* One package's entries (at or under TOPS) against the database; with
 * LAYER, a layer not loaded here: that none but its directories are here. */
static void verify_pkg(int rootfd, const struct db_pkg *p, const char *layer, char *const *tops, int ntops,
		       struct verify_count *c)
{
	const char *why;
	size_t j;

	for (j = 0; j < p->m.nfiles; j++) {
		const struct pkg_file *f = &p->m.files[j];

		if (!verify_wanted(f->path, tops, ntops))
			continue;
		c->files++;
		if (layer != NULL) {
			if (f->type != PKG_DIR && entry_here(rootfd, f->path)) {
				c->bad++;
				printf("%s: /%s: here, but its layer %s is not loaded: not the image's\n", p->name,
				       f->path, layer);
			}
			continue;
		}
		why = verify_one(rootfd, f);
		if (why == NULL)
			continue;
		if (f->type == PKG_FILE && strncmp(f->path, "etc/", 4) == 0) {
			c->changed++;
			printf("%s: /%s: %s (a configuration file changed here)\n", p->name, f->path, why);
			continue;
		}
		c->bad++;
		printf("%s: /%s: %s\n", p->name, f->path, why);
	}
}

/*
 * verify [PATH...]: the installed entries (at or under each PATH) against
 * the database.  In the extensions area, also what is on disk under /usr
 * and /opt (or PATH) that no package installed: initd runs this for each
 * layer before it overlays it, and leaves out one that fails.
 */
int cmd_verify(struct pkg_opts *o, int argc, char **argv)
{
	static char *const ext_tops[] = { "usr", "opt" };
	char **tops = argv + 1, *layers = NULL, layer[40];
	const char *absent;
	struct verify_count c = { 0 };
	struct txn t;
	size_t i, len, strays = 0;
	int rootfd, k, rc, ntops = cmd_operands(o, argc, argv);
	struct perr e = { "" };

	rootfd = cmd_open_root(o);
	for (k = 0; k < ntops; k++) {
		tops[k] = verify_top(tops[k]);
		if (o->ext && !verify_wanted(tops[k], ext_tops, 2))
			cmd_die(100, "verify /%s: an extension's files are under /usr and /opt only", tops[k]);
	}
	if (txn_open(&t, rootfd, 1, &e) < 0)
		cmd_fail(&e);
	/* An interrupted transaction is recovered first, where the root can
	 * be written: the files are checked against the state it leaves. */
	if (t.pkgdir >= 0 && faccessat(t.pkgdir, "journal", F_OK, 0) == 0) {
		txn_close(&t);
		if (txn_open(&t, rootfd, 0, &e) < 0)
			cmd_fail(&e);
	}
	/* No list: an image without layers, or the extensions area. */
	rc = o->ext || t.pkgdir < 0 ? -ENOENT : file_read_at(t.pkgdir, "layers", 1 << 16, &layers, &len, &e);
	if (rc < 0 && rc != -ENOENT)
		cmd_fail(&e);
	for (i = 0; i < t.db.n; i++) {
		absent = layers != NULL ? layer_absent(t.pkgdir, layers, t.db.pkgs[i].name, layer, sizeof layer) : NULL;
		if (absent != NULL) {
			c.skipped++;
			if (!o->json)
				fprintf(stderr, "pkg: verify: %s: in the layer %s, which this node did not load: "
					"its files must not be here\n", t.db.pkgs[i].name, absent);
		}
		verify_pkg(rootfd, &t.db.pkgs[i], absent, tops, ntops, &c);
	}
	free(layers);
	/* Nothing but pkg writes the extensions area: what it did not is foreign. */
	for (k = 0; o->ext && k < (ntops ? ntops : 2); k++)
		if (stray_walk(rootfd, &t.db, ntops ? tops[k] : ext_tops[k], stray_print, &strays, &e) < 0)
			cmd_fail(&e);
	if (!o->json && o->ext)
		fprintf(stderr, "pkg: verify: %zu packages, %zu entries, %zu differ, %zu from no package\n",
			t.db.n, c.files, c.bad, strays);
	else if (!o->json)
		fprintf(stderr, "pkg: verify: %zu packages, %zu entries, %zu differ, %zu configuration "
			"files changed\n", t.db.n, c.files, c.bad, c.changed);
	else
		printf("{\"packages\":%zu,\"entries\":%zu,\"differ\":%zu,\"config_changed\":%zu,"
		       "\"strays\":%zu,\"layer_not_loaded\":%zu}\n", t.db.n, c.files, c.bad, c.changed, strays,
		       c.skipped);
	txn_close(&t);
	close(rootfd);
	return c.bad || strays ? 1 : 0;
}
