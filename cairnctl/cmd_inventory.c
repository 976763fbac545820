/*
 * cmd_inventory.c: cairnctl inventory: each node's inventory (GET
 * /v1/inventory): one line a node (CPU, threads, memory, GPUs, NICs),
 * or --json, {NODE: inventory, ...} whole.  Exit 1 when any node did not
 * answer.
 */
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

#define INVENTORY_MAX (4 << 20)

static void summary(const char *node, json_t *inv)
{
	json_t *cpu = json_object_get(inv, "cpu"), *gpu0 = json_array_get(json_object_get(inv, "gpus"), 0);
	char model[120], gmodel[80] = "";

	snprintf(model, sizeof model, "%s", json_string_value(json_object_get(cpu, "model")) ?
		 json_string_value(json_object_get(cpu, "model")) : "?");
	if (json_string_value(json_object_get(gpu0, "model")) != NULL)
		snprintf(gmodel, sizeof gmodel, " %s", json_string_value(json_object_get(gpu0, "model")));
	ctl_clean(model);
	ctl_clean(gmodel);
	printf("%-16s %s, %lld threads, %lld MiB, %zu GPU%s%s, %zu NIC%s\n", node, model,
	       (long long)json_integer_value(json_object_get(cpu, "threads")),
	       (long long)json_integer_value(json_object_get(inv, "memory_kb")) / 1024,
	       json_array_size(json_object_get(inv, "gpus")), json_array_size(json_object_get(inv, "gpus")) == 1 ?
	       "" : "s", gmodel, json_array_size(json_object_get(inv, "nics")),
	       json_array_size(json_object_get(inv, "nics")) == 1 ? "" : "s");
}

int cmd_inventory(struct ctl *c, int argc, char **argv)
{
	struct answer *a;
	json_t *all = json_object(), *inv;
	size_t i, bad = 0;

	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] inventory");
	ctl_fleet(c, "GET", "/v1/inventory", INVENTORY_MAX, &a);
	for (i = 0; i < c->nodes.n; i++) {
		const char *node = c->nodes.v[i].name;
		char why[300];

		inv = ctl_json(&a[i], why, sizeof why);
		if (inv == NULL) {
			bad++;
			if (c->json)
				json_object_set_new(all, node, json_pack("{s:s}", "error", why));
			else
				printf("%-16s no answer: %s\n", node, why);
		} else if (c->json) {
			json_object_set(all, node, inv);
		} else {
			summary(node, inv);
		}
		json_decref(inv);
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
	return bad > 0 ? EXIT_SOME : 0;
}
