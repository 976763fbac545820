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

int cmd_health(struct ctl *c, int argc, char **argv)
{
	struct answer *a;
	json_t *all = json_object(), *h;
	size_t i, bad = 0;

	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] health");
	ctl_fleet(c, "GET", "/v1/health", HEALTH_ANSWER_MAX, &a);
	for (i = 0; i < c->nodes.n; i++) {
		const char *node = c->nodes.v[i].name;
		char why[300];

		h = ctl_json(&a[i], why, sizeof why);
		if (h == NULL) {
			bad++;
			if (c->json)
				json_object_set_new(all, node, json_pack("{s:s}", "error", why));
			else
				printf("%-16s no answer: %s\n", node, why);
		} else {
			int ok = json_is_true(json_object_get(h, "healthy"));

			bad += !ok;
			if (c->json)
				json_object_set(all, node, h);
			else if (ok)
				printf("%-16s healthy\n", node);
			else
				failed_checks(node, h);
		}
		json_decref(h);
		answer_free(&a[i]);
	}
	free(a);
	if (c->json) {
		char *text = json_dumps(all, JSON_INDENT(2) | JSON_SORT_KEYS);

		if (text == NULL)
			ctl_die(EXIT_SYSTEM, "out of memory");
		puts(text);
		free(text);
	}
	json_decref(all);
	if (bad > 0)
		fprintf(stderr, "cairnctl: %zu of %zu nodes unhealthy or not answering\n", bad, c->nodes.n);
	return bad > 0 ? EXIT_SOME : 0;
}
