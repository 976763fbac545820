/* main.c: pkg, Cairn's package manager (doc/pkg.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "build.h"
#include "db.h"
#include "doc.h"
#include "format.h"
#include "fsroot.h"
#include "index.h"
#include "key.h"
#include "bootent.h"
#include "osinstall.h"
#include "osstate.h"
#include "repo.h"
#include "sbom.h"
#include "solve.h"
#include "stray.h"
#include "text.h"
#include "txn.h"

#ifndef PKG_ARCH
#if defined(__x86_64__)
#define PKG_ARCH "x86_64"
#elif defined(__aarch64__)
#define PKG_ARCH "aarch64"
#else
#define PKG_ARCH "noarch"
#endif
#endif

static const char usage[] =
	"usage: pkg [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Installed packages (under --root, default /):\n"
	"  install NAME[OP VERSION]...  install with dependencies, from --repo\n"
	"  remove NAME...               remove (refused while another needs it)\n"
	"  upgrade                      every installed package to the newest in --repo\n"
	"  list                         installed packages (--world: what was asked for)\n"
	"  info NAME|FILE.pkg           a package's metadata\n"
	"  files NAME|FILE.pkg          a package's files\n"
	"  owner PATH                   the package a file belongs to\n"
	"  verify [PATH...]             every installed file (under PATH) against the database;\n"
	"                               --extensions: and nothing else under /usr and /opt\n"
	"  search WORD                  packages in --repo whose name has WORD\n"
	"  sbom [--name NAME]           SPDX 2.3 JSON of the root (or of --repo)\n"
	"\n"
	"The operating system (doc/install.md):\n"
	"  os-install [--force] DISK    the newest cairn-os in --repo onto DISK, a blank\n"
	"                               whole disk (--force: one that is not blank)\n"
	"  os-update [--tries N]        the newest cairn-os in --repo into the root slot\n"
	"                               this node is not running; it boots next, N times\n"
	"                               (3) at most to become healthy (doc/update.md)\n"
	"\n"
	"Making a repository (on a build host):\n"
	"  build -o OUT.pkg [--level N] SPEC DIR   a package of DIR's tree\n"
	"  index DIR                    DIR/index of every DIR/*.pkg\n"
	"  bundle -o FILE DIR           the repository DIR as one file (--repo FILE reads it)\n"
	"  release --version N --expires WHEN DIR  DIR/release naming DIR/index\n"
	"  root --version N --expires WHEN --threshold K -o FILE PUB...\n"
	"                               a root document listing the keys in PUB files\n"
	"  sign --key REF FILE          add REF's signature to a root or release\n"
	"  key new [--alg ed25519|ecdsa-p256] DIR NAME   DIR/NAME.key and DIR/NAME.pub\n"
	"  key list                     the keys the root at --root trusts\n"
	"\n"
	"Options:\n"
	"  --root DIR         the system to work on (default /)\n"
	"  --repo DIR|FILE|URL  the repository: a directory, a bundle file, or https://HOST/PATH\n"
	"  --ca FILE|DIR      https: the CA certificates that the server's must chain to\n"
	"                     (default: the system's, /etc/ssl/certs)\n"
	"  --cache DIR        https: where fetched packages are kept (default ROOT/var/cache/pkg)\n"
	"  --fetch-timeout S  https: the most one file's transfer may take (default 3600 s)\n"
	"  --fetch-min-rate B/S  https: a transfer that moves fewer than B bytes a second\n"
	"                     over S seconds fails (default 4096/30)\n"
	"  --trust FILE       the first root document to trust, when --root trusts none yet\n"
	"  --arch ARCH        install for ARCH (default " PKG_ARCH ")\n"
	"  --json             output for machines\n"
	"  --allow-expired    accept an expired root or release (logged)\n"
	"  --allow-rollback   accept a release older than one trusted before (logged)\n"
	"  --extensions       work on the extensions area, ROOT/var/lib/extensions: packages\n"
	"                     with files under /usr and /opt, overlaid by initd at boot\n"
	"\n"
	"WHEN is seconds since the epoch or +DAYSd.  REF is a key file or a provider\n"
	"URI (pkcs11:...).  Exit status: 0 done, 1 refused or failed (the reason on\n"
	"stderr), 100 usage, 111 system error.\n";

struct opts {
	const char *root, *repo, *trust, *arch, *ca, *cache;
	int json, world, flags, level, ext, force, tries;
	struct fetch_limits lim;
	const char *out, *key, *alg, *name;
	unsigned long long version, expires, threshold;
	int have_version, have_expires, have_threshold;
};

static void die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("pkg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void fail(const struct perr *e)
{
	die(1, "%s", e->msg);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* ---- reading packages -------------------------------------------------- */

static const char *op_text(enum pkg_op op)
{
	static const char *const ops[] = { "", "<", "<=", "=", ">=", ">" };

	return ops[op];
}

static void print_rels(const char *key, const struct pkg_rel *r, int n, int json)
{
	int i;

	if (json) {
		printf(",\"%s\":[", key);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(r[i].name);
			if (r[i].version != NULL) {
				printf(",\"op\":\"%s\",\"version\":", op_text(r[i].op));
				json_str(r[i].version);
			}
			putchar('}');
		}
		putchar(']');
		return;
	}
	if (n == 0)
		return;
	printf("%-13s", key);
	for (i = 0; i < n; i++)
		printf(" %s%s%s", r[i].name, op_text(r[i].op), r[i].version ? r[i].version : "");
	putchar('\n');
}

/* A package's identity as JSON members, after an opening brace. */
static void json_ident(const struct pkg_meta *m)
{
	printf("\"name\":");
	json_str(m->name);
	printf(",\"version\":");
	json_str(m->version);
	printf(",\"arch\":");
	json_str(m->arch);
	printf(",\"license\":");
	json_str(m->license);
}

