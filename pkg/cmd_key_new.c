/* cmd_key_new.c: `pkg key new [--alg ALG] DIR NAME`: DIR/NAME.key and DIR/NAME.pub. */
#include <stdio.h>

#include "cmd.h"
#include "key.h"

/* Run by `pkg key` (cmd_key.c): argv[1] is "new". */
int cmd_key_new(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alg", required_argument, NULL, 'a' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	const char *alg = "ed25519";
	struct perr e = { "" };
	struct cmd_args a;
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1)
		if (c == 'a')
			alg = optarg;
	if (a.n != 3)
		cmd_die(100, "usage: pkg key new [--alg ed25519|ecdsa-p256] DIR NAME");
	if (key_generate(alg, argv[2], argv[3], &e) < 0)
		cmd_fail(&e);
	fprintf(stderr, "pkg: %s/%s.key and %s/%s.pub made (%s)\n", argv[2], argv[3], argv[2], argv[3], alg);
	return 0;
}
