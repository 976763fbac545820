/* cmd_data.c: cairn-agent data init: the data partition grown to its disk's end, its ext4 made. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "os/datapart.h"
#include "perr.h"

/* What initd runs when the data partition has no file system.  DEV comes
 * first, as ever: the options follow it. */
int cmd_data(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' }, { "sys", required_argument, NULL, 's' }, OPT_END,
	};
	static const char use[] = "data init DEV [--label L] [--sys DIR]";
	const char *label = "cairn-data", *sys = "/sys";
	struct perr e = { "" };
	int opt, rc;

	if (argc < 3 || strcmp(argv[1], "init") != 0)
		return usage_error(use);
	cli_getopt_start();
	while ((opt = cli_getopt(argc - 2, argv + 2, opts)) != -1) {
		if (opt == 'l')
			label = optarg;
		else if (opt == 's')
			sys = optarg;
		else
			return usage_error(use);
	}
	if (label[0] == '\0' || strlen(label) > 16)
		return usage_error("data: --label: 1 to 16 characters (ext4's limit)");
	rc = data_init(sys, argv[2], label, &e);
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: data: %s\n", e.msg);
		return rc == -EEXIST || rc == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}
