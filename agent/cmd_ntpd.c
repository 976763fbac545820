/* cmd_ntpd.c: cairn-agent ntpd: BusyBox ntpd on the node config's [time] servers, in this process's place. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"

int cmd_ntpd(int argc, char **argv)
{
	static const struct option opts[] = { OPT_CONFIG, OPT_END };
	static struct nodeconf c;
	const char *config = DEFAULT_CONFIG;
	char *args[3 + 2 * NC_LIST_MAX + 1];
	int i, n = 0, explicit = 0;

	cli_getopt_start();
	while ((i = cli_getopt(argc, argv, opts)) != -1) {
		if (i == 'c')
			config = optarg, explicit = 1;
		else
			return usage_error("ntpd [--config FILE]");
	}
	if (agent_conf_or_defaults(&c, config, explicit) < 0)
		return EXIT_DATA;
	if (c.nntp == 0) {
		printf("ntpd: no [time] server in the config: the clock is left as it is\n");
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	args[n++] = (char *)"ntpd";
	args[n++] = (char *)"-n";	/* in the foreground, for initd */
	for (i = 0; i < c.nntp; i++) {
		args[n++] = (char *)"-p";
		args[n++] = c.ntp[i];
	}
	args[n] = NULL;
	fflush(stdout);
	execvp("ntpd", args);
	fprintf(stderr, "cairn-agent: ntpd: %s\n", strerror(errno));
	return EXIT_SYSTEM;
}
