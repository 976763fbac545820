/*
 * index.c: the strict parser of a repository index.
 *
 *   cairn-index 1
 *   package NAME VERSION ARCH SIZE SHA256
 *   depends REL          (then provides NAME, then conflicts REL: the
 *   provides NAME         package's relations, in that order)
 *   conflicts REL
 *
 * Packages are sorted by name, then version text, with no pair twice.  A
 * package's file in the repository is NAME-VERSION.ARCH.pkg: the index
 * names no path, so it cannot point outside the repository.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "text.h"

/* The reason in err, after "index line N: " when a line is known. */
#define bad(err, errsize, line, ...) pkg_err(err, errsize, "index", line, __VA_ARGS__)

/* index_line: the "package ..." line for one package, with its newline. */
int index_line(char *buf, size_t size, const char *name, const char *version, const char *arch,
	       unsigned long long bytes, const uint8_t sha256[32])
{
	char sum[65];
	int n;

	text_hex(sha256, 32, sum);
	n = snprintf(buf, size, "package %s %s %s %llu %s\n", name, version, arch, bytes, sum);
	return n > 0 && (size_t)n < size ? n : -ENAMETOOLONG;
}

static int package_parse(char *v, struct index_pkg *p)
{
	char *w[5];

	if (pkg_words(v, w, 5) < 0 || !pkg_name_ok(w[0]) || !pkg_version_ok(w[1]) ||
	    (strcmp(w[2], "x86_64") != 0 && strcmp(w[2], "aarch64") != 0 &&
	     strcmp(w[2], "noarch") != 0) ||
	    pkg_decimal(w[3], PKG_PAYLOAD_MAX + PKG_META_MAX + PKG_HEADER_MAX, &p->size) < 0 ||
	    pkg_hex32(w[4], p->sha256) < 0)
		return -EINVAL;
	p->name = w[0];
	p->version = w[1];
	p->arch = w[2];
	return 0;
}

/*
 * index_parse: text (len bytes, edited in place) into ix, whose arrays are
 * allocated here (index_free).  0, or -EINVAL/-ENOMEM with the reason.
 */
int index_parse(char *text, size_t len, struct index *ix, char *err, size_t errsize)
{
	size_t at = 0, lines = 0, nrels = 0, i;
	struct index_pkg *p = NULL;
	int line = 0, stage = 0;

	memset(ix, 0, sizeof *ix);
	if (len == 0 || len > INDEX_MAX || text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return bad(err, errsize, 0, "index is empty, too big, has a NUL byte or no final newline");
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	ix->pkgs = calloc(lines < INDEX_PKGS_MAX ? lines + 1 : INDEX_PKGS_MAX, sizeof *ix->pkgs);
	ix->rels = calloc(lines + 1, sizeof *ix->rels);
	if (ix->pkgs == NULL || ix->rels == NULL) {
		index_free(ix);
		return -ENOMEM;
	}
	while (at < len) {
		char *l = text + at, *nl = memchr(l, '\n', len - at), *sp;
		int kind;

		*nl = '\0';
		at = (size_t)(nl - text) + 1;
		line++;
		if (line == 1) {
			if (strcmp(l, "cairn-index 1") != 0)
				return bad(err, errsize, line, "not 'cairn-index 1'");
			continue;
		}
		sp = strchr(l, ' ');
		if (sp == NULL)
			return bad(err, errsize, line, "not a 'key value' line");
		*sp = '\0';
		if (strcmp(l, "package") == 0) {
			if (ix->n == INDEX_PKGS_MAX)
				return bad(err, errsize, line, "more than %d packages", INDEX_PKGS_MAX);
			p = &ix->pkgs[ix->n];
			p->rels = ix->rels + nrels;
			if (package_parse(sp + 1, p) < 0)
				return bad(err, errsize, line, "needs 'package NAME VERSION ARCH SIZE SHA256'");
			if (ix->n > 0) {
				const struct index_pkg *q = &ix->pkgs[ix->n - 1];
				int c = strcmp(q->name, p->name);

				if (c > 0 || (c == 0 && strcmp(q->version, p->version) >= 0))
					return bad(err, errsize, line, "%s %s is out of order or listed twice",
						   p->name, p->version);
			}
			ix->n++;
			stage = 0;
			continue;
		}
		kind = strcmp(l, "depends") == 0 ? 1 : strcmp(l, "provides") == 0 ? 2 :
		       strcmp(l, "conflicts") == 0 ? 3 : 0;
		if (kind == 0)
			return bad(err, errsize, line, "unknown key '%.32s'", l);
		if (p == NULL)
			return bad(err, errsize, line, "'%s' before any package", l);
		if (kind < stage)
			return bad(err, errsize, line, "'%s' after a later kind of relation", l);
		if (p->ndepends + p->nprovides + p->nconflicts == PKG_RELS_MAX * 3)
			return bad(err, errsize, line, "too many relations");
		stage = kind;
		if (pkg_rel_parse(sp + 1, &ix->rels[nrels], kind != 2) < 0)
			return bad(err, errsize, line, "'%s' needs NAME%s", l, kind != 2 ? " or NAME OP VERSION" : "");
		nrels++;
		*(kind == 1 ? &p->ndepends : kind == 2 ? &p->nprovides : &p->nconflicts) += 1;
	}
	if (line == 0)
		return bad(err, errsize, 0, "empty index");
	return 0;
}

void index_free(struct index *ix)
{
	free(ix->pkgs);
	free(ix->rels);
	memset(ix, 0, sizeof *ix);
}
