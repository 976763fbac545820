/* agent_main.c: cairn-agent, the node agent (doc/cairn-agent.md). */
#include <stdio.h>
#include <string.h>

#include "nodeconf.h"

#define EXIT_DATA 1
#define EXIT_USAGE 100
#define EXIT_SYSTEM 111
#define DEFAULT_CONFIG "/etc/cairn/node.conf"

static const char usage[] =
	"usage: cairn-agent COMMAND [ARGS]\n"
	"\n"
	"  config check [FILE]   check a node config (default " DEFAULT_CONFIG ")\n"
	"  config show [FILE]    the config as understood, secrets not shown\n"
	"  --help, --version\n"
	"\n"
	"Exit: 0 done, 1 bad config, 100 usage, 111 system error.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "cairn-agent: %s\n%s", msg, usage);
	return EXIT_USAGE;
}

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

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cairn-agent %s\n", CAIRN_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	return usage_error("unknown command");
}
