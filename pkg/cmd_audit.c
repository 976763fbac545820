/* cmd_audit.c: `pkg audit --feed PATH`: which advisories of an offline OSV feed affect the root, or --repo. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"
#include "osv.h"

/* Exit status (doc/pkg.md, AUDIT): 0 nothing matched, 1 something did,
 * 2 the feed or the packages could not all be read (usage: 100). */
enum { AUDIT_NONE, AUDIT_MATCHED, AUDIT_FAILED };

#define AUDIT_FILES_MAX (1u << 20)		/* .json files in a feed directory */
#define AUDIT_SHOWN_MAX 20			/* refused files named, then a count */

static const char audit_help[] =
	"usage: pkg [--root DIR] [--repo DIR|FILE|URL] audit --feed PATH [--json]\n"
	"  The advisories of the OSV feed PATH (a directory of .json files, as OSV's\n"
	"  all.zip unzips, or one .json file) that affect the installed packages, or\n"
	"  --repo's (a directory or a bundle): one line each,\n"
	"  NAME VERSION ID ALIASES fixed VERSION|no fix: SUMMARY  (--json: objects).\n"
	"  Exit status: 0 none, 1 some, 2 the feed or the packages could not be read,\n"
	"  100 usage (doc/pkg.md, AUDIT).\n";

struct match {
	size_t pkg;
	char *id, *fixed, *summary;		/* fixed NULL: no fix */
	char **aliases;
	size_t naliases;
};

struct audit {
	struct osv_pkg *pkgs;
	size_t npkgs;
	struct match *v;
	size_t n, cap;
	size_t files, advisories, withdrawn, refused;
};

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	return d;
}

/* ---- the packages ------------------------------------------------------- */

static void pkgs_add(struct audit *a, const struct pkg_meta *const *m, size_t n)
{
	char err[512];
	size_t i;

	a->pkgs = calloc(n ? n : 1, sizeof *a->pkgs);
	if (a->pkgs == NULL)
		cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++)
		if (osv_pkg_init(&a->pkgs[i], m[i], err, sizeof err) < 0)
			cmd_die(AUDIT_FAILED, "%s", err);
	a->npkgs = n;
}

static int root_open(const struct pkg_opts *o, struct txn *t, int readonly)
{
	struct perr e = { "" };
	int fd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		cmd_die(AUDIT_FAILED, "%s: %s", o->root, strerror(errno));
	if (txn_open(t, fd, readonly, &e) < 0)
		cmd_die(AUDIT_FAILED, "%s", e.msg);
	return fd;
}

/* The root's installed packages: a root without a database is refused,
 * not reported as one with nothing to fix. */
static void pkgs_root(const struct pkg_opts *o, struct txn *t, struct audit *a)
{
	const struct pkg_meta **m;
	size_t i;

	root_open(o, t, 1);
	if (t->pkgdir < 0)
		cmd_die(AUDIT_FAILED, "%s: no package database (%s): nothing to audit", o->root, DB_DIR);
	m = calloc(t->db.n ? t->db.n : 1, sizeof(const struct pkg_meta *));
	if (m == NULL)
		cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	for (i = 0; i < t->db.n; i++)
		m[i] = &t->db.pkgs[i].m;
	pkgs_add(a, m, t->db.n);
	free(m);
}

/* Every package of --repo (a directory, a bundle, a URL), checked through
 * its chain of trust as install checks it; only the metadata is kept. */
static void pkgs_repo(const struct pkg_opts *o, struct txn *t, struct repo *r, struct txn_pkg **loaded,
		      struct audit *a)
{
	struct perr e = { "" };
	const struct pkg_meta **m;
	size_t i;

	root_open(o, t, 0);
	if (repo_open(r, o->repo, t->pkgdir, cmd_repo_opts(o), &e) < 0)
		cmd_die(AUDIT_FAILED, "%s", e.msg);
	m = calloc(r->ix.n ? r->ix.n : 1, sizeof(const struct pkg_meta *));
	*loaded = calloc(r->ix.n ? r->ix.n : 1, sizeof **loaded);
	if (m == NULL || *loaded == NULL)
		cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	for (i = 0; i < r->ix.n; i++) {
		struct txn_pkg *p = &(*loaded)[i];
		long long len;
		off_t base;
		int fd = repo_pkg_open(r, &r->ix.pkgs[i], &base, &len, &e);

		if (fd < 0 || txn_pkg_load(p, fd, base, len, r->ix.pkgs[i].sha256, r->ix.pkgs[i].size,
					   r->ix.pkgs[i].name, &e) < 0)
			cmd_die(AUDIT_FAILED, "%s", e.msg);
		close(p->fd);
		p->fd = -1;
		m[i] = &p->m;
	}
	pkgs_add(a, m, r->ix.n);
	free(m);
}

/* ---- the feed ----------------------------------------------------------- */

