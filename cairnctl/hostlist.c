/*
 * hostlist.c: Slurm's host-list syntax, expanded: "gpu[001-128,200]",
 * "login1,gpu[1-4]", "r[1-2]n[01-16]" (every bracket group multiplies).
 * A range's numbers are as wide as its first is written ("[08-10]" gives
 * 08 09 10; "[8-10]" gives 8 9 10), as Slurm prints them.  Names are
 * host names: letters, digits, '.', '-' and '_', at most HOSTLIST_NAME-1
 * bytes; the whole expands to at most HOSTLIST_MAX names, so a typo such
 * as "n[1-99999999]" is an error, not a machine out of memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"

#define GROUPS_MAX 4			/* bracket groups in one name */
#define DIGITS_MAX 9			/* in one number */

struct range {
	unsigned long lo, hi;
	int width;
};

/* One bracket group: its ranges, the text before it. */
struct group {
	char prefix[HOSTLIST_NAME];
	struct range *r;
	size_t nr;
};

static int name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '-' || c == '_';
}

static int bad(char *err, size_t size, const char *expr, const char *why)
{
	snprintf(err, size, "'%.80s': %s", expr, why);
	return -EINVAL;
}

/*
 * A host name, or an IPv4 address written plainly: not starting with '.'
 * or '-', not ending with '.', no empty label (a certificate check would
 * take ".example" as any host under it), and digits and dots only when
 * they are an address inet_pton reads (no "010", which a resolver reads
 * as octal and a certificate check as decimal).
 */
int hostlist_name_ok(const char *name)
{
	struct in_addr v4;

	if (name[0] == '\0' || name[0] == '.' || name[0] == '-' || name[strlen(name) - 1] == '.' ||
	    strstr(name, "..") != NULL)
		return 0;
	if (strspn(name, "0123456789.") == strlen(name))
		return inet_pton(AF_INET, name, &v4) == 1;
	return 1;
}

