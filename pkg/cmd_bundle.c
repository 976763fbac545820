/* cmd_bundle.c: `pkg bundle -o FILE DIR`: the repository DIR as one file (pkg-repo(5)). */
#include "bundle.h"
#include "cmd.h"

int cmd_bundle(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = { CMD_COMMON_OPTS, CMD_OPTS_END };
	const char *out = NULL;
	struct perr e = { "" };
	struct cmd_args a;
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "o:", opts)) != -1)
		if (c == 'o')
			out = optarg;
	if (a.n != 1)
		cmd_wrong_args(argv[0]);
	if (out == NULL)
		cmd_die(100, "bundle needs -o FILE");
	if (bundle_write(argv[1], out, &e) < 0)
		cmd_fail(&e);
	return 0;
}
