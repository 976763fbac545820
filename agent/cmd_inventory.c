/* cmd_inventory.c: cairn-agent inventory: the node's CPUs, memory, disks, NICs and GPUs as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"
#include "cmd.h"
#include "gpu.h"
#include "health/inventory.h"
#include "nvsmi.h"

int cmd_inventory(int argc, char **argv)
{
	static const struct option opts[] = { OPT_ROOT, OPT_END };
	static struct inventory inv;
	static struct gpu_live live[GPU_MAX];
	int nlive = 0, c;
	const char *root = NULL;
	struct perr e;
	char err[512], *text;
	json_t *o;

	cli_getopt_start();
	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == 'r')
			root = optarg;
		else
			return usage_error("inventory [--root DIR]");
	}
	if (inventory_read(root, &inv, &e) < 0) {
		fprintf(stderr, "cairn-agent: inventory: %s\n", e.msg);
		return EXIT_DATA;
	}
	o = inventory_json(&inv);
	if (o != NULL && root == NULL && inv.nvidia_driver[0] != '\0' &&
	    nvsmi_read("nvidia-smi", live, GPU_MAX, &nlive, err, sizeof(err)) == 0)
		inventory_add_live(o, live, nlive);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (text == NULL) {
		fprintf(stderr, "cairn-agent: inventory: out of memory\n");
		return EXIT_SYSTEM;
	}
	puts(text);
	free(text);
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}
