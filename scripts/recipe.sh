#!/bin/sh
# scripts/recipe.sh: build one component from its recipe in pkg/recipes/.
#
# usage: recipe.sh NAME
# env:   B (build dir), JOBS, OBJ (work dir; default $B/NAME, a board's
#        kernel sets its own), and what the recipe's build reads
#
# The recipe's pinned source is unpacked once under $B/src/NAME (pristine,
# shared by every board), the build runs with SRC, OBJ=$B/NAME and
# RECIPE=pkg/recipes/NAME, in a fresh $OBJ; $OBJ/.built marks success: a
# failed or interrupted build leaves no mark, so make runs it again.
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: recipe.sh NAME"
name=$1
top=$(cd "$(dirname "$0")/.." && pwd)
RECIPE=$top/pkg/recipes/$name
[ -f "$RECIPE/recipe" ] || die "no recipe $RECIPE/recipe"
: "${B:?B (build directory) not set}"
source=
. "$RECIPE/recipe"

SRC=$B/src/${source:-$name}
[ -d "$SRC" ] || "$top/scripts/unpack.sh" -l "$top/sources.lock" "${source:-$name}" "$SRC"
OBJ=${OBJ:-$B/$name}
# Every build starts clean: an incremental one would keep objects made
# under other settings (a time zone, a flag), and the same recipe and
# inputs must give the same bytes.  ccache keeps rebuilds fast.
rm -rf "$OBJ"
mkdir -p "$OBJ"
say BUILD "$name"
export SRC OBJ RECIPE JOBS B
"$RECIPE/build"
touch "$OBJ/.built"