static int push(struct hostlist *hl, const char *name)
{
	size_t len = strlen(name);

	if (len >= HOSTLIST_NAME)
		return -ENAMETOOLONG;
	if (!hostlist_name_ok(name))
		return -EDOM;
	if (hl->n == (hl->max ? hl->max : HOSTLIST_MAX))
		return -E2BIG;
	if (hl->n == hl->cap) {
		size_t cap = hl->cap ? hl->cap * 2 : 64;
		char (*v)[HOSTLIST_NAME] = realloc(hl->names, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		hl->names = v;
		hl->cap = cap;
	}
	memcpy(hl->names[hl->n++], name, len + 1);
	return 0;
}

/* A number of at most DIGITS_MAX digits at *P; its width. */
static int number(const char **p, unsigned long *v, int *width)
{
	const char *s = *p;

	*v = 0;
	while (*s >= '0' && *s <= '9' && s - *p < DIGITS_MAX)
		*v = *v * 10 + (unsigned long)(*s++ - '0');
	if (s == *p || (*s >= '0' && *s <= '9'))
		return -1;
	*width = (int)(s - *p);
	*p = s;
	return 0;
}

/* The ranges of "[...]" from *P (past its '['), past its ']'. */
static int ranges(const char **p, struct group *g)
{
	const char *s = *p;
	struct range r;
	size_t cap = 0;

	for (;;) {
		if (number(&s, &r.lo, &r.width) < 0)
			return -1;
		r.hi = r.lo;
		if (*s == '-') {
			int w;

			s++;
			if (number(&s, &r.hi, &w) < 0 || r.hi < r.lo)
				return -1;
		}
		if (g->nr == cap) {
			struct range *v = realloc(g->r, (cap = cap ? cap * 2 : 4) * sizeof *v);

			if (v == NULL)
				return -2;
			g->r = v;
		}
		g->r[g->nr++] = r;
		if (*s == ']')
			break;
		if (*s++ != ',')
			return -1;
	}
	*p = s + 1;
	return 0;
}

/* Every name of groups G[i..] after HEAD, then TAIL. */
static int product(struct hostlist *hl, const struct group *g, size_t i, size_t ng, const char *head,
		   const char *tail)
{
	char name[HOSTLIST_NAME * 2];
	size_t k;
	unsigned long v;
	int rc;

	if (i == ng) {
		if ((size_t)snprintf(name, sizeof name, "%s%s", head, tail) >= HOSTLIST_NAME)
			return -ENAMETOOLONG;
		return push(hl, name);
	}
	for (k = 0; k < g[i].nr; k++)
		for (v = g[i].r[k].lo; v <= g[i].r[k].hi; v++) {
			if ((size_t)snprintf(name, sizeof name, "%s%s%0*lu", head, g[i].prefix, g[i].r[k].width, v) >=
			    HOSTLIST_NAME)
				return -ENAMETOOLONG;
			rc = product(hl, g, i + 1, ng, name, tail);
			if (rc < 0)
				return rc;
		}
	return 0;
}

/* One item: a name with bracket groups, from *P to the ',' or end after it. */
static int item(struct hostlist *hl, const char **p, const char *expr, char *err, size_t size)
{
	struct group g[GROUPS_MAX];
	char tail[HOSTLIST_NAME];
	const char *s = *p;
	size_t ng = 0, n = 0, i;
	int rc = 0;

	memset(g, 0, sizeof g);
	for (;; s++) {
		if (*s == '[') {
			if (ng == GROUPS_MAX) {
				rc = bad(err, size, expr, "more than 4 bracket groups in one name");
				break;
			}
			tail[n] = '\0';
			snprintf(g[ng].prefix, sizeof g[ng].prefix, "%s", tail);
			n = 0;
			s++;
			rc = ranges(&s, &g[ng++]);
			if (rc < 0) {
				rc = rc == -2 ? -ENOMEM : bad(err, size, expr, "a bracket is not numbers and ranges "
							      "(lo-hi, lo <= hi, 9 digits at most) between [ and ]");
				break;
			}
			s--;
		} else if (*s == ',' || *s == '\0') {
			break;
		} else if (!name_char((unsigned char)*s)) {
			rc = bad(err, size, expr, "a name holds letters, digits, '.', '-' and '_' only");
			break;
		} else if (n == HOSTLIST_NAME - 1) {
			rc = bad(err, size, expr, "a name is longer than 63 bytes");
			break;
		} else {
			tail[n++] = *s;
		}
	}
	tail[n] = '\0';
	if (rc == 0 && ng == 0 && n == 0)
		rc = bad(err, size, expr, "an empty name");
	if (rc == 0) {
		rc = product(hl, g, 0, ng, "", tail);
		if (rc == -E2BIG)
			snprintf(err, size, "'%.80s': more than %zu names", expr, hl->max ? hl->max : HOSTLIST_MAX);
		else if (rc == -ENAMETOOLONG)
			rc = bad(err, size, expr, "a name is longer than 63 bytes");
		else if (rc == -EDOM)
			rc = bad(err, size, expr, "a name starts with '.' or '-', ends with '.', holds \"..\", or is "
				 "digits and dots but not an IPv4 address (no leading zeros)");
		else if (rc < 0)
			snprintf(err, size, "%s", strerror(-rc));
	}
	for (i = 0; i < GROUPS_MAX; i++)
		free(g[i].r);
	*p = s;
	return rc;
}

/* hostlist_expand: EXPR's names appended to HL; 0, or -errno with ERR said. */
int hostlist_expand(const char *expr, struct hostlist *hl, char *err, size_t size)
{
	const char *s = expr;
	int rc;

	for (;;) {
		rc = item(hl, &s, expr, err, size);
		if (rc < 0)
			return rc;
		if (*s == '\0')
			return 0;
		s++;
	}
}

void hostlist_free(struct hostlist *hl)
{
	free(hl->names);
	memset(hl, 0, sizeof *hl);
}
