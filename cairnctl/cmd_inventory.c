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

static int one(const struct node *n, json_t *inv, const char *why, json_t *all)
{
	if (all != NULL)
		json_object_set_new(all, n->name, inv != NULL ? json_incref(inv) : json_pack("{s:s}", "error", why));
	else if (inv == NULL)
		printf("%-16s no answer: %s\n", n->name, why);
	else
		summary(n->name, inv);
	return inv == NULL;
}

int cmd_inventory(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		ctl_die(EXIT_USAGE, "usage: cairnctl [OPTIONS] inventory");
	return ctl_fleet_each(c, "/v1/inventory", INVENTORY_MAX, one, json_object()) > 0 ? EXIT_SOME : 0;
}