static void info(const struct pkg_meta *m, unsigned long long payload, int json)
{
	char sum[65];

	text_hex(m->source_sha256, 32, sum);
	if (json) {
		putchar('{');
		json_ident(m);
		if (m->summary != NULL) {
			printf(",\"summary\":");
			json_str(m->summary);
		}
		printf(",\"source_sha256\":\"%s\",\"files\":%zu,\"installed_size\":%llu", sum, m->nfiles,
		       m->payload_size);
		if (payload > 0)
			printf(",\"payload_bytes\":%llu", payload);
		print_rels("depends", m->depends, m->ndepends, 1);
		print_rels("provides", m->provides, m->nprovides, 1);
		print_rels("conflicts", m->conflicts, m->nconflicts, 1);
		printf("}\n");
		return;
	}
	printf("%-13s %s\n%-13s %s\n%-13s %s\n%-13s %s\n", "name", m->name, "version", m->version,
	       "arch", m->arch, "license", m->license);
	if (m->summary != NULL)
		printf("%-13s %s\n", "summary", m->summary);
	printf("%-13s %s\n%-13s %zu\n%-13s %llu bytes\n", "source-sha256", sum, "files", m->nfiles,
	       "installed", m->payload_size);
	if (payload > 0)
		printf("%-13s %llu bytes\n", "payload", payload);
	print_rels("depends", m->depends, m->ndepends, 0);
	print_rels("provides", m->provides, m->nprovides, 0);
	print_rels("conflicts", m->conflicts, m->nconflicts, 0);
}

static void files(const struct pkg_meta *m, int json)
{
	const struct pkg_file *f;
	char sum[65];
	size_t i;

	if (json)
		putchar('[');
	for (i = 0; i < m->nfiles; i++) {
		f = &m->files[i];
		text_hex(f->sha256, 32, sum);
		if (json) {
			printf("%s{\"type\":\"%c\",\"path\":", i ? "," : "", (char)f->type);
			json_str(f->path);
			if (f->type != PKG_HARDLINK)
				printf(",\"uid\":%u,\"gid\":%u", f->uid, f->gid);
			if (f->type == PKG_FILE || f->type == PKG_DIR)
				printf(",\"mode\":\"%04o\"", f->mode);
			if (f->type == PKG_FILE)
				printf(",\"size\":%llu,\"sha256\":\"%s\"", f->size, sum);
			if (f->target != NULL) {
				printf(",\"target\":");
				json_str(f->target);
			}
			putchar('}');
			continue;
		}
		switch (f->type) {
		case PKG_FILE:
			printf("f %04o %u:%u %llu %s /%s\n", f->mode, f->uid, f->gid, f->size, sum, f->path);
			break;
		case PKG_DIR:
			printf("d %04o %u:%u /%s\n", f->mode, f->uid, f->gid, f->path);
			break;
		case PKG_SYMLINK:
			printf("l %u:%u /%s -> %s\n", f->uid, f->gid, f->path, f->target);
			break;
		case PKG_HARDLINK:
			printf("h /%s => /%s\n", f->path, f->target);
			break;
		}
	}
	if (json)
		printf("]\n");
}

static int open_root(const struct opts *o)
{
	int fd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die(111, "%s: %s", o->root, strerror(errno));
	return fd;
}

