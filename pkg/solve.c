/*
 * solve.c: from what the operator wants and what is installed, the set of
 * packages to install.  Newest first, as apk and pacman pick: each wanted
 * name, then each dependency, takes the newest version in the index that
 * satisfies every constraint seen, by name or else through `provides`.
 * Then every member's dependencies and conflicts are checked against the
 * final set, and a failure is said in words: which package, which
 * relation, and what the repository has instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve.h"
#include "version.h"

struct member {
	const char *name, *version;
	const struct pkg_rel *dep, *prov, *conf;
	int ndep, nprov, nconf;
	const struct index_pkg *ip;		/* NULL: the installed one stays */
	const char *why;			/* who pulled it in */
};

struct set {
	struct member *v;
	size_t n;
};

static struct member *find(struct set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static const char *op_text(enum pkg_op op)
{
	static const char *const ops[] = { "", "<", "<=", "=", ">=", ">" };

	return ops[op];
}

/* Does the set hold something that satisfies r? */
static const struct member *satisfied(struct set *s, const struct pkg_rel *r)
{
	size_t i;
	int j;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, r->name) == 0 && version_match(s->v[i].version, r->op, r->version))
			return &s->v[i];
		for (j = 0; r->op == PKG_ANY && j < s->v[i].nprov; j++)
			if (strcmp(s->v[i].prov[j].name, r->name) == 0)
				return &s->v[i];
	}
	return NULL;
}

static int arch_ok(const struct index_pkg *p, const char *arch)
{
	return strcmp(p->arch, arch) == 0 || strcmp(p->arch, "noarch") == 0;
}

/* The newest index package named r->name satisfying r; else a provider. */
static const struct index_pkg *best(const struct index *ix, const struct pkg_rel *r, const char *arch)
{
	const struct index_pkg *b = NULL;
	size_t i;
	int j;

	for (i = 0; i < ix->n; i++)
		if (strcmp(ix->pkgs[i].name, r->name) == 0 && arch_ok(&ix->pkgs[i], arch) &&
		    version_match(ix->pkgs[i].version, r->op, r->version) &&
		    (b == NULL || version_cmp(ix->pkgs[i].version, b->version) > 0))
			b = &ix->pkgs[i];
	if (b != NULL || r->op != PKG_ANY)
		return b;
	for (i = 0; i < ix->n; i++)
		for (j = 0; j < ix->pkgs[i].nprovides; j++)
			if (strcmp(ix->pkgs[i].rels[ix->pkgs[i].ndepends + j].name, r->name) == 0 &&
			    arch_ok(&ix->pkgs[i], arch) &&
			    (b == NULL || strcmp(ix->pkgs[i].name, b->name) < 0 ||
			     (strcmp(ix->pkgs[i].name, b->name) == 0 &&
			      version_cmp(ix->pkgs[i].version, b->version) > 0)))
				b = &ix->pkgs[i];
	return b;
}

/* What the index has under a name, for an error message. */
static void has(const struct index *ix, const char *name, char *buf, size_t size)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < ix->n && at + 70 < size; i++)
		if (strcmp(ix->pkgs[i].name, name) == 0)
			at += (size_t)snprintf(buf + at, size - at, "%s%s %s", at ? ", " : "",
					       ix->pkgs[i].arch, ix->pkgs[i].version);
	if (at == 0)
		snprintf(buf, size, "no package of that name or providing it");
}

static void take(struct member *m, const struct index_pkg *p, const char *why)
{
	m->name = p->name;
	m->version = p->version;
	m->dep = p->rels;
	m->ndep = p->ndepends;
	m->prov = p->rels + p->ndepends;
	m->nprov = p->nprovides;
	m->conf = p->rels + p->ndepends + p->nprovides;
	m->nconf = p->nconflicts;
	m->ip = p;
	m->why = why;
}

/* Put p in the set (over an installed one of its name); 1 if it was new there. */
static int place(struct set *s, const struct index_pkg *p, const char *why)
{
	struct member *m = find(s, p->name);

	if (m != NULL && m->ip == p)
		return 0;
	if (m == NULL)
		m = &s->v[s->n++];
	take(m, p, why);
	return 1;
}

/* The installed packages, each as the newest in the index when upgrading. */
static void installed(struct set *s, const struct index *ix, const struct db *db, int upgrade, const char *arch)
{
	size_t i;

	s->n = 0;
	for (i = 0; i < db->n; i++) {
		const struct pkg_meta *m = &db->pkgs[i].m;
		struct member *mm = &s->v[s->n++];

		mm->name = m->name;
		mm->version = m->version;
		mm->dep = m->depends;
		mm->ndep = m->ndepends;
		mm->prov = m->provides;
		mm->nprov = m->nprovides;
		mm->conf = m->conflicts;
		mm->nconf = m->nconflicts;
		mm->why = "installed";
		if (upgrade) {
			struct pkg_rel any = { m->name, PKG_ANY, NULL };
			const struct index_pkg *p = best(ix, &any, arch);

			if (p != NULL && strcmp(p->name, m->name) == 0 && version_cmp(p->version, m->version) > 0)
				take(mm, p, "upgrade");
		}
	}
}

