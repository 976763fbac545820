/* cmd_config.c: cairn-agent config check|show [FILE] | config keys: a node
 * config checked, or shown as understood; every key node.conf(5) has. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

/* No option: FILE is whatever follows the subcommand, a leading "-" too. */
int cmd_config(int argc, char **argv)
{
	static struct nodeconf c;
	const char *path = argc == 3 ? argv[2] : DEFAULT_CONFIG;
	char err[512];
	int rc;

	if (argc == 2 && strcmp(argv[1], "keys") == 0)
		return nodeconf_keys_print(stdout) < 0 || fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	if (argc < 2 || argc > 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "show") != 0))
		return usage_error("config check|show [FILE] | config keys");
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
