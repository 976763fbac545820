#!/bin/sh
# The layering the build enforces (README, "Layout"): each component
# compiles with lib's include path, its own, and gpu's where it uses GPU
# discovery, so a module that includes another component's header does
# not build; no include climbs out of its folder with "..".  And the shape
# the house style sets: no C file over 700 lines, no function over 120.
. "$(dirname "$0")/testlib"

# What each component may include, besides its own headers.
allowed() {
	case $1 in
	lib) echo lib ;;
	gpu) echo lib gpu ;;
	initd | pkg) echo lib "$1" ;;
	agent | cdi) echo lib gpu "$1" ;;
	cairnctl) echo lib cairnctl ;;
	esac
}
components="lib gpu initd pkg agent cdi cairnctl"

# A probe placed as a module of component $1 that includes header $2:
# compiled with the include path the Makefile gives that component's
# sources (`make inc`, the same function the object rules call).
probe() {
	printf '#include "%s"\nint probe_unused(void);\n' "$2" >"$tmp/probe.c"
	# shellcheck disable=SC2046
	cc -std=c11 -D_GNU_SOURCE -fsyntax-only $(make -s --no-print-directory inc SRC="$1/probe.c") \
		"$tmp/probe.c" >"$tmp/probe.out" 2>&1
}

n=0
for c in $components; do
	for d in $components; do
		h=$(cd "$d" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort | head -n 1)
		[ -n "$h" ] || fail "$d: no header"
		case " $(allowed "$c") " in
		*" $d "*)
			probe "$c" "$h" || { cat "$tmp/probe.out" >&2; fail "$c cannot include $d's $h"; } ;;
		*)
			! probe "$c" "$h" || fail "$c included $d's $h: the layering is not enforced"
			expect_line "$tmp/probe.out" "$h"
			grep -q "not found\|No such file" "$tmp/probe.out" || { cat "$tmp/probe.out" >&2;
				fail "$c including $d's $h failed for another reason"; }
			n=$((n + 1)) ;;
		esac
	done
done
[ "$n" -eq 34 ] || fail "$n refused pairs, not 34"

# No include reaches another folder by a relative path.
if grep -rn '#include "[^"]*\.\./' lib gpu initd pkg agent cdi cairnctl; then
	fail "an include climbs out of its folder"
fi

# The shape: every C source within the limits (scripts/size-check.sh).
scripts/size-check.sh $(find lib gpu initd pkg agent cdi cairnctl -name '*.c' | LC_ALL=C sort)
echo "layering: 34 cross-component includes refused, the shape within limits"