/* What the operator asks for, where the set does not have it yet. */
static int wanted(struct set *s, const struct index *ix, const struct pkg_rel *want, size_t nwant,
		  const char *arch, struct perr *e)
{
	char what[512];
	size_t i;

	for (i = 0; i < nwant; i++) {
		const struct index_pkg *p;

		if (satisfied(s, &want[i]) != NULL)
			continue;
		p = best(ix, &want[i], arch);
		if (p == NULL) {
			has(ix, want[i].name, what, sizeof what);
			return perr(e, -ENOENT, "%s%s%s: not in the repository for %s (it has: %s)", want[i].name,
				    op_text(want[i].op), want[i].version ? want[i].version : "", arch, what);
		}
		place(s, p, "asked for");
	}
	return 0;
}

/* Pull in dependencies until nothing changes (bounded: each round
 * places at least one new package, or stops). */
static int dependencies(struct set *s, const struct index *ix, const char *arch, struct perr *e)
{
	char what[512];
	size_t i, k;
	int j;

	for (k = 0; k <= ix->n; k++) {
		int changed = 0;

		for (i = 0; i < s->n; i++)
			for (j = 0; j < s->v[i].ndep; j++) {
				const struct pkg_rel *r = &s->v[i].dep[j];
				const struct index_pkg *p;

				if (satisfied(s, r) != NULL)
					continue;
				p = best(ix, r, arch);
				if (p == NULL) {
					has(ix, r->name, what, sizeof what);
					return perr(e, -ENOENT, "%s %s needs %s%s%s, and the repository has %s",
						    s->v[i].name, s->v[i].version, r->name, op_text(r->op),
						    r->version ? r->version : "", what);
				}
				if (find(s, p->name) != NULL &&
				    version_cmp(p->version, find(s, p->name)->version) < 0)
					return perr(e, -EINVAL, "%s %s needs %s%s%s, older than %s %s: pkg does not "
						    "downgrade by itself (ask for '%s%s%s' to)", s->v[i].name,
						    s->v[i].version, r->name, op_text(r->op), r->version ? r->version : "",
						    p->name, find(s, p->name)->version, r->name, op_text(r->op),
						    r->version ? r->version : "");
				changed |= place(s, p, s->v[i].name);
			}
		if (!changed)
			break;
	}
	return 0;
}

/* The final set must hold together: every dependency, no conflict. */
static int holds(struct set *s, struct perr *e)
{
	size_t i;
	int j, rc = 0;

	for (i = 0; i < s->n && rc == 0; i++) {
		for (j = 0; j < s->v[i].ndep && rc == 0; j++)
			if (satisfied(s, &s->v[i].dep[j]) == NULL) {
				const struct member *m = find(s, s->v[i].dep[j].name);

				rc = perr(e, -EINVAL, "%s %s needs %s%s%s, but %s%s%s is what the rest needs",
					  s->v[i].name, s->v[i].version, s->v[i].dep[j].name, op_text(s->v[i].dep[j].op),
					  s->v[i].dep[j].version ? s->v[i].dep[j].version : "",
					  m ? m->name : "nothing", m ? " " : "", m ? m->version : "");
			}
		for (j = 0; j < s->v[i].nconf && rc == 0; j++) {
			const struct member *m = find(s, s->v[i].conf[j].name);

			if (m != NULL && m != &s->v[i] &&
			    version_match(m->version, s->v[i].conf[j].op, s->v[i].conf[j].version))
				rc = perr(e, -EINVAL, "%s %s conflicts with %s %s (%s: conflicts %s%s%s); "
					  "remove one of them first", s->v[i].name, s->v[i].version, m->name,
					  m->version, s->v[i].name, s->v[i].conf[j].name, op_text(s->v[i].conf[j].op),
					  s->v[i].conf[j].version ? s->v[i].conf[j].version : "");
		}
	}
	return rc;
}

/* What to install: each member from the index that is not installed at
 * its version, and the installed one it replaces. */
static void solution_fill(const struct set *s, const struct db *db, struct solution *out)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct db_pkg *d;

		if (s->v[i].ip == NULL)
			continue;
		d = db_find(db, s->v[i].name);
		if (d != NULL && strcmp(d->version, s->v[i].version) == 0)
			continue;
		out->add[out->nadd++] = s->v[i].ip;
		if (d != NULL)
			out->replace[out->nreplace++] = d->name;
	}
}

int solve(const struct index *ix, const struct db *db, struct pkg_rel *want, size_t nwant,
	  int upgrade, const char *arch, struct solution *out, struct perr *e)
{
	struct set s;
	int rc;

	memset(out, 0, sizeof *out);
	s.v = calloc(db->n + ix->n + 1, sizeof *s.v);
	out->add = calloc(ix->n + 1, sizeof(const struct index_pkg *));
	out->replace = calloc(db->n + 1, sizeof(const char *));
	if (s.v == NULL || out->add == NULL || out->replace == NULL) {
		free(s.v);
		solution_free(out);
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	}
	installed(&s, ix, db, upgrade, arch);
	rc = wanted(&s, ix, want, nwant, arch, e);
	if (rc == 0)
		rc = dependencies(&s, ix, arch, e);
	if (rc == 0)
		rc = holds(&s, e);
	if (rc == 0)
		solution_fill(&s, db, out);
	free(s.v);
	if (rc < 0)
		solution_free(out);
	return rc;
}

void solution_free(struct solution *s)
{
	free(s->add);
	free(s->replace);
	memset(s, 0, sizeof *s);
}
