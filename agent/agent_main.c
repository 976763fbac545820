/* agent_main.c: cairn-agent, the node agent (doc/cairn-agent.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "health.h"
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
	"  health [--config FILE] [--root DIR] [--kmsg FILE]\n"
	"                        the node's health checks; exit 1 when one fails\n"
	"  --help, --version\n"
	"\n"
	"Exit: 0 done, 1 bad config or unhealthy, 100 usage, 111 system error.\n";

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

static int cmd_health(int argc, char **argv)
{
	static const char *const disks[] = { "/", "/var", NULL };
	static struct nodeconf conf;
	static struct health h;
	struct health_opts o = {
		.disks = disks, .min_free_pct = 10,
		.containerd_sock = "/run/containerd/containerd.sock", .time_synced = -1,
	};
	const char *config = DEFAULT_CONFIG, *kmsg = NULL;
	char err[512], *text = NULL;
	size_t len = 0;
	int i, explicit = 0;

	for (i = 1; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error("health [--config FILE] [--root DIR] [--kmsg FILE]");
		if (strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (strcmp(argv[i], "--root") == 0)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--kmsg") == 0)
			kmsg = argv[++i];
		else
			return usage_error("health [--config FILE] [--root DIR] [--kmsg FILE]");
	}
	/* No config at the default path: the checks that need none still run. */
	if (nodeconf_load(&conf, config, err, sizeof(err)) == 0)
		o.conf = &conf;
	else if (explicit || access(config, F_OK) == 0) {
		fprintf(stderr, "cairn-agent: health: %s\n", err);
		return EXIT_DATA;
	}
	if (kmsg != NULL) {
		int rc = file_read_alloc(kmsg, 64 << 20, &text, &len);

		if (rc < 0) {
			fprintf(stderr, "cairn-agent: health: %s: %s\n", kmsg, strerror(-rc));
			return EXIT_DATA;
		}
		o.kmsg = text;
		o.kmsg_len = len;
	}
	health_run(&o, &h);
	free(text);
	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < h.n; i++)
		printf("%-4s %s: %s\n", h.checks[i].ok > 0 ? "ok" : h.checks[i].ok == 0 ? "FAIL" : "skip",
		       h.checks[i].name, h.checks[i].detail);
	printf("%s\n", h.healthy ? "healthy" : "unhealthy");
	if (fflush(stdout) == EOF)
		return EXIT_SYSTEM;
	return h.healthy ? 0 : EXIT_DATA;
}

int main(int argc, char **argv)
{
	static const struct cli self = { "cairn-agent", usage };
	static const struct cli_cmd cmds[] = {
		{ "config", cmd_config }, { "inventory", cmd_inventory }, { "health", cmd_health },
		{ NULL, NULL },
	};

	return cli_main(&self, cmds, argc, argv);
}
