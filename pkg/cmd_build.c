/* cmd_build.c: `pkg build -o OUT.pkg [--level N] SPEC DIR`: a package of DIR's tree (build.c). */
#include "build.h"
#include "cmd.h"

int cmd_build(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, 'l' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	const char *out = NULL;
	struct perr e = { "" };
	struct cmd_args a;
	int c, level = 19;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "o:", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'l')
			level = (int)cmd_number("--level", optarg);
	}
	if (a.n != 2)
		cmd_wrong_args(argv[0]);
	if (out == NULL)
		cmd_die(100, "build needs -o OUT.pkg");
	if (build_package(argv[1], argv[2], out, level, &e) < 0)
		cmd_fail(&e);
	return 0;
}
