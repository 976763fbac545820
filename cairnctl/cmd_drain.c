/*
 * cmd_drain.c: cairnctl drain --reason TEXT and resume: POST /v1/drain
 * and /v1/resume on every node (the operator's role).  A drained node's
 * health fails with the reason, so Slurm's health check drains it too;
 * resume ends that and acknowledges a rollback held.  One line a node;
 * exit 1 when any did not do it.
 */
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

#define ACK_MAX 4096

static int each(struct ctl *c, const char *path, const char *what)
{
	struct answer *a;
	size_t i, bad = 0;

	ctl_fleet(c, "POST", path, ACK_MAX, &a);
	for (i = 0; i < c->nodes.n; i++) {
		char why[300];

		if (a[i].status == 200) {
			printf("%-16s %s\n", c->nodes.v[i].name, what);
		} else {
			bad++;
			if (a[i].status == 0)
				snprintf(why, sizeof why, "%s", a[i].err);
			else
				snprintf(why, sizeof why, "answered %d: %.200s", a[i].status,
					 a[i].body != NULL ? a[i].body : "");
			why[strcspn(why, "\n")] = '\0';
			ctl_clean(why);
			printf("%-16s FAILED: %s\n", c->nodes.v[i].name, why);
		}
		answer_free(&a[i]);
	}
	free(a);
	if (bad > 0)
		fprintf(stderr, "cairnctl: %zu of %zu nodes did not do it\n", bad, c->nodes.n);
	return bad > 0 ? EXIT_SOME : 0;
}

int cmd_drain(struct ctl *c, int argc, char **argv)
{
	char path[300], reason[200];
	size_t n;

	(void)argv;
	if (argc != 1 || c->reason == NULL)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] drain --reason TEXT");
	n = strlen(c->reason);
	/* What the API takes (cairn-agent(8), API): said here, not at each node. */
	if (n == 0 || n > 127 ||
	    strspn(c->reason, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:- ") != n)
		ctl_die(EXIT_USAGE, "--reason: 1 to 127 letters, digits, spaces and . _ ~ : -");
	ctl_url_escape(c->reason, reason, sizeof reason);
	snprintf(path, sizeof path, "/v1/drain?reason=%s", reason);
	return each(c, path, "drained");
}

int cmd_resume(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] resume");
	return each(c, "/v1/resume", "resumed");
}
