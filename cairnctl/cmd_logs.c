/*
 * cmd_logs.c: cairnctl logs NODE SERVICE and support-bundle NODE: one
 * node's service log (GET /v1/logs) to stdout, or its support bundle
 * (GET /v1/support-bundle) to a file, written whole or not at all.  NODE
 * is found in the nodes given (its address), or reached by its name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairnctl.h"
#include "fileio.h"

#define LOG_MAX (64 << 20)
#define BUNDLE_MAX (512 << 20)

/* NAME's entry, or one made for it at NAME:7443 (or --port). */
static const struct node *find(struct ctl *c, const char *name)
{
	const struct node *n = ctl_node(c, name);
	char err[300];

	if (n != NULL)
		return n;
	if (strpbrk(name, "[],") != NULL || nodes_add_list(&c->nodes, name, c->port, err, sizeof err) < 0)
		ctl_die(EXIT_USAGE, "%s: not one node's name", name);
	return &c->nodes.v[c->nodes.n - 1];
}

static int fetch(struct ctl *c, const struct node *n, const char *path, size_t max, struct answer *a)
{
	struct request q = { "GET", path, max, c->timeout_ms };
	char why[300];

	request_one(c->tls, n, &q, a);
	if (a->status == 200)
		return 0;
	if (a->status == 0)
		snprintf(why, sizeof why, "%s", a->err);
	else
		snprintf(why, sizeof why, "answered %d: %.200s", a->status, a->body != NULL ? a->body : "");
	why[strcspn(why, "\n")] = '\0';
	ctl_clean(why);
	fprintf(stderr, "cairnctl: %s: %s\n", n->name, why);
	answer_free(a);
	return -1;
}

int cmd_logs(struct ctl *c, int argc, char **argv)
{
	char path[200];
	struct answer a;
	size_t n;
	int rc;

	if (argc != 3)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] logs NODE SERVICE");
	n = strlen(argv[2]);
	if (n == 0 || n > 63 || strspn(argv[2], "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		ctl_die(EXIT_USAGE, "%s: not a service's name", argv[2]);
	snprintf(path, sizeof path, "/v1/logs?service=%s", argv[2]);
	if (fetch(c, find(c, argv[1]), path, LOG_MAX, &a) < 0)
		return EXIT_SOME;
	/* To a terminal, what a terminal would obey is shown instead; to a file, as it is. */
	if (isatty(1))
		ctl_clean_text(a.body, a.len);
	rc = file_write_all(1, a.body, a.len);
	answer_free(&a);
	if (rc < 0)
		ctl_die(EXIT_SYSTEM, "stdout: %s", strerror(-rc));
	return 0;
}

int cmd_support_bundle(struct ctl *c, int argc, char **argv)
{
	char file[300];
	struct answer a;
	int rc;

	if (argc != 2)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] support-bundle NODE [-o FILE]");
	if (c->out != NULL)
		snprintf(file, sizeof file, "%s", c->out);
	else
		snprintf(file, sizeof file, "support-%s.tar.gz", argv[1]);
	if (fetch(c, find(c, argv[1]), "/v1/support-bundle", BUNDLE_MAX, &a) < 0)
		return EXIT_SOME;
	/* Renamed into place once whole: no half bundle under its name. */
	rc = file_write_atomic(file, a.body, a.len, 0600);
	if (rc < 0)
		ctl_die(EXIT_SYSTEM, "%s: %s", file, strerror(-rc));
	fprintf(stderr, "cairnctl: %s: %zu bytes into %s\n", argv[1], a.len, file);
	answer_free(&a);
	return 0;
}