static void open_txn(const struct opts *o, struct txn *t, int readonly)
{
	struct perr e = { "" };

	if (txn_open(t, open_root(o), readonly, &e) < 0)
		fail(&e);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* info and files: a package file (checked whole), or an installed package. */
static int cmd_show(const struct opts *o, const char *what, int show_files)
{
	struct txn_pkg p;
	struct txn t;
	struct perr e = { "" };
	const struct db_pkg *d;

	if (ends_with(what, ".pkg")) {
		int fd = open(what, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(111, "%s: %s", what, strerror(errno));
		if (txn_pkg_load(&p, fd, 0, -1, NULL, 0, what, &e) < 0)
			fail(&e);
		if (show_files)
			files(&p.m, o->json);
		else
			info(&p.m, p.payload_len, o->json);
		txn_pkg_free(&p);
		return 0;
	}
	open_txn(o, &t, 1);
	d = db_find(&t.db, what);
	if (d == NULL)
		die(1, "%s: not installed under %s", what, o->root);
	if (show_files)
		files(&d->m, o->json);
	else
		info(&d->m, 0, o->json);
	txn_close(&t);
	return 0;
}

static int cmd_list(const struct opts *o)
{
	struct txn t;
	size_t i;

	open_txn(o, &t, 1);
	if (o->json)
		putchar('[');
	if (o->world) {
		for (i = 0; i < t.db.nworld; i++) {
			if (o->json) {
				printf("%s", i ? "," : "");
				json_str(t.db.world[i]);
			} else {
				printf("%s\n", t.db.world[i]);
			}
		}
	} else {
		for (i = 0; i < t.db.n; i++) {
			const struct pkg_meta *m = &t.db.pkgs[i].m;

			if (o->json) {
				printf("%s{", i ? "," : "");
				json_ident(m);
				putchar('}');
			} else {
				printf("%-24s %-20s %-8s %s\n", m->name, m->version, m->arch, m->license);
			}
		}
	}
	if (o->json)
		printf("]\n");
	txn_close(&t);
	return 0;
}

static int cmd_owner(const struct opts *o, const char *path)
{
	struct txn t;
	size_t i, j;

	while (*path == '/')
		path++;
	open_txn(o, &t, 1);
	for (i = 0; i < t.db.n; i++)
		for (j = 0; j < t.db.pkgs[i].m.nfiles; j++)
			if (strcmp(t.db.pkgs[i].m.files[j].path, path) == 0) {
				if (o->json) {
					printf("{\"path\":");
					json_str(path);
					printf(",\"package\":");
					json_str(t.db.pkgs[i].name);
					printf("}\n");
				} else {
					printf("/%s %s %s\n", path, t.db.pkgs[i].name, t.db.pkgs[i].version);
				}
				txn_close(&t);
				return 0;
			}
	txn_close(&t);
	die(1, "/%s: no installed package owns it", path);
}

/* ---- verify ------------------------------------------------------------ */

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
		die(100, "verify %s: %s", arg, why);
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
 * verify [PATH...]: the installed entries (at or under each PATH) against
 * the database.  In the extensions area, also what is on disk under /usr
 * and /opt (or PATH) that no package installed: initd runs this for each
 * layer before it overlays it, and leaves out one that fails.
 */
static int cmd_verify(const struct opts *o, char **tops, int ntops)
{
	static char *const ext_tops[] = { "usr", "opt" };
	struct txn t;
	size_t i, j, nfiles = 0, bad = 0, changed = 0, strays = 0;
	int rootfd = open_root(o), k;
	struct perr e = { "" };

	for (k = 0; k < ntops; k++) {
		tops[k] = verify_top(tops[k]);
		if (o->ext && !verify_wanted(tops[k], ext_tops, 2))
			die(100, "verify /%s: an extension's files are under /usr and /opt only", tops[k]);
	}
	if (txn_open(&t, rootfd, 1, &e) < 0)
		fail(&e);
	/* An interrupted transaction is recovered first, where the root can
	 * be written: the files are checked against the state it leaves. */
	if (t.pkgdir >= 0 && faccessat(t.pkgdir, "journal", F_OK, 0) == 0) {
		txn_close(&t);
		if (txn_open(&t, rootfd, 0, &e) < 0)
			fail(&e);
	}
	for (i = 0; i < t.db.n; i++)
		for (j = 0; j < t.db.pkgs[i].m.nfiles; j++) {
			const struct pkg_file *f = &t.db.pkgs[i].m.files[j];
			const char *why;

			if (!verify_wanted(f->path, tops, ntops))
				continue;
			why = verify_one(rootfd, f);
			nfiles++;
			if (why == NULL)
				continue;
			if (f->type == PKG_FILE && strncmp(f->path, "etc/", 4) == 0) {
				changed++;
				printf("%s: /%s: %s (a configuration file changed here)\n", t.db.pkgs[i].name,
				       f->path, why);
				continue;
			}
			bad++;
			printf("%s: /%s: %s\n", t.db.pkgs[i].name, f->path, why);
		}
	/* Nothing but pkg writes the extensions area: what it did not is foreign. */
	for (k = 0; o->ext && k < (ntops ? ntops : 2); k++)
		if (stray_walk(rootfd, &t.db, ntops ? tops[k] : ext_tops[k], stray_print, &strays, &e) < 0)
			fail(&e);
	if (!o->json && o->ext)
		fprintf(stderr, "pkg: verify: %zu packages, %zu entries, %zu differ, %zu from no package\n",
			t.db.n, nfiles, bad, strays);
	else if (!o->json)
		fprintf(stderr, "pkg: verify: %zu packages, %zu entries, %zu differ, %zu configuration "
			"files changed\n", t.db.n, nfiles, bad, changed);
	else
		printf("{\"packages\":%zu,\"entries\":%zu,\"differ\":%zu,\"config_changed\":%zu,"
		       "\"strays\":%zu}\n", t.db.n, nfiles, bad, changed, strays);
	txn_close(&t);
	close(rootfd);
	return bad || strays ? 1 : 0;
}

/* ---- install, remove, upgrade ------------------------------------------ */

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The world after adding or dropping names: sorted, each once. */
static const char **world_edit(const struct db *db, char **names, size_t n, int add, size_t *count)
{
	const char **w = calloc(db->nworld + n + 1, sizeof *w);
	size_t i, j, k = 0;

	if (w == NULL)
		die(111, "%s", strerror(ENOMEM));
	for (i = 0; i < db->nworld; i++) {
		int drop = 0;

		for (j = 0; !add && j < n; j++)
			drop |= strcmp(db->world[i], names[j]) == 0;
		if (!drop)
			w[k++] = db->world[i];
	}
	for (j = 0; add && j < n; j++)
		w[k++] = names[j];
	qsort(w, k, sizeof *w, by_str);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || strcmp(w[j - 1], w[i]) != 0)
			w[j++] = w[i];
	*count = j;
	return w;
}

/*
 * --extensions: the root of a site's additions on a running node, on /var
 * (initd overlays its usr/ and opt/ at boot: doc/pkg.md, EXTENSIONS).
 */
static const char *ext_root(const char *root)
{
	static char path[4096];
	int rc;

	if (snprintf(path, sizeof path, "%s/var/lib/extensions", strcmp(root, "/") == 0 ? "" : root) >=
	    (int)sizeof path)
		die(100, "%s: path too long", root);
	rc = util_mkdirs(AT_FDCWD, path, 0755);
	if (rc < 0)
		die(111, "%s: %s", path, strerror(-rc));
	return path;
}

/* The repository options; fetched packages are kept under the root's var/cache/pkg. */
static const struct repo_opts *repo_opts(const struct opts *o)
{
	static char cache[4096];
	static struct repo_opts ro;

	if (o->cache == NULL && snprintf(cache, sizeof cache, "%s/var/cache/pkg",
					 strcmp(o->root, "/") == 0 ? "" : o->root) >= (int)sizeof cache)
		die(100, "%s: path too long", o->root);
	ro = (struct repo_opts){ o->trust, o->ca, o->cache ? o->cache : cache, o->flags, o->lim };
	return &ro;
}

/* The root's transaction state and --repo opened through its trust, for
 * CMD; refused, said plainly, without --repo. */
static void open_repo(const struct opts *o, const char *cmd, struct txn *t, struct repo *r)
{
	struct perr e = { "" };

	if (o->repo == NULL)
		die(100, "%s needs --repo DIR|FILE|URL", cmd);
	open_txn(o, t, 0);
	if (repo_open(r, o->repo, t->pkgdir, repo_opts(o), &e) < 0)
		fail(&e);
}

/*
 * An extension holds files under /usr and /opt only: initd overlays just
 * those.  None is setuid or setgid: the overlay is mounted nosuid anyway,
 * and a site's package has no business raising privilege.
 */
static void ext_check(const struct pkg_meta *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		const struct pkg_file *f = &m->files[i];

		if (strcmp(f->path, "usr") != 0 && strcmp(f->path, "opt") != 0 &&
		    strncmp(f->path, "usr/", 4) != 0 && strncmp(f->path, "opt/", 4) != 0)
			die(1, "%s-%s: /%s: an extension holds files under /usr and /opt only: refused",
			    m->name, m->version, f->path);
		if (f->type == PKG_FILE && (f->mode & (S_ISUID | S_ISGID)) != 0)
			die(1, "%s-%s: /%s: setuid or setgid (mode %04o): an extension may not raise "
			    "privilege: refused", m->name, m->version, f->path, f->mode);
	}
}