/* Text from the feed, on one line: control bytes (C0, DEL, C1) as spaces. */
static void text_out(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc(' ', f);
			p++;
			continue;
		}
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	}
}

/* A feed file refused: said on stderr, its name and jansson's words (which
 * quote the file) through text_out, as the file may hold anything. */
static void refuse(struct audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct audit *a, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (++a->refused > AUDIT_SHOWN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fputs("pkg: audit: ", stderr);
	text_out(stderr, msg);
	fputc('\n', stderr);
}

static void match_add(struct audit *a, size_t pkg, const struct osv_vuln *v, const char *fixed)
{
	struct match *m;
	size_t i;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = realloc(a->v, a->cap * sizeof *a->v);
		if (a->v == NULL)
			cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	}
	m = &a->v[a->n++];
	m->pkg = pkg;
	m->id = dup_or_die(v->id);
	m->fixed = fixed != NULL ? dup_or_die(fixed) : NULL;
	m->summary = dup_or_die(v->summary);
	m->naliases = v->naliases;
	m->aliases = calloc(v->naliases ? v->naliases : 1, sizeof *m->aliases);
	if (m->aliases == NULL)
		cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
	for (i = 0; i < v->naliases; i++)
		m->aliases[i] = dup_or_die(v->aliases[i]);
}

/* One feed file (dir: how to name it), each advisory in it against every package. */
static void feed_file(struct audit *a, int dirfd, const char *name, const char *dir)
{
	struct perr e = { "" };
	struct osv_doc d;
	const char *fixed;
	char err[512], *text;
	size_t len, i, k;
	int rc;

	a->files++;
	rc = file_read_at(dirfd, name, OSV_FILE_MAX, &text, &len, &e);
	if (rc == -EFBIG) {
		refuse(a, "%s%s: bigger than %u MiB: refused", dir, name, OSV_FILE_MAX >> 20);
		return;
	}
	if (rc < 0) {
		refuse(a, "%s%s", dir, e.msg);
		return;
	}
	if (osv_parse(text, len, &d, err, sizeof err) < 0) {
		refuse(a, "%s%s: %s", dir, name, err);
		free(text);
		return;
	}
	for (i = 0; i < d.n; i++) {
		a->advisories++;
		a->withdrawn += d.v[i].withdrawn != 0;
		for (k = 0; k < a->npkgs; k++)
			if (osv_affects(&d.v[i], &a->pkgs[k], &fixed))
				match_add(a, k, &d.v[i], fixed);
	}
	osv_free(&d);
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: every NAME.json in it (not below it), in name order, each
 * opened below the directory's handle without following a link. */
static void feed_dir(struct audit *a, int fd, const char *path)
{
	char **names = NULL, dir[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = fdopendir(fd);

	if (d == NULL)
		cmd_die(AUDIT_FAILED, "%s: %s", path, strerror(errno));
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strlen(de->d_name) <= 5 || !cmd_ends_with(de->d_name, ".json"))
			continue;
		if (n == AUDIT_FILES_MAX)
			cmd_die(AUDIT_FAILED, "%s: more than %u .json files: refused", path, AUDIT_FILES_MAX);
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof *names);
			if (names == NULL)
				cmd_die(AUDIT_FAILED, "%s", strerror(ENOMEM));
		}
		names[n++] = dup_or_die(de->d_name);
	}
	if (errno != 0)
		cmd_die(AUDIT_FAILED, "%s: %s", path, strerror(errno));
	if (n == 0)
		cmd_die(AUDIT_FAILED, "%s: no .json file in it: not an OSV feed", path);
	qsort(names, n, sizeof *names, by_name);
	snprintf(dir, sizeof dir, "%s%s", path, cmd_ends_with(path, "/") ? "" : "/");
	for (i = 0; i < n; i++) {
		feed_file(a, dirfd(d), names[i], dir);
		free(names[i]);
	}
	free(names);
	closedir(d);
}

static void feed_read(struct audit *a, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		feed_dir(a, fd, path);
	else if (errno == ENOTDIR)
		feed_file(a, AT_FDCWD, path, "");
	else
		cmd_die(AUDIT_FAILED, "%s: %s", path, strerror(errno));
}

/* ---- the report --------------------------------------------------------- */

