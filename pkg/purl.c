/*
 * purl.c: Package URLs, pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH
 * (github.com/package-url/purl-spec): split, each part percent-decoded,
 * compared by package (type, namespace and name).  Text from a feed is
 * untrusted: bounded, and a bad escape or an escaped control byte refused.
 */
#include <string.h>

#include "purl.h"
#include "text.h"

/* s decoded in place: 0, or -1 on a bad escape or a control byte. */
static int decode(char *s)
{
	char *w = s;
	int h, l;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w = *s;
		} else {
			h = text_hexdigit((unsigned char)s[1]);
			l = h < 0 ? -1 : text_hexdigit((unsigned char)s[2]);
			if (l < 0)
				return -1;
			*w = (char)(h * 16 + l);
			s += 2;
		}
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			return -1;
		w++;
	}
	*w = '\0';
	return 0;
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The types whose namespace and name the specification says are not
 * case sensitive: kept lowercase, so they compare as bytes. */
static int folds_case(const char *type)
{
	static const char *const t[] = { "deb", "apk", "alpm", "bitbucket", "github" };
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(type, t[i]) == 0)
			return 1;
	return 0;
}

/* KEY=VALUE&...: distro and upstream kept, the others read past. */
static int qualifiers(char *q, struct purl *p, const char **why)
{
	char *kv, *eq, *next;

	for (kv = q; kv != NULL && *kv != '\0'; kv = next) {
		next = strchr(kv, '&');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(kv, '=');
		if (eq == NULL || eq == kv) {
			*why = "a qualifier is not KEY=VALUE";
			return -1;
		}
		*eq = '\0';
		lower(kv);
		if (decode(eq + 1) < 0) {
			*why = "a qualifier has a bad %-escape or a control byte";
			return -1;
		}
		if (strcmp(kv, "distro") == 0)
			p->distro = eq + 1;
		else if (strcmp(kv, "upstream") == 0)
			p->upstream = eq + 1;
	}
	return 0;
}

static int type_ok(const char *t)
{
	if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z')))
		return 0;
	for (; *t != '\0'; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
		      *t == '.' || *t == '+' || *t == '-'))
			return 0;
	return 1;
}

/* The parts of TYPE/NAMESPACE/NAME@VERSION, split in place: the type
 * before the first '/', the version after the last '@', the name after
 * the last '/' of what is between. */
struct parts {
	char *type, *ns, *name, *version;
};

static int path_parts(char *r, struct parts *pp, const char **why)
{
	char *slash = strchr(r, '/'), *at, *last;

	if (slash == NULL) {
		*why = "no TYPE/NAME";
		return -1;
	}
	*slash = '\0';
	if (!type_ok(r)) {
		*why = "the type is not a letter then letters, digits, '.', '+' or '-'";
		return -1;
	}
	lower(r);
	pp->type = r;
	r = slash + 1;
	at = strrchr(r, '@');
	if (at != NULL) {
		*at = '\0';
		pp->version = at + 1;
	}
	last = strrchr(r, '/');
	pp->name = last != NULL ? last + 1 : r;
	if (last != NULL) {
		*last = '\0';
		pp->ns = r;
	}
	if (*pp->name == '\0') {
		*why = "no name";
		return -1;
	}
	if (decode(pp->name) < 0 || decode(pp->ns) < 0 || decode(pp->version) < 0) {
		*why = "a bad %-escape or an escaped control byte";
		return -1;
	}
	if (folds_case(pp->type)) {
		lower(pp->ns);
		lower(pp->name);
	}
	return 0;
}

/*
 * purl_parse: s into p.  0, or -1 with the reason in *why (a constant).
 * The subpath is read past; "pkg:" may be followed by slashes, as the
 * specification allows.
 */
int purl_parse(const char *s, struct purl *p, const char **why)
{
	static char none[1];
	struct parts pp = { NULL, none, NULL, none };
	size_t n = strlen(s);
	char *r, *cut;

	memset(p, 0, sizeof *p);
	if (n > PURL_MAX) {
		*why = "longer than 1024 bytes";
		return -1;
	}
	memcpy(p->buf, s, n + 1);
	if (strncmp(p->buf, "pkg:", 4) != 0 && strncmp(p->buf, "PKG:", 4) != 0) {
		*why = "does not begin 'pkg:'";
		return -1;
	}
	for (r = p->buf + 4; *r == '/'; r++)
		;
	if ((cut = strchr(r, '#')) != NULL)
		*cut = '\0';
	if ((cut = strchr(r, '?')) != NULL) {
		*cut = '\0';
		if (qualifiers(cut + 1, p, why) < 0)
			return -1;
	}
	for (n = strlen(r); n > 0 && r[n - 1] == '/'; n--)
		r[n - 1] = '\0';
	if (path_parts(r, &pp, why) < 0)
		return -1;
	p->type = pp.type;
	p->ns = pp.ns;
	p->name = pp.name;
	p->version = pp.version;
	return 0;
}

/* purl_same_package: 1 when a and b name one package (their versions and
 * qualifiers aside). */
int purl_same_package(const struct purl *a, const struct purl *b)
{
	return strcmp(a->type, b->type) == 0 && strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0;
}