static void load_pkgs(const struct opts *o, struct repo *r, const struct solution *s, struct txn *t)
{
	struct perr e = { "" };
	size_t i;

	t->add = calloc(s->nadd + 1, sizeof *t->add);
	if (t->add == NULL)
		die(111, "%s", strerror(ENOMEM));
	/* Every package checked against the signed index before anything is written. */
	for (i = 0; i < s->nadd; i++) {
		const struct index_pkg *p = s->add[i];
		long long len;
		off_t base;
		int fd = repo_pkg_open(r, p, &base, &len, &e);

		if (fd < 0 || txn_pkg_load(&t->add[i], fd, base, len, p->sha256, p->size, p->name, &e) < 0)
			fail(&e);
		if (strcmp(t->add[i].m.name, p->name) != 0 || strcmp(t->add[i].m.version, p->version) != 0 ||
		    strcmp(t->add[i].m.arch, p->arch) != 0)
			die(1, "%s-%s: its metadata names another package: refused", p->name, p->version);
		if (o->ext)
			ext_check(&t->add[i].m);
		t->nadd++;
	}
}

static int cmd_change(const struct opts *o, const char *cmd, char **names, int n)
{
	struct pkg_rel *want = calloc((size_t)n + 1, sizeof *want);
	struct solution s;
	struct repo r;
	struct txn t;
	struct perr e = { "" };
	char **plain = calloc((size_t)n + 1, sizeof *plain);
	size_t i, nw;
	int rc, upgrade = strcmp(cmd, "upgrade") == 0;

	if (want == NULL || plain == NULL)
		die(111, "%s", strerror(ENOMEM));
	if (o->repo == NULL)
		die(100, "%s needs --repo DIR", cmd);
	for (i = 0; i < (size_t)n; i++) {
		plain[i] = strdup(names[i]);
		if (plain[i] == NULL || pkg_rel_parse(names[i], &want[i], 1) < 0)
			die(100, "%s: not NAME or NAME OP VERSION (OP: >= <= = > <)", plain[i]);
		plain[i][strcspn(plain[i], "<>=")] = '\0';
	}
	open_repo(o, cmd, &t, &r);
	if (upgrade) {
		free(want);
		want = calloc(t.db.nworld + 1, sizeof *want);
		if (want == NULL)
			die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < t.db.nworld; i++)
			want[i] = (struct pkg_rel){ t.db.world[i], PKG_ANY, NULL };
		n = (int)t.db.nworld;
	}
	if (solve(&r.ix, &t.db, want, (size_t)n, upgrade, o->arch, &s, &e) < 0)
		fail(&e);
	load_pkgs(o, &r, &s, &t);
	t.remove = s.replace;
	t.nremove = s.nreplace;
	t.world = upgrade ? world_edit(&t.db, NULL, 0, 1, &nw) : world_edit(&t.db, plain, (size_t)n, 1, &nw);
	t.nworld = nw;
	t.progress = isatty(2);
	if (s.nadd == 0 && t.nworld == t.db.nworld) {
		fprintf(stderr, "pkg: nothing to do\n");
		rc = 0;
	} else {
		rc = txn_apply(&t, &e);
		if (rc < 0)
			fail(&e);
		fprintf(stderr, "pkg: %s: %zu package%s, %llu files, %llu bytes\n", cmd, s.nadd,
			s.nadd == 1 ? "" : "s", t.files, t.bytes);
	}
	for (i = 0; i < t.nadd; i++)
		txn_pkg_free(&t.add[i]);
	free(t.add);
	free(t.world);
	solution_free(&s);
	repo_close(&r);
	txn_close(&t);
	for (i = 0; i < (size_t)n && !upgrade; i++)
		free(plain[i]);
	free(plain);
	free(want);
	return rc;
}

static int cmd_remove(const struct opts *o, char **names, int n)
{
	struct txn t;
	struct perr e = { "" };
	size_t i, j, nw;
	int k, d;

	open_txn(o, &t, 0);
	for (k = 0; k < n; k++)
		if (db_find(&t.db, names[k]) == NULL)
			die(1, "%s: not installed", names[k]);
	t.remove = calloc((size_t)n + 1, sizeof *t.remove);
	if (t.remove == NULL)
		die(111, "%s", strerror(ENOMEM));
	for (k = 0; k < n; k++)
		t.remove[k] = names[k];
	t.nremove = (size_t)n;
	/* Nothing that stays may need what goes. */
	for (i = 0; i < t.db.n; i++) {
		const struct pkg_meta *m = &t.db.pkgs[i].m;
		int going = 0;

		for (k = 0; k < n; k++)
			going |= strcmp(m->name, names[k]) == 0;
		for (d = 0; !going && d < m->ndepends; d++)
			for (k = 0; k < n; k++) {
				const struct db_pkg *g = db_find(&t.db, names[k]);
				int prov = 0;

				for (j = 0; j < (size_t)g->m.nprovides; j++)
					prov |= strcmp(g->m.provides[j].name, m->depends[d].name) == 0;
				if (strcmp(g->name, m->depends[d].name) == 0 || prov)
					die(1, "%s: %s %s needs it; remove that too, or keep it", names[k], m->name,
					    m->version);
			}
	}
	t.world = world_edit(&t.db, names, (size_t)n, 0, &nw);
	t.nworld = nw;
	if (txn_apply(&t, &e) < 0)
		fail(&e);
	fprintf(stderr, "pkg: remove: %d package%s\n", n, n == 1 ? "" : "s");
	free(t.world);
	free(t.remove);
	txn_close(&t);
	return 0;
}

static int cmd_search(const struct opts *o, const char *word)
{
	struct repo r;
	struct txn t;
	size_t i;

	open_repo(o, "search", &t, &r);
	for (i = 0; i < r.ix.n; i++)
		if (strstr(r.ix.pkgs[i].name, word) != NULL)
			printf("%-24s %-20s %s\n", r.ix.pkgs[i].name, r.ix.pkgs[i].version, r.ix.pkgs[i].arch);
	repo_close(&r);
	txn_close(&t);
	return 0;
}

/* The document's time: the build's SOURCE_DATE_EPOCH, else now. */
static long long sbom_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;

	return e != NULL && text_uint(e, 1ULL << 40, &v) == 0 ? (long long)v : (long long)time(NULL);
}

