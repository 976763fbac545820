#!/bin/sh
# scripts/debpick.sh: a recipe's build for a Debian binary package: the
# named paths of the unpacked package ($SRC) into $OBJ/dest, as they are
# (links stay links).  A path the package lacks stops the build: a new pin
# that moved a file must be seen, not shipped without it.
#
# usage: debpick.sh PATH...     (env: SRC, OBJ, from scripts/recipe.sh)
. "$(dirname "$0")/lib.sh"
: "${SRC:?}" "${OBJ:?}"
[ $# -gt 0 ] || die "usage: debpick.sh PATH..."
for p in "$@"; do
	[ -e "$SRC/$p" ] || [ -L "$SRC/$p" ] || die "$SRC: the package has no $p"
	mkdir -p "$OBJ/dest/$(dirname "$p")"
	cp -a "$SRC/$p" "$OBJ/dest/$p"
done
