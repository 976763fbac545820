/* cli.c: the agent programs' command dispatcher and usage errors. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cli *cli_self;

/* usage_error: MSG and the usage on stderr; the usage exit code. */
int usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\n%s", cli_self->prog, msg, cli_self->usage);
	return EXIT_USAGE;
}

/* cli_main: --help, --version, or the named command of CMDS (ends with a
 * NULL name) with the arguments after the program's name. */
int cli_main(const struct cli *self, const struct cli_cmd *cmds, int argc, char **argv)
{
	cli_self = self;
	if (argc < 2)
		return usage_error("no command");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(self->usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", self->prog, CAIRN_VERSION);
		return 0;
	}
	for (; cmds->name != NULL; cmds++)
		if (strcmp(argv[1], cmds->name) == 0)
			return cmds->run(argc - 1, argv + 1);
	return usage_error("unknown command");
}
