/*
 * osv.c: OSV records from an untrusted feed (the OSV schema,
 * ossf.github.io/osv-schema): parsed with jansson, every field this reads
 * checked for its type and bounded, anything else refused with its place
 * in the record; then evaluated against a package's identities the way
 * the schema's "Evaluation" section says (doc/pkg.md, AUDIT).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "osv.h"
#include "perr.h"
#include "version.h"

/* ---- jansson's memory, counted ------------------------------------------ */

/* A 16 MiB file of "[[],[],..." is millions of values: what parsing one
 * document may allocate is bounded, and going over is said as such.
 * osv_parse sets these before jansson's first allocation; nothing else in
 * pkg uses jansson, so no value crosses from one allocator to another. */
union mem_head {
	size_t n;
	max_align_t align;
};
static size_t mem_used;
static int mem_over;

static void *mem_alloc(size_t n)
{
	union mem_head *h;

	if (n > OSV_MEM_MAX - mem_used) {
		mem_over = 1;
		return NULL;
	}
	h = malloc(sizeof *h + n);
	if (h == NULL)
		return NULL;
	h->n = n;
	mem_used += n;
	return h + 1;
}

static void mem_free(void *p)
{
	union mem_head *h = p;

	if (p == NULL)
		return;
	h--;
	mem_used -= h->n;
	free(h);
}

/* ---- parsing ------------------------------------------------------------ */

/* Where in the document the parser is, for the message. */
struct pctx {
	char *err;
	size_t errsz;
	const char *id;				/* NULL before it is read */
	size_t at;				/* which advisory, from 1 */
	char path[192];
};

/* BAD(c, fmt, ...): the message into c's buffer, "ID: PATH: WHY"; -EINVAL
 * (a macro, so that the analyzer, which reads no variadic callee, sees
 * the value). */
#define BAD(c, ...) (complain((c), __VA_ARGS__), -EINVAL)
static void complain(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void complain(struct pctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->id != NULL)
		err_fail(c->err, c->errsz, "%s: %s%s%s", c->id, c->path, c->path[0] ? ": " : "", msg);
	else
		err_fail(c->err, c->errsz, "advisory %zu: %s%s%s", c->at, c->path, c->path[0] ? ": " : "", msg);
}

/* The path to name in a message: "affected[2].ranges[0]". */
static void at_path(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void at_path(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path, sizeof c->path, fmt, ap);
	va_end(ap);
}

enum { STR_NEED = 1, STR_TEXT = 2 };	/* required; free text (control bytes shown, not refused) */