/* sbom: of the root (its db), or of the repository when --repo is given. */
static int cmd_sbom(const struct opts *o)
{
	const struct pkg_meta **v;
	struct txn_pkg *loaded = NULL;
	struct repo r;
	struct txn t;
	struct perr e = { "" };
	size_t i, n = 0;
	int rc;

	open_txn(o, &t, o->repo == NULL);
	if (o->repo == NULL) {
		v = calloc(t.db.n + 1, sizeof(const struct pkg_meta *));
		if (v == NULL)
			die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < t.db.n; i++)
			v[n++] = &t.db.pkgs[i].m;
		rc = sbom_write(stdout, o->name ? o->name : "root", v, n, sbom_time());
	} else {
		if (repo_open(&r, o->repo, t.pkgdir, repo_opts(o), &e) < 0)
			fail(&e);
		v = calloc(r.ix.n + 1, sizeof(const struct pkg_meta *));
		loaded = calloc(r.ix.n + 1, sizeof *loaded);
		if (v == NULL || loaded == NULL)
			die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < r.ix.n; i++) {
			long long len;
			off_t base;
			int fd = repo_pkg_open(&r, &r.ix.pkgs[i], &base, &len, &e);

			if (fd < 0 || txn_pkg_load(&loaded[i], fd, base, len, r.ix.pkgs[i].sha256,
						   r.ix.pkgs[i].size, r.ix.pkgs[i].name, &e) < 0)
				fail(&e);
			v[n++] = &loaded[i].m;
		}
		rc = sbom_write(stdout, o->name ? o->name : "repository", v, n, sbom_time());
		for (i = 0; i < n; i++)
			txn_pkg_free(&loaded[i]);
		free(loaded);
		repo_close(&r);
	}
	free(v);
	txn_close(&t);
	if (rc < 0 || fflush(stdout) != 0)
		die(111, "writing the SBOM: %s", strerror(EIO));
	return 0;
}

/* os-install: the installer's one write, after every check passed. */
static int cmd_os_install(const struct opts *o, const char *disk)
{
	struct perr e = { "" };
	struct repo r;
	struct txn t;
	int rc;

	open_repo(o, "os-install", &t, &r);
	rc = os_install(&r, o->arch, disk, o->force ? OS_FORCE : 0, &e);
	repo_close(&r);
	txn_close(&t);
	if (rc < 0)
		die(rc == -ENOMEM || rc == -EIO ? 111 : 1, "%s", e.msg);
	return 0;
}

/*
 * The OS state directory on /var, locked: one update at a time.  It keeps
 * its own trust (the root and newest release seen), first the image's:
 * the root slot is read-only, and /var is what both slots share.
 */
