/* cmds_maker.c: the commands that make a repository, linked into the build host's pkg only. */
#include "cmd.h"

const struct pkg_cmd pkg_maker_cmds[] = {
	{ "build", cmd_build, PKG_SEC_MAKE,
	  "  build -o OUT.pkg [--level N] SPEC DIR   a package of DIR's tree\n" },
	{ "index", cmd_index, PKG_SEC_MAKE,
	  "  index DIR                    DIR/index of every DIR/*.pkg\n" },
	{ "bundle", cmd_bundle, PKG_SEC_MAKE,
	  "  bundle -o FILE DIR           the repository DIR as one file (--repo FILE reads it)\n" },
	{ "release", cmd_release, PKG_SEC_MAKE,
	  "  release --version N --expires WHEN DIR  DIR/release naming DIR/index\n" },
	{ "root", cmd_root, PKG_SEC_MAKE,
	  "  root --version N --expires WHEN --threshold K -o FILE PUB...\n"
	  "                               a root document listing the keys in PUB files\n" },
	{ "sign", cmd_sign, PKG_SEC_MAKE,
	  "  sign --key REF FILE          add REF's signature to a root or release\n" },
	{ "key new", cmd_key_new, PKG_SEC_MAKE,
	  "  key new [--alg ed25519|ecdsa-p256] DIR NAME   DIR/NAME.key and DIR/NAME.pub\n" },
	{ NULL, NULL, 0, NULL }
};
