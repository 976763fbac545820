/*
 * nodes.c: the fleet cairnctl acts on.  Nodes come from host lists
 * (--nodes "gpu[001-128]") and from a file, one entry a line:
 *
 *	gpu[001-064]			names; the API at NAME:7443
 *	gpu065 10.1.0.65		a name at an address
 *	gpu066 10.1.0.66:8443		... and a port
 *	gpu067 [fd00::67]:7443		an IPv6 address in brackets
 *	# a comment; blank lines are nothing
 *
 * The name is what the node's certificate must name, wherever it is
 * reached: a node answering at another's address with its own valid
 * certificate is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "nodes.h"

#define NODES_FILE_MAX (16 << 20)
/* A host name's, or an IPv4 or IPv6 address's (no zone). */
#define ADDRESS_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:"

static int add(struct nodes *ns, const char *name, const char *host, const char *port)
{
	if (ns->n == NODES_MAX)
		return -E2BIG;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		struct node *v = realloc(ns->v, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	snprintf(ns->v[ns->n].name, sizeof ns->v[ns->n].name, "%s", name);
	snprintf(ns->v[ns->n].host, sizeof ns->v[ns->n].host, "%s", host);
	snprintf(ns->v[ns->n].port, sizeof ns->v[ns->n].port, "%s", port);
	ns->n++;
	return 0;
}

/* nodes_add_list: the names of host list EXPR, each at itself:PORT. */
int nodes_add_list(struct nodes *ns, const char *expr, const char *port, char *err, size_t size)
{
	struct hostlist hl = { NULL, 0, 0, ns->max };
	size_t i;
	int rc = hostlist_expand(expr, &hl, err, size);

	for (i = 0; rc == 0 && i < hl.n; i++)
		rc = add(ns, hl.names[i], hl.names[i], port);
	if (rc == -ENOMEM)
		snprintf(err, size, "%s", strerror(ENOMEM));
	else if (rc == -E2BIG && hl.n > 0)
		snprintf(err, size, "more than %d nodes in all", NODES_MAX);
	hostlist_free(&hl);
	return rc;
}

/* ADDRESS[:PORT] or [V6]:PORT into HOST and PORT; -1 when malformed. */
static int address(const char *s, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon, *end;
	struct in6_addr v6;
	int bracketed = *s == '[';
	size_t n;

	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		n = (size_t)(end - s - 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		s++;
	} else {
		colon = strchr(s, ':');
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (n == 0 || n >= hsize || strspn(s, ADDRESS_CHARS) < n)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	/* An IPv6 address in brackets, or a name or IPv4 address as --nodes takes them. */
	if (strchr(host, ':') != NULL ? inet_pton(AF_INET6, host, &v6) != 1 || !bracketed :
	    bracketed || !hostlist_name_ok(host))
		return -1;
	if (colon != NULL) {
		unsigned long p;
		char *e;

		if (colon[1] < '1' || colon[1] > '9')
			return -1;
		p = strtoul(colon + 1, &e, 10);
		if (*e != '\0' || p > 65535)
			return -1;
		snprintf(port, psize, "%lu", p);
	}
	return 0;
}

/* LINE split at blanks into at most MAX words (in place); how many, MAX when more. */
static int words(char *line, char **word, int max)
{
	int k = 0;

	for (;;) {
		line += strspn(line, " \t\r");
		if (*line == '\0')
			return k;
		if (k == max)
			return max;
		word[k++] = line;
		line += strcspn(line, " \t\r");
		if (*line != '\0')
			*line++ = '\0';
	}
}

/* nodes_parse: a nodes file's TEXT (above); ERR names the line at fault. */
int nodes_parse(struct nodes *ns, const char *text, size_t len, const char *port, char *err, size_t size)
{
	char line[512], first[512], second[512], host[HOSTLIST_NAME], p[8], why[256], *word[3];
	size_t at = 0, n;
	int lineno = 0, k, rc;

	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);

		n = nl != NULL ? (size_t)(nl - text - at) : len - at;
		lineno++;
		if (n >= sizeof line) {
			snprintf(err, size, "line %d: longer than %zu bytes", lineno, sizeof line - 1);
			return -EINVAL;
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		at += n + 1;
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, size, "line %d: a NUL byte", lineno);
			return -EINVAL;
		}
		line[strcspn(line, "#")] = '\0';
		k = words(line, word, 3);
		if (k > 0)
			snprintf(first, sizeof first, "%s", word[0]);
		if (k > 1)
			snprintf(second, sizeof second, "%s", word[1]);
		if (k <= 0)
			continue;
		if (k == 3) {
			snprintf(err, size, "line %d: more than NAME and ADDRESS[:PORT]", lineno);
			return -EINVAL;
		}
		if (k == 1) {
			rc = nodes_add_list(ns, first, port, why, sizeof why);
			if (rc < 0) {
				snprintf(err, size, "line %d: %s", lineno, why);
				return rc;
			}
			continue;
		}
		snprintf(p, sizeof p, "%s", port);
		if (strpbrk(first, "[],") != NULL || strlen(first) >= HOSTLIST_NAME ||
		    nodes_add_list(ns, first, port, why, sizeof why) < 0) {
			snprintf(err, size, "line %d: '%s': one node's name before an address", lineno, first);
			return -EINVAL;
		}
		ns->n--;
		if (address(second, host, sizeof host, p, sizeof p) < 0) {
			snprintf(err, size, "line %d: '%s': not ADDRESS, ADDRESS:PORT or [IPv6]:PORT", lineno, second);
			return -EINVAL;
		}
		rc = add(ns, first, host, p);
		if (rc < 0) {
			snprintf(err, size, "line %d: %s", lineno, rc == -E2BIG ? "more than 100000 nodes in all" :
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int nodes_read_file(struct nodes *ns, const char *path, const char *port, char *err, size_t size)
{
	char *text, why[300];
	size_t len;
	int rc = file_read_alloc(path, NODES_FILE_MAX, &text, &len);

	if (rc < 0) {
		snprintf(err, size, "%s: %s", path, rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
		return rc;
	}
	rc = nodes_parse(ns, text, len, port, why, sizeof why);
	free(text);
	if (rc < 0)
		snprintf(err, size, "%s: %s", path, why);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

/*
 * nodes_unique: sorted by name, a node named twice kept once; -EINVAL
 * (ERR names it) for a name given two different addresses.
 */
int nodes_unique(struct nodes *ns, char *err, size_t size)
{
	size_t i, k = 0;

	if (ns->n == 0)
		return 0;
	qsort(ns->v, ns->n, sizeof *ns->v, by_name);
	for (i = 1; i < ns->n; i++) {
		if (strcmp(ns->v[i].name, ns->v[k].name) != 0) {
			ns->v[++k] = ns->v[i];
			continue;
		}
		if (strcmp(ns->v[i].host, ns->v[k].host) != 0 || strcmp(ns->v[i].port, ns->v[k].port) != 0) {
			snprintf(err, size, "%s: named twice, at %s port %s and at %s port %s", ns->v[k].name,
				 ns->v[k].host, ns->v[k].port, ns->v[i].host, ns->v[i].port);
			return -EINVAL;
		}
	}
	ns->n = k + 1;
	return 0;
}

/* nodes_locate: each node of NS that BOOK (sorted, unique) names, at BOOK's address. */
void nodes_locate(struct nodes *ns, const struct nodes *book)
{
	const struct node *at;
	size_t i;

	for (i = 0; i < ns->n && book->n > 0; i++) {
		at = bsearch(&ns->v[i], book->v, book->n, sizeof *book->v, by_name);
		if (at != NULL)
			ns->v[i] = *at;
	}
}

void nodes_free(struct nodes *ns)
{
	free(ns->v);
	memset(ns, 0, sizeof *ns);
}