static int os_state_open(void)
{
	static const char *const docs[] = { "trust/root", "trust/release" };
	struct perr e = { "" };
	char *text;
	size_t len, i;
	int fd, lockfd, imgfd, rc;

	rc = util_mkdirs(AT_FDCWD, OS_STATE_DIR "/trust", 0755);
	if (rc < 0)
		die(111, "%s: %s", OS_STATE_DIR, strerror(-rc));
	fd = open(OS_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die(111, "%s: %s", OS_STATE_DIR, strerror(errno));
	lockfd = openat(fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lockfd < 0)
		die(111, "%s/lock: %s", OS_STATE_DIR, strerror(errno));
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
		die(1, "%s/lock: %s", OS_STATE_DIR, errno == EWOULDBLOCK ?
		    "another os-update is running: refused" : strerror(errno));
	/* lockfd stays open, the lock held, until pkg exits. */
	if (faccessat(fd, "trust/root", F_OK, 0) == 0)
		return fd;
	imgfd = open("/" DB_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (imgfd < 0)
		die(111, "/%s: %s: the image's trust is not found", DB_DIR, strerror(errno));
	/* The release first: the root's presence says the seeding is done. */
	for (i = sizeof docs / sizeof docs[0]; i-- > 0;) {
		if (util_read_all(imgfd, docs[i], 1 << 20, &text, &len, &e) < 0) {
			if (i == 0)
				fail(&e);
			continue;
		}
		rc = util_write_atomic(fd, docs[i], text, len, 0644);
		free(text);
		if (rc < 0)
			die(111, "%s/%s: %s", OS_STATE_DIR, docs[i], strerror(-rc));
	}
	close(imgfd);
	return fd;
}

/* os-update: the other slot written, after every check passed. */
static int cmd_os_update(const struct opts *o)
{
	struct os_update_opts u = { o->arch, "/sys", "/proc/cmdline", "/etc/os-release", ESP_DIR, -1,
				    o->tries ? o->tries : 3 };
	struct perr e = { "" };
	struct repo r;
	int rc;

	if (o->repo == NULL)
		die(100, "os-update needs --repo DIR|FILE|URL");
	if (strcmp(o->root, "/") != 0)
		die(100, "os-update works on the running system: not with --root");
	if (u.tries < 1 || u.tries > BOOTENT_TRIES_MAX)
		die(100, "--tries: 1 to %d", BOOTENT_TRIES_MAX);
	u.statefd = os_state_open();
	if (repo_open(&r, o->repo, u.statefd, repo_opts(o), &e) < 0)
		fail(&e);
	rc = os_update(&r, &u, &e);
	repo_close(&r);
	close(u.statefd);
	if (rc < 0)
		die(rc == -ENOMEM || rc == -EIO ? 111 : 1, "%s", e.msg);
	return 0;
}

/* ---- making a repository ----------------------------------------------- */

#ifndef PKG_VERIFY_ONLY
static int pkg_file_name(const struct dirent *d)
{
	return d->d_name[0] != '.' && ends_with(d->d_name, ".pkg");
}

static int cmd_index(const char *dir)
{
	struct dirent **list;
	char line[512], name[256], *text = NULL;
	size_t len = 0, cap = 0;
	int n, i, j, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	struct perr e = { "" };

	if (dfd < 0)
		die(111, "%s: %s", dir, strerror(errno));
	n = scandir(dir, &list, pkg_file_name, alphasort);
	if (n < 0)
		die(111, "%s: %s", dir, strerror(errno));
	/* Sorted by name, then version text: the index's own order. */
	{
		struct txn_pkg *p = calloc((size_t)n + 1, sizeof *p);
		int *ord = calloc((size_t)n + 1, sizeof *ord);

		if (p == NULL || ord == NULL)
			die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < n; i++) {
			/* Not blocking: a FIFO is refused by the load, not waited on. */
			int fd = openat(dfd, list[i]->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

			if (fd < 0 || txn_pkg_load(&p[i], fd, 0, -1, NULL, 0, list[i]->d_name, &e) < 0)
				die(1, "%s/%s: %s", dir, list[i]->d_name, fd < 0 ? strerror(errno) : e.msg);
			snprintf(name, sizeof name, "%s-%s.%s.pkg", p[i].m.name, p[i].m.version, p[i].m.arch);
			if (strcmp(name, list[i]->d_name) != 0)
				die(1, "%s/%s: holds %s: rename it", dir, list[i]->d_name, name);
			ord[i] = i;
		}
		for (i = 1; i < n; i++)
			for (j = i; j > 0; j--) {
				const struct pkg_meta *a = &p[ord[j - 1]].m, *b = &p[ord[j]].m;
				int c = strcmp(a->name, b->name);
				int tmp;

				if (c < 0 || (c == 0 && strcmp(a->version, b->version) < 0))
					break;
				if (c == 0 && strcmp(a->version, b->version) == 0)
					die(1, "%s: %s %s is there twice (two arches?): one repository per arch",
					    dir, a->name, a->version);
				tmp = ord[j];
				ord[j] = ord[j - 1];
				ord[j - 1] = tmp;
			}
		cap = 64 + (size_t)n * 1024;
		text = malloc(cap);
		if (text == NULL)
			die(111, "%s", strerror(ENOMEM));
		len = (size_t)snprintf(text, cap, "cairn-index 1\n");
		for (i = 0; i < n; i++) {
			const struct txn_pkg *q = &p[ord[i]];
			const struct pkg_meta *m = &q->m;
			int k;

			index_line(line, sizeof line, m->name, m->version, m->arch, q->file_size, q->file_sha256);
#define ADD(s) do { size_t l_ = strlen(s); if (len + l_ + 1 > cap) { cap = (len + l_ + 1) * 2; \
		text = realloc(text, cap); if (text == NULL) die(111, "%s", strerror(ENOMEM)); } \
		memcpy(text + len, s, l_ + 1); len += l_; } while (0)
			ADD(line);
			for (k = 0; k < m->ndepends; k++) {
				snprintf(line, sizeof line, "depends %s%s%s\n", m->depends[k].name,
					 op_text(m->depends[k].op), m->depends[k].version ? m->depends[k].version : "");
				ADD(line);
			}
			for (k = 0; k < m->nprovides; k++) {
				snprintf(line, sizeof line, "provides %s\n", m->provides[k].name);
				ADD(line);
			}
			for (k = 0; k < m->nconflicts; k++) {
				snprintf(line, sizeof line, "conflicts %s%s%s\n", m->conflicts[k].name,
					 op_text(m->conflicts[k].op),
					 m->conflicts[k].version ? m->conflicts[k].version : "");
				ADD(line);
			}
#undef ADD
		}
		for (i = 0; i < n; i++) {
			txn_pkg_free(&p[i]);
			free(list[i]);
		}
		free(list);
		free(p);
		free(ord);
	}
	rc = util_write_atomic(dfd, "index", text, len, 0644);
	if (rc < 0)
		die(111, "%s/index: %s", dir, strerror(-rc));
	fprintf(stderr, "pkg: %s/index: %d packages\n", dir, n);
	free(text);
	close(dfd);
	return 0;
}

static int cmd_release(const struct opts *o, const char *dir)
{
	char *text, doc[256];
	uint8_t sum[32], hex[65];
	size_t len;
	struct perr e = { "" };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n, rc;

	if (!o->have_version || !o->have_expires)
		die(100, "release needs --version N and --expires WHEN");
	if (dfd < 0)
		die(111, "%s: %s", dir, strerror(errno));
	if (util_read_all(dfd, "index", INDEX_MAX, &text, &len, &e) < 0)
		fail(&e);
	sha256_buf(text, len, sum);
	text_hex(sum, 32, (char *)hex);
	n = snprintf(doc, sizeof doc, "cairn-release 1\nversion %llu\nexpires %llu\nindex %zu %s\n",
		     o->version, o->expires, len, (char *)hex);
	rc = util_write_atomic(dfd, "release", doc, (size_t)n, 0644);
	if (rc < 0)
		die(111, "%s/release: %s", dir, strerror(-rc));
	free(text);
	close(dfd);
	return 0;
}

static int cmd_root(const struct opts *o, char **pubs, int n)
{
	char *doc, *text;
	size_t len, at, cap = 256 + (size_t)n * 600;
	struct doc d;
	struct perr e = { "" };
	char err[256];
	int i, rc;

	if (!o->have_version || !o->have_expires || !o->have_threshold || o->out == NULL)
		die(100, "root needs --version N --expires WHEN --threshold K -o FILE PUB...");
	doc = malloc(cap);
	if (doc == NULL)
		die(111, "%s", strerror(ENOMEM));
	at = (size_t)snprintf(doc, cap, "cairn-root 1\nversion %llu\nexpires %llu\nthreshold %llu\n",
			      o->version, o->expires, o->threshold);
	for (i = 0; i < n; i++) {
		if (util_read_all(AT_FDCWD, pubs[i], 1024, &text, &len, &e) < 0)
			fail(&e);
		if (len < 5 || strncmp(text, "key ", 4) != 0 || text[len - 1] != '\n' ||
		    memchr(text, '\n', len) != text + len - 1 || at + len >= cap)
			die(1, "%s: not a public key file (one 'key ALG HEX' line)", pubs[i]);
		memcpy(doc + at, text, len + 1);
		at += len;
		free(text);
	}
	/* The same parser that will trust it checks it now. */
	if (doc_parse(doc, at, &d, err, sizeof err) < 0)
		die(1, "%s: %s", o->out, err);
	doc_free(&d);
	rc = util_write_atomic(AT_FDCWD, o->out, doc, at, 0644);
	if (rc < 0)
		die(111, "%s: %s", o->out, strerror(-rc));
	free(doc);
	return 0;
}

