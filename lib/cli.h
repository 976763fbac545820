/* cli.h: what the agent's programs share on their command line: exit
 * codes, the usage message, one dispatcher for `PROG COMMAND ARGS`, and
 * their commands' options read the one way. */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#define EXIT_DATA 1
#define EXIT_USAGE 100
#define EXIT_SYSTEM 111

struct option;

struct cli {
	const char *prog;	/* cairn-cdi */
	const char *usage;	/* the whole usage text */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command */
};

extern const struct cli *cli_self;

int usage_error(const char *msg);
int cli_start(const struct cli *self, int argc, char **argv);
int cli_main(const struct cli *self, const struct cli_cmd *cmds, int argc, char **argv);
void cli_getopt_start(void);
int cli_getopt(int argc, char **argv, const struct option *opts);

#endif
