/* cmds_verify_only.c: the image's pkg links this, not cmds_maker.c: making a repo refused. */
#include "cmd.h"

static int refuse(struct pkg_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	cmd_die(100, "%s: this pkg (a node's) only installs and verifies; make, index and sign "
		"packages with the build host's pkg", argv[0]);
}

/* Listed, so each is refused by name rather than as unknown; none in the usage. */
const struct pkg_cmd pkg_maker_cmds[] = {
	{ "build", refuse, PKG_SEC_MAKE, NULL },
	{ "index", refuse, PKG_SEC_MAKE, NULL },
	{ "bundle", refuse, PKG_SEC_MAKE, NULL },
	{ "release", refuse, PKG_SEC_MAKE, NULL },
	{ "root", refuse, PKG_SEC_MAKE, NULL },
	{ "sign", refuse, PKG_SEC_MAKE, NULL },
	{ "key new", refuse, PKG_SEC_MAKE, NULL },
	{ NULL, NULL, 0, NULL }
};