static int cmd_sign(const struct opts *o, const char *file)
{
	struct pubkey k;
	struct doc d;
	struct perr e = { "" };
	uint8_t sig[KEY_SIG_MAX];
	char *text, *out, err[256];
	size_t len, siglen;
	int i, rc;

	if (o->key == NULL)
		die(100, "sign needs --key REF");
	if (util_read_all(AT_FDCWD, file, DOC_MAX, &text, &len, &e) < 0)
		fail(&e);
	if (doc_parse(text, len, &d, err, sizeof err) < 0)
		die(1, "%s: %s", file, err);
	if (key_load_private(o->key, &k, &e) < 0)
		fail(&e);
	for (i = 0; i < d.nsigs; i++)
		if (strcmp(d.sigs[i].id, k.id) == 0)
			die(1, "%s: already signed by key %.16s...", file, k.id);
	if (key_sign(&k, text, d.signed_len, sig, &siglen) < 0)
		die(1, "%s: signing with %s failed", file, o->key);
	out = malloc(len + 2 * siglen + 96);
	if (out == NULL)
		die(111, "%s", strerror(ENOMEM));
	memcpy(out, text, len);
	len += (size_t)sprintf(out + len, "signature %s ", k.id);
	text_hex(sig, siglen, out + len);
	len += 2 * siglen;
	out[len++] = '\n';
	rc = util_write_atomic(AT_FDCWD, file, out, len, 0644);
	if (rc < 0)
		die(111, "%s: %s", file, strerror(-rc));
	fprintf(stderr, "pkg: %s: signed by %s key %.16s...\n", file, k.alg, k.id);
	key_free(&k);
	doc_free(&d);
	free(text);
	free(out);
	return 0;
}

#endif

static int cmd_key(const struct opts *o, char **args, int n)
{
	struct perr e = { "" };

#ifndef PKG_VERIFY_ONLY
	if (n >= 1 && strcmp(args[0], "new") == 0) {
		if (n != 3)
			die(100, "usage: pkg key new [--alg ed25519|ecdsa-p256] DIR NAME");
		if (key_generate(o->alg, args[1], args[2], &e) < 0)
			fail(&e);
		fprintf(stderr, "pkg: %s/%s.key and %s/%s.pub made (%s)\n", args[1], args[2], args[1], args[2],
			o->alg);
		return 0;
	}
#endif
	if (n == 1 && strcmp(args[0], "list") == 0) {
		struct txn t;
		struct doc d;
		char *text;
		int i;

		open_txn(o, &t, 1);
		if (t.pkgdir < 0 || repo_load_doc(t.pkgdir, "trust/root", DOC_ROOT, &text, &d, &e) < 0)
			die(1, "%s trusts no keys yet", o->root);
		printf("root version %llu, expires %llu, threshold %d of %d\n", d.version, d.expires,
		       d.threshold, d.nkeys);
		for (i = 0; i < d.nkeys; i++)
			printf("%s %s\n", d.keys[i].alg, d.keys[i].id);
		doc_free(&d);
		free(text);
		txn_close(&t);
		return 0;
	}
	die(100, "usage: pkg key new [--alg ALG] DIR NAME | pkg key list");
}

static unsigned long long number(const char *opt, const char *v)
{
	unsigned long long n;

	if (v == NULL)
		die(100, "%s needs a value", opt);
	if (strcmp(opt, "--expires") == 0 && v[0] == '+' && ends_with(v, "d")) {
		char days[32];

		snprintf(days, sizeof days, "%.*s", (int)strlen(v) - 2, v + 1);
		if (text_uint(days, 36500, &n) < 0)
			die(100, "%s %s: not +DAYSd", opt, v);
		return (unsigned long long)time(NULL) + n * 86400;
	}
	if (text_uint(v, 1ULL << 53, &n) < 0)
		die(100, "%s %s: not a number", opt, v);
	return n;
}

/* --fetch-min-rate BYTES/SECONDS */
static void min_rate(const char *opt, const char *v, struct fetch_limits *lim)
{
	unsigned long long bytes, secs;
	char buf[64], *slash;

	if (snprintf(buf, sizeof buf, "%s", v) >= (int)sizeof buf || (slash = strchr(buf, '/')) == NULL)
		die(100, "%s %s: not BYTES/SECONDS", opt, v);
	*slash = '\0';
	if (text_uint(buf, 1ULL << 30, &bytes) < 0 || bytes == 0 || text_uint(slash + 1, 3600, &secs) < 0 ||
	    secs == 0)
		die(100, "%s %s: not BYTES/SECONDS (1 byte to 1 GiB, over 1 to 3600 s)", opt, v);
	lim->min_rate = (unsigned long)bytes;
	lim->rate_s = (int)secs;
}