/* The string j, checked: 0 with it in *out, or the reason it is refused. */
static int str_ok(struct pctx *c, const char *what, json_t *j, size_t max, int flags, const char **out)
{
	const char *s;
	size_t n, i;

	*out = NULL;
	if (j == NULL || json_is_null(j))
		return (flags & STR_NEED) ? BAD(c, "no '%s'", what) : 0;
	if (!json_is_string(j))
		return BAD(c, "'%s' is not a string", what);
	s = json_string_value(j);
	n = json_string_length(j);
	if (n > max)
		return BAD(c, "'%s' is longer than %zu bytes", what, max);
	if (n == 0 && !(flags & STR_TEXT))
		return BAD(c, "'%s' is empty", what);
	for (i = 0; i < n && !(flags & STR_TEXT); i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return BAD(c, "'%s' has a control byte", what);
	*out = s;
	return 0;
}

static int field_str(struct pctx *c, json_t *o, const char *key, size_t max, int flags, const char **out)
{
	return str_ok(c, key, json_object_get(o, key), max, flags, out);
}

/* The array at key (NULL when absent, none in it), its size in *n. */
static int field_array(struct pctx *c, json_t *o, const char *key, json_t **a, size_t *n)
{
	*a = json_object_get(o, key);
	*n = 0;
	if (*a == NULL || json_is_null(*a)) {
		*a = NULL;
		return 0;
	}
	if (!json_is_array(*a))
		return BAD(c, "'%s' is not an array", key);
	*n = json_array_size(*a);
	return 0;
}

static void *alloc_n(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* An array of strings (aliases, versions), each bounded. */
static int str_array(struct pctx *c, json_t *o, const char *key, const char ***v, size_t *n)
{
	json_t *a;
	size_t i;
	int rc = field_array(c, o, key, &a, n);

	if (rc < 0)
		return rc;
	*v = alloc_n(*n, sizeof **v);
	if (*v == NULL)
		return BAD(c, "%s", strerror(ENOMEM));
	for (i = 0; i < *n; i++)
		if ((rc = str_ok(c, key, json_array_get(a, i), OSV_ID_MAX, STR_NEED, &(*v)[i])) < 0)
			return rc;
	return 0;
}

static int cmp_eco(const char *a, const char *b)
{
	return version_cmp_deb(a, b);
}

static int is_zero(const struct osv_event *e)
{
	return e->kind == OSV_INTRODUCED && strcmp(e->version, "0") == 0;
}

/* Events in the order the evaluation walks them: by version (introduced
 * "0" before any), then by kind, then as the feed listed them. */
static int event_order(const struct osv_event *a, const struct osv_event *b, int (*cmp)(const char *, const char *))
{
	int c = is_zero(b) - is_zero(a);

	if (c == 0 && !is_zero(a))
		c = cmp(a->version, b->version);
	if (c == 0)
		c = (int)a->kind - (int)b->kind;
	if (c == 0)
		c = a->at < b->at ? -1 : a->at > b->at;
	return c;
}

static int by_eco(const void *a, const void *b)
{
	return event_order(a, b, cmp_eco);
}

static int by_semver(const void *a, const void *b)
{
	return event_order(a, b, version_cmp_semver);
}

/* One event: exactly one of introduced, fixed, last_affected, limit. */
static int event_parse(struct pctx *c, json_t *j, struct osv_event *e)
{
	static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
	const char *v;
	int k, found = 0, rc;

	if (!json_is_object(j))
		return BAD(c, "not an object");
	for (k = 0; k < 4; k++) {
		if ((rc = field_str(c, j, kinds[k], OSV_ID_MAX, 0, &v)) < 0)
			return rc;
		if (v == NULL)
			continue;
		if (found++)
			return BAD(c, "more than one of introduced, fixed, last_affected and limit");
		e->kind = (enum osv_event_kind)k;
		e->version = v;
	}
	return found ? 0 : BAD(c, "none of introduced, fixed, last_affected and limit");
}

static int range_parse(struct pctx *c, json_t *j, struct osv_range *r, size_t ai, size_t ri)
{
	const char *type;
	json_t *ev;
	size_t i, intro = 0;
	int rc;

	at_path(c, "affected[%zu].ranges[%zu]", ai, ri);
	if (!json_is_object(j))
		return BAD(c, "not an object");
	if ((rc = field_str(c, j, "type", OSV_ID_MAX, STR_NEED, &type)) < 0)
		return rc;
	if (strcmp(type, "GIT") == 0) {
		r->type = OSV_GIT;	/* commits: not a version pkg can compare */
		return 0;
	}
	if (strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0)
		return BAD(c, "type '%s': not ECOSYSTEM, SEMVER or GIT", type);
	r->type = type[0] == 'E' ? OSV_ECOSYSTEM : OSV_SEMVER;
	if ((rc = field_array(c, j, "events", &ev, &r->nevents)) < 0)
		return rc;
	r->events = alloc_n(r->nevents, sizeof *r->events);
	if (r->events == NULL)
		return BAD(c, "%s", strerror(ENOMEM));
	for (i = 0; i < r->nevents; i++) {
		at_path(c, "affected[%zu].ranges[%zu].events[%zu]", ai, ri, i);
		if ((rc = event_parse(c, json_array_get(ev, i), &r->events[i])) < 0)
			return rc;
		r->events[i].at = i;
		intro += r->events[i].kind == OSV_INTRODUCED;
	}
	at_path(c, "affected[%zu].ranges[%zu]", ai, ri);
	if (intro == 0)
		return BAD(c, "no introduced event");
	qsort(r->events, r->nevents, sizeof *r->events, r->type == OSV_SEMVER ? by_semver : by_eco);
	return 0;
}

static int package_parse(struct pctx *c, json_t *j, struct osv_affected *a)
{
	const char *purl, *why;
	int rc;

	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return BAD(c, "'package' is not an object");
	if ((rc = field_str(c, j, "ecosystem", OSV_ID_MAX, STR_NEED, &a->ecosystem)) < 0 ||
	    (rc = field_str(c, j, "name", OSV_ID_MAX, STR_NEED, &a->name)) < 0 ||
	    (rc = field_str(c, j, "purl", PURL_MAX, 0, &purl)) < 0)
		return rc;
	if (purl == NULL)
		return 0;
	a->purl = malloc(sizeof *a->purl);
	if (a->purl == NULL)
		return BAD(c, "%s", strerror(ENOMEM));
	if (purl_parse(purl, a->purl, &why) < 0)
		return BAD(c, "package.purl '%s': %s", purl, why);
	return 0;
}

static int affected_parse(struct pctx *c, json_t *j, struct osv_affected *a, size_t ai)
{
	json_t *ranges;
	size_t i;
	int rc;

	at_path(c, "affected[%zu]", ai);
	if (!json_is_object(j))
		return BAD(c, "not an object");
	if ((rc = package_parse(c, json_object_get(j, "package"), a)) < 0 ||
	    (rc = str_array(c, j, "versions", &a->versions, &a->nversions)) < 0 ||
	    (rc = field_array(c, j, "ranges", &ranges, &a->nranges)) < 0)
		return rc;
	a->ranges = alloc_n(a->nranges, sizeof *a->ranges);
	if (a->ranges == NULL)
		return BAD(c, "%s", strerror(ENOMEM));
	for (i = 0; i < a->nranges; i++)
		if ((rc = range_parse(c, json_array_get(ranges, i), &a->ranges[i], ai, i)) < 0)
			return rc;
	return 0;
}

/* One advisory.  A withdrawn one is kept by id only: nothing matches it. */
static int vuln_parse(struct pctx *c, json_t *j, struct osv_vuln *v)
{
	const char *withdrawn;
	json_t *aff;
	size_t i;
	int rc;

	c->id = NULL;
	c->path[0] = '\0';
	if (!json_is_object(j))
		return BAD(c, "not an object");
	if ((rc = field_str(c, j, "id", OSV_ID_MAX, STR_NEED, &v->id)) < 0)
		return rc;
	c->id = v->id;
	if ((rc = field_str(c, j, "withdrawn", OSV_ID_MAX, 0, &withdrawn)) < 0)
		return rc;
	v->withdrawn = withdrawn != NULL;
	v->summary = "";
	if (v->withdrawn)
		return 0;
	if ((rc = field_str(c, j, "summary", OSV_SUMMARY_MAX, STR_TEXT, &v->summary)) < 0 ||
	    (rc = str_array(c, j, "aliases", &v->aliases, &v->naliases)) < 0 ||
	    (rc = field_array(c, j, "affected", &aff, &v->naffected)) < 0)
		return rc;
	if (v->summary == NULL)
		v->summary = "";
	v->affected = alloc_n(v->naffected, sizeof *v->affected);
	if (v->affected == NULL)
		return BAD(c, "%s", strerror(ENOMEM));
	for (i = 0; i < v->naffected; i++)
		if ((rc = affected_parse(c, json_array_get(aff, i), &v->affected[i], i)) < 0)
			return rc;
	return 0;
}

/*
 * osv_parse: text, one advisory (a JSON object) or a JSON array of them,
 * into d.  0, or -EINVAL with what was wrong, and where, in err; d is
 * then empty.  Free d with osv_free either way.
 */
int osv_parse(const char *text, size_t len, struct osv_doc *d, char *err, size_t errsz)
{
	static int alloc_set;
	struct pctx c = { err, errsz, NULL, 0, "" };
	json_error_t je;
	json_t *root;
	size_t i;
	int rc;

	memset(d, 0, sizeof *d);
	if (!alloc_set) {
		json_set_alloc_funcs(mem_alloc, mem_free);
		alloc_set = 1;
	}
	if (len > OSV_FILE_MAX)
		return err_fail(err, errsz, "bigger than %u MiB: refused", OSV_FILE_MAX >> 20);
	mem_over = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL && mem_over)
		return err_fail(err, errsz, "needs more than %u MiB to parse: refused", OSV_MEM_MAX >> 20);
	if (root == NULL)
		return err_fail(err, errsz, "not JSON: line %d, column %d: %s", je.line, je.column, je.text);
	/* Without JSON_DECODE_ANY, jansson decodes an object or an array only. */
	d->json = root;
	d->n = json_is_object(root) ? 1 : json_array_size(root);
	d->v = alloc_n(d->n, sizeof *d->v);
	if (d->v == NULL) {
		d->n = 0;
		osv_free(d);
		return err_fail(err, errsz, "%s", strerror(ENOMEM));
	}
	for (i = 0; i < d->n; i++) {
		c.at = i + 1;
		rc = vuln_parse(&c, json_is_object(root) ? root : json_array_get(root, i), &d->v[i]);
		if (rc < 0) {
			osv_free(d);
			return rc;
		}
	}
	return 0;
}

void osv_free(struct osv_doc *d)
{
	size_t i, j, k;

	for (i = 0; d->v != NULL && i < d->n; i++) {
		struct osv_vuln *v = &d->v[i];

		for (j = 0; v->affected != NULL && j < v->naffected; j++) {
			for (k = 0; v->affected[j].ranges != NULL && k < v->affected[j].nranges; k++)
				free(v->affected[j].ranges[k].events);
			free(v->affected[j].ranges);
			free(v->affected[j].versions);
			free(v->affected[j].purl);
		}
		free(v->affected);
		free(v->aliases);
	}
	free(d->v);
	if (d->json != NULL)
		json_decref(d->json);
	memset(d, 0, sizeof *d);
}

/* ---- matching ----------------------------------------------------------- */

/*
 * osv_pkg_init: p, the identities of m (which must outlive p; p must not
 * be copied: its purls point into themselves).  0, or -EINVAL when one of
 * m's purls does not parse.
 */
int osv_pkg_init(struct osv_pkg *p, const struct pkg_meta *m, char *err, size_t errsz)
{
	const char *why;
	int i;

	memset(p, 0, sizeof *p);
	p->m = m;
	for (i = 0; i < m->npurl && i < PKG_IDS_MAX; i++)
		if (purl_parse(m->purl[i], &p->ids[p->nids++], &why) < 0)
			return err_fail(err, errsz, "%s %s: purl '%s': %s", m->name, m->version, m->purl[i], why);
	p->ids[p->nids].type = "generic";
	p->ids[p->nids].ns = "";
	p->ids[p->nids].name = m->name;
	p->ids[p->nids].version = m->version;
	p->nids++;
	return 0;
}

/* The spec's BeforeLimits: no limit, or v below one ("*": infinity). */
static int before_limits(const struct osv_range *r, const char *v, int (*cmp)(const char *, const char *))
{
	size_t i;
	int limited = 0;

	for (i = 0; i < r->nevents; i++) {
		if (r->events[i].kind != OSV_LIMIT)
			continue;
		if (strchr(r->events[i].version, '*') != NULL || cmp(v, r->events[i].version) < 0)
			return 1;
		limited = 1;
	}
	return !limited;
}

/* The first fixed event above v in r (sorted): what fixes v, or NULL. */
static const char *fix_above(const struct osv_range *r, const char *v)
{
	int (*cmp)(const char *, const char *) = r->type == OSV_SEMVER ? version_cmp_semver : cmp_eco;
	size_t i;

	for (i = 0; i < r->nevents; i++)
		if (r->events[i].kind == OSV_FIXED && cmp(v, r->events[i].version) < 0)
			return r->events[i].version;
	return NULL;
}

/* The spec's IncludedInRanges for one range: its events walked in order. */
static int in_range(const struct osv_range *r, const char *v)
{
	int (*cmp)(const char *, const char *) = r->type == OSV_SEMVER ? version_cmp_semver : cmp_eco;
	const struct osv_event *e;
	int vulnerable = 0;
	size_t i;

	if (r->type == OSV_GIT || !before_limits(r, v, cmp))
		return 0;
	for (i = 0; i < r->nevents; i++) {
		e = &r->events[i];
		if (e->kind == OSV_INTRODUCED && (is_zero(e) || cmp(v, e->version) >= 0))
			vulnerable = 1;
		else if ((e->kind == OSV_FIXED && cmp(v, e->version) >= 0) ||
			 (e->kind == OSV_LAST_AFFECTED && cmp(v, e->version) > 0))
			vulnerable = 0;
	}
	return vulnerable;
}

/* Whether version v of the package a names is affected: listed in its
 * versions (equal in Debian's order for Debian, as text otherwise) or in
 * one of its ranges.  *fixed: the fix of the first range v is in, or of
 * the first range with a fix above it. */
static int affected_version(const struct osv_affected *a, const char *v, int debian, const char **fixed)
{
	size_t i;
	int hit = 0;

	*fixed = NULL;
	for (i = 0; i < a->nranges && !hit; i++)
		if (in_range(&a->ranges[i], v)) {
			hit = 1;
			*fixed = fix_above(&a->ranges[i], v);
		}
	for (i = 0; i < a->nversions && !hit; i++)
		hit = debian ? version_cmp_deb(v, a->versions[i]) == 0 : strcmp(v, a->versions[i]) == 0;
	for (i = 0; i < a->nranges && hit && *fixed == NULL; i++)
		if (a->ranges[i].type != OSV_GIT)
			*fixed = fix_above(&a->ranges[i], v);
	return hit;
}

/* "Debian" or "Debian:RELEASE": 1, with RELEASE (or NULL) in *release. */
static int debian_ecosystem(const char *eco, const char **release)
{
	*release = NULL;
	if (strcmp(eco, "Debian") == 0)
		return 1;
	if (strncmp(eco, "Debian:", 7) != 0 || eco[7] == '\0')
		return 0;
	*release = eco + 7;
	return 1;
}

/* A Debian record names the source package and the release: our
 * pkg:deb/debian/ purl of that source (upstream=, else its name) on that
 * release (distro=debian-RELEASE). */
static int debian_names(const struct osv_affected *a, const char *release, const struct purl *id)
{
	const char *src = id->upstream != NULL ? id->upstream : id->name;

	if (strcmp(id->type, "deb") != 0 || strcmp(id->ns, "debian") != 0 || strcmp(src, a->name) != 0)
		return 0;
	if (release == NULL)
		return 1;
	return id->distro != NULL && strncmp(id->distro, "debian-", 7) == 0 && strcmp(id->distro + 7, release) == 0;
}

/*
 * osv_affects: 1 when v affects p, with the version that fixes it in
 * *fixed (NULL: no fix); 0 when it does not.  An affected package in a
 * Debian ecosystem matches by source and release (debian_names); any
 * other by its purl's type, namespace and name.  The version compared is
 * the one in p's purl that matched (pkg:generic: p's own).
 */
int osv_affects(const struct osv_vuln *v, const struct osv_pkg *p, const char **fixed)
{
	const struct osv_affected *a;
	const char *release = NULL;
	size_t i;
	int k, debian;

	*fixed = NULL;
	if (v->withdrawn)
		return 0;
	for (i = 0; i < v->naffected; i++) {
		a = &v->affected[i];
		debian = a->ecosystem != NULL && debian_ecosystem(a->ecosystem, &release);
		if (!debian && a->purl == NULL)
			continue;
		for (k = 0; k < p->nids; k++) {
			const struct purl *id = &p->ids[k];

			if (debian ? !debian_names(a, release, id) : !purl_same_package(a->purl, id))
				continue;
			if (id->version[0] != '\0' && affected_version(a, id->version, debian, fixed))
				return 1;
		}
	}
	return 0;
}
