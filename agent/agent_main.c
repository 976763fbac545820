/* agent_main.c: cairn-agent, the node agent (doc/cairn-agent.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inventory.h"
#include "nodeconf.h"

#include <jansson.h>

#define DEFAULT_CONFIG "/etc/cairn/node.conf"

static const char usage[] =
	"usage: cairn-agent COMMAND [ARGS]\n"
	"\n"
	"  config check [FILE]   check a node config (default " DEFAULT_CONFIG ")\n"
	"  config show [FILE]    the config as understood, secrets not shown\n"
	"  inventory [--root DIR]\n"
	"                        CPUs, memory, disks, NICs and GPUs, as JSON\n"
	"  --help, --version\n"
	"\n"
	"Exit: 0 done, 1 bad config, 100 usage, 111 system error.\n";

static int cmd_config(int argc, char **argv)
{
	static struct nodeconf c;
	const char *path = argc == 3 ? argv[2] : DEFAULT_CONFIG;
	char err[512];
	int rc;

	if (argc < 2 || argc > 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "show") != 0))
		return usage_error("config check|show [FILE]");
	if (nodeconf_load(&c, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: %s\n", err);
		return EXIT_DATA;
	}
	if (strcmp(argv[1], "check") == 0) {
		printf("%s: ok (profile %s, %d interface%s)\n", path, nodeconf_profile_name(c.profile),
		       c.nnet, c.nnet == 1 ? "" : "s");
		rc = 0;
	} else {
		rc = nodeconf_show(&c, stdout);
	}
	memset(&c, 0, sizeof(c));
	return rc < 0 || fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

static int cmd_inventory(int argc, char **argv)
{
	static struct inventory inv;
	const char *root = NULL;
	char err[512], *text;
	json_t *o;

	if (argc == 3 && strcmp(argv[1], "--root") == 0)
		root = argv[2];
	else if (argc != 1)
		return usage_error("inventory [--root DIR]");
	if (inventory_read(root, &inv, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: inventory: %s\n", err);
		return EXIT_DATA;
	}
	o = inventory_json(&inv);
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

int main(int argc, char **argv)
{
	static const struct cli self = { "cairn-agent", usage };
	static const struct cli_cmd cmds[] = {
		{ "config", cmd_config }, { "inventory", cmd_inventory }, { NULL, NULL },
	};

	return cli_main(&self, cmds, argc, argv);
}