static int by_match(const void *x, const void *y)
{
	const struct match *a = x, *b = y;

	if (a->pkg != b->pkg)
		return a->pkg < b->pkg ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void show_text(const struct audit *a, const struct match *m)
{
	const struct pkg_meta *pm = a->pkgs[m->pkg].m;
	size_t i;

	/* What the feed says goes through text_out: no terminal escapes. */
	printf("%s %s ", pm->name, pm->version);
	text_out(stdout, m->id);
	putchar(' ');
	for (i = 0; i < m->naliases; i++) {
		if (i > 0)
			putchar(',');
		text_out(stdout, m->aliases[i]);
	}
	if (m->naliases == 0)
		putchar('-');
	if (m->fixed != NULL) {
		printf(" fixed ");
		text_out(stdout, m->fixed);
	} else {
		printf(" no fix");
	}
	if (m->summary[0] != '\0') {
		printf(": ");
		text_out(stdout, m->summary);
	}
	putchar('\n');
}

static void show_json(const struct audit *a, const struct match *m)
{
	const struct pkg_meta *pm = a->pkgs[m->pkg].m;
	size_t i;

	printf("{\"package\":");
	cmd_json_str(pm->name);
	printf(",\"version\":");
	cmd_json_str(pm->version);
	printf(",\"id\":");
	cmd_json_str(m->id);
	printf(",\"aliases\":[");
	for (i = 0; i < m->naliases; i++) {
		printf("%s", i ? "," : "");
		cmd_json_str(m->aliases[i]);
	}
	printf("],\"fixed\":");
	if (m->fixed != NULL)
		cmd_json_str(m->fixed);
	else
		printf("null");
	printf(",\"summary\":");
	cmd_json_str(m->summary);
	putchar('}');
}

/* The matches sorted by package, then advisory, each once (a feed may
 * hold one advisory in two files); how many. */
static size_t report(struct audit *a, int json)
{
	size_t i, n = 0;

	if (a->n > 0)
		qsort(a->v, a->n, sizeof *a->v, by_match);
	if (json)
		printf("[");
	for (i = 0; i < a->n; i++) {
		if (i > 0 && by_match(&a->v[i - 1], &a->v[i]) == 0)
			continue;
		if (json) {
			printf("%s\n", n ? "," : "");
			show_json(a, &a->v[i]);
		} else {
			show_text(a, &a->v[i]);
		}
		n++;
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	return n;
}

/* Packages built from upstream's tarballs (OpenSSL, BusyBox, musl...)
 * are named by CPE and pkg:generic purls, which Debian's advisories never
 * name: say which, so a clean report is not read as covering them. */
static void uncovered(const struct audit *a)
{
	size_t i, n = 0;
	int j, deb;

	for (i = 0; i < a->npkgs; i++) {
		const struct pkg_meta *m = a->pkgs[i].m;

		for (j = 0, deb = 0; j < m->npurl; j++)
			deb |= strncmp(m->purl[j], "pkg:deb/", 8) == 0;
		if (deb || m->ncpe == 0)
			continue;
		fprintf(stderr, "%s%s", n++ ? " " : "audit: named by upstream's CPE, not by a Debian purl (an OSV "
			"feed of Debian's advisories does not cover them; match their CPEs from pkg sbom): ", m->name);
	}
	if (n > 0)
		fputc('\n', stderr);
}

static void audit_free(struct audit *a)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->v[i].naliases; j++)
			free(a->v[i].aliases[j]);
		free(a->v[i].aliases);
		free(a->v[i].id);
		free(a->v[i].fixed);
		free(a->v[i].summary);
	}
	free(a->v);
	free(a->pkgs);
}

int cmd_audit(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "feed", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct audit a = { 0 };
	struct txn_pkg *loaded = NULL;
	struct cmd_args args;
	const char *feed = NULL;
	struct repo r;
	struct txn t;
	size_t i, n;
	int c;

	cmd_args_init(&args, o, argc, argv);
	while ((c = cmd_getopt(&args, "", opts)) != -1) {
		if (c == 'h') {
			fputs(audit_help, stdout);
			return 0;
		}
		feed = optarg;
	}
	if (args.n != 0)
		cmd_wrong_args(argv[0]);
	if (feed == NULL)
		cmd_die(100, "audit needs --feed PATH (a directory of OSV .json files, or one)");
	if (o->repo != NULL)
		pkgs_repo(o, &t, &r, &loaded, &a);
	else
		pkgs_root(o, &t, &a);
	feed_read(&a, feed);
	n = report(&a, o->json);
	if (fflush(stdout) != 0)
		cmd_die(AUDIT_FAILED, "writing the report: %s", strerror(errno));
	fprintf(stderr, "audit: %zu packages, %zu advisories (%zu withdrawn) in %zu files: %zu matched\n",
		a.npkgs, a.advisories, a.withdrawn, a.files, n);
	uncovered(&a);
	if (a.refused > AUDIT_SHOWN_MAX)
		fprintf(stderr, "pkg: audit: %zu more files refused\n", a.refused - AUDIT_SHOWN_MAX);
	if (a.refused > 0)
		fprintf(stderr, "pkg: audit: %zu of %zu feed files refused: the report is incomplete\n",
			a.refused, a.files);
	for (i = 0; loaded != NULL && i < a.npkgs; i++)
		txn_pkg_free(&loaded[i]);
	free(loaded);
	audit_free(&a);
	if (o->repo != NULL)
		repo_close(&r);
	txn_close(&t);
	return a.refused > 0 ? AUDIT_FAILED : n > 0 ? AUDIT_MATCHED : AUDIT_NONE;
}