int main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;
	int i = 1;

	/* OpenSSL reads no configuration file unless one is named: the
	 * build host names one to load a PKCS#11 provider for its token. */
	if (getenv("OPENSSL_CONF") == NULL)
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	/* A PKCS#11 module may be torn down by its own exit handler before
	 * OpenSSL's would close its sessions (SoftHSM 2.6 then crashes):
	 * leave the provider loaded, the process is ending anyway. */
	else
		OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
	memset(&o, 0, sizeof o);
	o.root = "/";
	o.arch = PKG_ARCH;
	o.alg = "ed25519";
	o.level = 19;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			puts("pkg (Cairn) " CAIRN_VERSION);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "--world") == 0) {
			o.world = 1;
		} else if (strcmp(a, "--allow-expired") == 0) {
			o.flags |= REPO_ALLOW_EXPIRED;
		} else if (strcmp(a, "--allow-rollback") == 0) {
			o.flags |= REPO_ALLOW_ROLLBACK;
		} else if (strcmp(a, "--extensions") == 0) {
			o.ext = 1;
		} else if (v == NULL) {
			die(100, "%s: unknown option or no value\n%s", a, usage);
		} else if (strcmp(a, "--root") == 0) {
			o.root = argv[++i];
		} else if (strcmp(a, "--repo") == 0) {
			o.repo = argv[++i];
		} else if (strcmp(a, "--trust") == 0) {
			o.trust = argv[++i];
		} else if (strcmp(a, "--arch") == 0) {
			o.arch = argv[++i];
		} else if (strcmp(a, "--ca") == 0) {
			o.ca = argv[++i];
		} else if (strcmp(a, "--cache") == 0) {
			o.cache = argv[++i];
		} else if (strcmp(a, "--fetch-timeout") == 0) {
			unsigned long long s = number(a, argv[++i]);

			if (s < 1 || s > 86400)
				die(100, "%s %s: 1 to 86400 seconds", a, argv[i]);
			o.lim.deadline_s = (int)s;
		} else if (strcmp(a, "--fetch-min-rate") == 0) {
			min_rate(a, argv[++i], &o.lim);
		} else {
			die(100, "%s: unknown option\n%s", a, usage);
		}
	}
	if (i == argc)
		die(100, "no command\n%s", usage);
	if (o.ext) {
		/* The system's cache; the image's own trust until one is given. */
		static char cache[4096], trust[4096];
		const char *r = strcmp(o.root, "/") == 0 ? "" : o.root;

		snprintf(cache, sizeof cache, "%s/var/cache/pkg", r);
		snprintf(trust, sizeof trust, "%s/%s/trust/root", r, DB_DIR);
		if (o.cache == NULL)
			o.cache = cache;
		if (o.trust == NULL && access(trust, R_OK) == 0)
			o.trust = trust;
		o.root = ext_root(o.root);
	}
	cmd = argv[i++];
	/* Options that belong to one command come after it, among its arguments. */
	{
		int n = 0, j;

		for (j = i; j < argc; j++) {
			const char *a = argv[j], *v = j + 1 < argc ? argv[j + 1] : NULL;

			if (a[0] != '-' || a[1] == '\0') {
				argv[i + n++] = argv[j];
				continue;
			}
			if (strcmp(a, "--world") == 0) {
				o.world = 1;
				continue;
			}
			if (strcmp(a, "--json") == 0) {
				o.json = 1;
				continue;
			}
			if (strcmp(a, "--force") == 0) {
				o.force = 1;
				continue;
			}
			if (v == NULL)
				die(100, "%s: needs a value", a);
			j++;
			if (strcmp(a, "-o") == 0)
				o.out = v;
			else if (strcmp(a, "--key") == 0)
				o.key = v;
			else if (strcmp(a, "--alg") == 0)
				o.alg = v;
			else if (strcmp(a, "--name") == 0)
				o.name = v;
			else if (strcmp(a, "--level") == 0)
				o.level = (int)number(a, v);
			else if (strcmp(a, "--tries") == 0)
				o.tries = (int)number(a, v);
			else if (strcmp(a, "--version") == 0)
				o.version = number(a, v), o.have_version = 1;
			else if (strcmp(a, "--expires") == 0)
				o.expires = number(a, v), o.have_expires = 1;
			else if (strcmp(a, "--threshold") == 0)
				o.threshold = number(a, v), o.have_threshold = 1;
			else
				die(100, "%s: unknown option for %s", a, cmd);
		}
		argc = i + n;
	}
	argc -= i;
	argv += i;
	if ((strcmp(cmd, "info") == 0 || strcmp(cmd, "files") == 0) && argc == 1)
		return cmd_show(&o, argv[0], cmd[0] == 'f');
	if (strcmp(cmd, "list") == 0 && argc == 0)
		return cmd_list(&o);
	if (strcmp(cmd, "owner") == 0 && argc == 1)
		return cmd_owner(&o, argv[0]);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(&o, argv, argc);
	if (strcmp(cmd, "install") == 0 && argc >= 1)
		return cmd_change(&o, cmd, argv, argc);
	if (strcmp(cmd, "upgrade") == 0 && argc == 0)
		return cmd_change(&o, cmd, argv, 0);
	if (strcmp(cmd, "remove") == 0 && argc >= 1)
		return cmd_remove(&o, argv, argc);
	if (strcmp(cmd, "sbom") == 0 && argc == 0)
		return cmd_sbom(&o);
	if (strcmp(cmd, "search") == 0 && argc == 1)
		return cmd_search(&o, argv[0]);
	if (strcmp(cmd, "os-install") == 0 && argc == 1)
		return cmd_os_install(&o, argv[0]);
	if (strcmp(cmd, "os-update") == 0 && argc == 0)
		return cmd_os_update(&o);
#ifndef PKG_VERIFY_ONLY
	if (strcmp(cmd, "build") == 0 && argc == 2) {
		struct perr e = { "" };

		if (o.out == NULL)
			die(100, "build needs -o OUT.pkg");
		if (build_package(argv[0], argv[1], o.out, o.level, &e) < 0)
			fail(&e);
		return 0;
	}
	if (strcmp(cmd, "index") == 0 && argc == 1)
		return cmd_index(argv[0]);
	if (strcmp(cmd, "bundle") == 0 && argc == 1) {
		struct perr e = { "" };

		if (o.out == NULL)
			die(100, "bundle needs -o FILE");
		if (bundle_write(argv[0], o.out, &e) < 0)
			fail(&e);
		return 0;
	}
	if (strcmp(cmd, "release") == 0 && argc == 1)
		return cmd_release(&o, argv[0]);
	if (strcmp(cmd, "root") == 0 && argc >= 1)
		return cmd_root(&o, argv, argc);
	if (strcmp(cmd, "sign") == 0 && argc == 1)
		return cmd_sign(&o, argv[0]);
#else
	if (strcmp(cmd, "build") == 0 || strcmp(cmd, "index") == 0 || strcmp(cmd, "release") == 0 ||
	    strcmp(cmd, "root") == 0 || strcmp(cmd, "sign") == 0 || strcmp(cmd, "bundle") == 0 ||
	    (strcmp(cmd, "key") == 0 && argc > 0 && strcmp(argv[0], "new") == 0))
		die(100, "%s: this pkg (a node's) only installs and verifies; make, index and sign "
		    "packages with the build host's pkg", cmd);
#endif
	if (strcmp(cmd, "key") == 0)
		return cmd_key(&o, argv, argc);
	die(100, "%s: unknown command or wrong arguments\n%s", cmd, usage);
}
