#!/bin/sh
# scripts/kconfig-check.sh: fail when the final kernel config lacks any
# option a fragment sets (Kconfig dropped it: a missing dependency, or a
# symbol this kernel no longer has), when two fragments disagree, or, with
# -r, when it lacks a hardening item that no fragment says why it leaves.
#
# usage: kconfig-check.sh [-r ITEMS] CONFIG FRAGMENT...
#
# ITEMS (kernel-config/hardening-ARCH.items) lists, in a fragment's own
# form, what the final config must hold whatever the fragments say: so a
# fragment edit that drops a hardening line fails here, not silently.  An
# item is excused by a fragment line "# not taken: CONFIG_X, CONFIG_Y: why"
# (the names on that line), or "# absent in VERSION: X, Y" when this
# kernel indeed has no such symbol.
. "$(dirname "$0")/lib.sh"

items=
if [ "${1:-}" = -r ]; then
	[ $# -ge 2 ] || die "usage: kconfig-check.sh [-r ITEMS] CONFIG FRAGMENT..."
	items=$2
	shift 2
	[ -r "$items" ] || die "$items: cannot be read"
fi
[ $# -ge 2 ] || die "usage: kconfig-check.sh [-r ITEMS] CONFIG FRAGMENT..."
config=$1
shift
wanted=$(mktemp)
excused=$(mktemp)
trap 'rm -f "$wanted" "$excused"' EXIT

# settings FILE: NAME<TAB>VALUE<TAB>FILE's name, one a line ("n": not set).
settings() {
	sed -n -e "s/^CONFIG_\([A-Za-z0-9_]*\)=\(.*\)$/\1	\2	${1##*/}/p" \
		-e "s/^# CONFIG_\([A-Za-z0-9_]*\) is not set$/\1	n	${1##*/}/p" "$1"
}

for f in "$@"; do
	settings "$f"
done >"$wanted"

awk -F'\t' '{ if ($1 in v && v[$1] != $2) { printf "%s: CONFIG_%s is %s in %s but %s in %s\n", p, $1, v[$1], s[$1], $2, $3; bad = 1 }
	v[$1] = $2; s[$1] = $3 } END { exit bad }' p="$prog" "$wanted" || exit 1

awk -F'\t' 'NR == FNR { if ($0 ~ /^CONFIG_/) { i = index($0, "="); have[substr($0, 8, i - 8)] = substr($0, i + 1) }
		next }
	{ got = ($1 in have) ? have[$1] : "n"
	  if (got != $2) { printf "%s: CONFIG_%s=%s (from %s) is not in the final config (it has %s): Kconfig dropped it; fix the fragment\n", p, $1, $2, $3, got; bad = 1 } }
	END { exit bad }' p="$prog" "$config" "$wanted" || exit 1

[ -n "$items" ] || exit 0

# The excuses: NAME<TAB>"not-taken"|"absent"<TAB>FILE's name.
for f in "$@"; do
	awk -v f="${f##*/}" '
	/^# not taken[^:]*: / {
		s = $0
		while (match(s, /CONFIG_[A-Za-z0-9_]+/)) {
			print substr(s, RSTART + 7, RLENGTH - 7) "\tnot-taken\t" f
			s = substr(s, RSTART + RLENGTH)
		}
	}
	/^# absent in [^:]*: / {
		n = split(substr($0, index($0, ": ") + 2), w, /[^A-Za-z0-9_]+/)
		for (i = 1; i <= n; i++) {
			sub(/^CONFIG_/, "", w[i])
			if (w[i] ~ /^[A-Z][A-Z0-9_]*$/)
				print w[i] "\tabsent\t" f
		}
	}' "$f"
done >"$excused"

settings "$items" | awk -F'\t' '
	FILENAME == cfg { if ($0 ~ /^CONFIG_/) { i = index($0, "="); have[substr($0, 8, i - 8)] = substr($0, i + 1) }
			  else if ($0 ~ /^# CONFIG_.* is not set$/) { n = $0; sub(/^# CONFIG_/, "", n); sub(/ is not set$/, "", n); have[n] = "n" }
			  next }
	FILENAME == exc { why[$1 "\t" $2] = $3; next }
	{ got = ($1 in have) ? have[$1] : "n"
	  if (got == $2 || ($1 "\tnot-taken") in why)
		next
	  if (($1 "\tabsent") in why) {
		if (!($1 in have))
			next
		printf "%s: CONFIG_%s: %s says it is absent from this kernel, but the final config has it (%s): take it (%s) or say why not\n", p, $1, why[$1 "\tabsent"], got, $2
	  } else
		printf "%s: CONFIG_%s=%s (a hardening item of %s) is not in the final config (it has %s), and no fragment says why: set it, or add \"# not taken: CONFIG_%s: why\" to hardening.config\n", p, $1, $2, $3, got, $1
	  bad = 1 }
	END { exit bad }' p="$prog" cfg="$config" exc="$excused" "$config" "$excused" -
