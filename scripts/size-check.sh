#!/bin/sh
# scripts/size-check.sh: the shape the house style sets for Cairn's C: no
# file over 700 lines, no function over 120 (from the `{` in column 0 to
# its `}`).  A generated table or a long linear list of checks may pass
# either limit with a comment saying why: `/* long: WHY */` among the
# file's first lines (for the file) or just above the function's name.
#
# usage: size-check.sh FILE.c...
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: size-check.sh FILE.c..."
awk -v maxfile=700 -v maxfn=120 '
	function file_end() {
		if (last != "" && lines > maxfile && !filelong) {
			printf "%s: %d lines (over %d)\n", last, lines, maxfile
			bad = 1
		}
	}
	FNR == 1 { file_end(); last = FILENAME; fname = ""; start = 0; filelong = 0; prev = ""; prev2 = "" }
	{ lines = FNR }
	FNR <= 12 && /\/\* long: / { filelong = 1 }
	/^\{/ { start = FNR; fname = prev; fnlong = (prev2 ~ /\/\* long: / || prev ~ /\/\* long: /) }
	/^\}/ && start {
		n = FNR - start
		if (n > maxfn && !fnlong) {
			printf "%s:%d: a function of %d lines (over %d): %s\n", FILENAME, start, n, maxfn, fname
			bad = 1
		}
		start = 0
	}
	!/^\{/ { prev2 = prev; prev = $0 }
	END { file_end(); exit bad }
' "$@" || die "split what is named above into files or functions that each do one job (STYLE.md)"
