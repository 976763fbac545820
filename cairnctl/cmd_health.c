/*
 * cmd_health.c: cairnctl health: each node's health (GET /v1/health):
 * "NODE healthy", or a line for each failed check; a node that does not
 * answer is a line saying why.  --json: {NODE: health, ...}.  Exit 1
 * when any node is unhealthy or did not answer.
 */
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

#define HEALTH_ANSWER_MAX (256 << 10)

static void failed_checks(const char *node, json_t *h)
{
	json_t *check;
	size_t i, shown = 0;

	json_array_foreach(json_object_get(h, "checks"), i, check) {
		const char *st = json_string_value(json_object_get(check, "status"));
		const char *name = json_string_value(json_object_get(check, "name"));
		const char *detail = json_string_value(json_object_get(check, "detail"));
		char text[400];

		if (st == NULL || strcmp(st, "fail") != 0)
			continue;
		snprintf(text, sizeof text, "%s: %s", name != NULL ? name : "?", detail != NULL ? detail : "");
		ctl_clean(text);
		printf("%-16s FAIL %s\n", node, text);
		shown++;
	}
	if (shown == 0)
		printf("%-16s unhealthy (no failed check named)\n", node);
}

static int one(const struct node *n, json_t *h, const char *why, json_t *all)
{
	int ok = h != NULL && json_is_true(json_object_get(h, "healthy"));

	if (all != NULL)
		json_object_set_new(all, n->name, h != NULL ? json_incref(h) : json_pack("{s:s}", "error", why));
	else if (h == NULL)
		printf("%-16s no answer: %s\n", n->name, why);
	else if (ok)
		printf("%-16s healthy\n", n->name);
	else
		failed_checks(n->name, h);
	return !ok;
}

int cmd_health(struct ctl *c, int argc, char **argv)
{
	size_t bad;

	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] health");
	bad = ctl_fleet_each(c, "/v1/health", HEALTH_ANSWER_MAX, one, json_object());
	if (bad > 0)
		fprintf(stderr, "cairnctl: %zu of %zu nodes unhealthy or not answering\n", bad, c->nodes.n);
	return bad > 0 ? EXIT_SOME : 0;
}
