/* cli.c: the agent programs' command dispatcher, usage errors and option reader. */
#include <getopt.h>
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

/* cli_start: what comes before a program's command: none (a usage
 * error), --help or --version; their exit code.  -1: argv[1] names a
 * command, for the program's table. */
int cli_start(const struct cli *self, int argc, char **argv)
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
	return -1;
}

/* cli_main: cli_start, then the named command of CMDS (ends with a NULL
 * name) with the arguments after the program's name. */
int cli_main(const struct cli *self, const struct cli_cmd *cmds, int argc, char **argv)
{
	int rc = cli_start(self, argc, argv);

	if (rc >= 0)
		return rc;
	for (; cmds->name != NULL; cmds++)
		if (strcmp(argv[1], cmds->name) == 0)
			return cmds->run(argc - 1, argv + 1);
	return usage_error("unknown command");
}

/* cli_getopt_start: before a command reads its options.  optind 0 starts
 * getopt afresh on glibc and on musl alike (glibc would take 1 to go on
 * where an earlier parse stopped), whatever was read before; opterr 0:
 * the command says what is wrong, getopt does not. */
void cli_getopt_start(void)
{
	optind = 0;
	opterr = 0;
}

/*
 * cli_getopt: a command's next option (argv[0] is the command), read
 * with getopt_long as these commands always took them: long options only,
 * each spelt out whole, its value the next argument ("--config FILE", never
 * "--conf FILE" nor "--config=FILE"), and nothing after them.  "+": in
 * argv's order, as musl does; glibc would move operands to the end.
 * Returns the option's val (optarg: its value), -1 once every argument
 * is read, or '?' for what is not an option of OPTS: unknown, abbreviated,
 * without its value, "--", an operand (the command's usage error).
 */
int cli_getopt(int argc, char **argv, const struct option *opts)
{
	int at = optind == 0 ? 1 : optind, i = -1, c;

	if (at >= argc)
		return -1;
	c = getopt_long(argc, argv, "+:", opts, &i);
	if (c == -1 || c == '?' || c == ':' || i < 0)
		return '?';
	if (strncmp(argv[at], "--", 2) != 0 || strcmp(argv[at] + 2, opts[i].name) != 0)
		return '?';
	return c;
}
