#!/bin/sh
# scripts/kconfig-check.sh: fail when the final kernel config lacks any
# option a fragment sets (Kconfig dropped it: a missing dependency, or a
# symbol this kernel no longer has), or when two fragments disagree.
#
# usage: kconfig-check.sh CONFIG FRAGMENT...
. "$(dirname "$0")/lib.sh"

config=$1
shift
wanted=$(mktemp)
trap 'rm -f "$wanted"' EXIT
for f in "$@"; do
	sed -n -e "s/^CONFIG_\([A-Za-z0-9_]*\)=\(.*\)$/\1	\2	${f##*/}/p" \
		-e "s/^# CONFIG_\([A-Za-z0-9_]*\) is not set$/\1	n	${f##*/}/p" "$f"
done >"$wanted"

awk -F'\t' '{ if ($1 in v && v[$1] != $2) { printf "%s: CONFIG_%s is %s in %s but %s in %s\n", p, $1, v[$1], s[$1], $2, $3; bad = 1 }
	v[$1] = $2; s[$1] = $3 } END { exit bad }' p="$prog" "$wanted" || exit 1

awk -F'\t' 'NR == FNR { if ($0 ~ /^CONFIG_/) { i = index($0, "="); have[substr($0, 8, i - 8)] = substr($0, i + 1) }
		next }
	{ got = ($1 in have) ? have[$1] : "n"
	  if (got != $2) { printf "%s: CONFIG_%s=%s (from %s) is not in the final config (it has %s): Kconfig dropped it; fix the fragment\n", p, $1, $2, $3, got; bad = 1 } }
	END { exit bad }' p="$prog" "$config" "$wanted"
