/* cmd_setup.c: cairn-agent setup, the boot's first step: the clock, and the node config written. */
#include <stdio.h>

#include "cli.h"
#include "cmd.h"
#include "text.h"

int cmd_setup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cmdline", required_argument, NULL, 'l' }, OPT_ROOT,
		{ "out", required_argument, NULL, 'o' }, { "medium", required_argument, NULL, 'm' }, OPT_WAIT,
		{ "no-system", no_argument, NULL, 's' }, OPT_END,
	};
	struct setup_opts o = {
		.cmdline = "/proc/cmdline", .root = "", .out = SETUP_OUT, .find_medium = 1,
		.set_clock = 1, .set_hostname = 1, .wait_s = 120,
	};
	const char *use = "setup [--cmdline FILE] [--root DIR] [--out DIR] [--medium DIR] [--wait S] "
			  "[--no-system]";
	unsigned long long wait;
	struct perr e;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == 's')
			o.find_medium = o.set_clock = o.set_hostname = 0;
		else if (c == 'l')
			o.cmdline = optarg;
		else if (c == 'r')
			o.root = optarg;
		else if (c == 'o')
			o.out = optarg;
		else if (c == 'm')
			o.medium_dir = optarg;
		else if (c == 'w' && text_uint(optarg, 3600, &wait) == 0)
			o.wait_s = (int)wait;
		else
			return usage_error(use);
	}
	if (setup_run(&o, stdout, &e) < 0) {
		fflush(stdout);
		fprintf(stderr, "cairn-agent: setup: %s\n", e.msg);
		return EXIT_DATA;
	}
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}
