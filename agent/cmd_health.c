/* cmd_health.c: cairn-agent health: the node's health checks, one line each; exit 1 when one fails. */
#include <stdio.h>

#include "api/api.h"
#include "cli.h"
#include "cmd.h"
#include "osstate.h"

int cmd_health(int argc, char **argv)
{
	static const struct option opts[] = {
		OPT_CONFIG, OPT_ROOT, OPT_KMSG, { "nvidia-smi", required_argument, NULL, 's' }, OPT_END,
	};
	static struct health h;
	const char *use = "health [--config FILE] [--root DIR] [--kmsg FILE] [--nvidia-smi PATH]";
	struct health_opts o = agent_health_defaults;
	const char *config = DEFAULT_CONFIG, *kmsg = NULL;
	char drain[4096], hold[4096];
	int i, c, explicit = 0;

	cli_getopt_start();
	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == 'c')
			config = optarg, explicit = 1;
		else if (c == 'r')
			o.root = optarg;
		else if (c == 'k')
			kmsg = optarg;
		else if (c == 's')
			o.nvidia_smi = optarg;
		else
			return usage_error(use);
	}
	if (o.root != NULL) {
		/* The drain and a rollback held, the fake node's too. */
		snprintf(drain, sizeof drain, "%s%s", o.root, API_DRAIN_FILE);
		snprintf(hold, sizeof hold, "%s%s", o.root, OS_HOLD_FILE);
		o.drain_file = drain;
		o.hold_file = hold;
	}
	if (agent_health(config, explicit, &o, kmsg, &h) < 0)
		return EXIT_DATA;
	for (i = 0; i < h.n; i++)
		printf("%-4s %s: %s\n", h.checks[i].ok > 0 ? "ok" : h.checks[i].ok == 0 ? "FAIL" : "skip",
		       h.checks[i].name, h.checks[i].detail);
	printf("%s\n", h.healthy ? "healthy" : "unhealthy");
	if (fflush(stdout) == EOF)
		return EXIT_SYSTEM;
	return h.healthy ? 0 : EXIT_DATA;
}
