#!/bin/sh
# Every line of sources.lock is one the tools understand: an epoch, host
# tool versions, and src (and check) entries with a sha256 and at least one
# source.
. "$(dirname "$0")/testlib"

sed -e 's/#.*//' -e '/^[[:space:]]*$/d' sources.lock | awk '
	$1 == "epoch" { if ($2 !~ /^[0-9]+$/) bad("epoch is not a number"); e++; next }
	$1 == "host" { if (NF != 3) bad("host needs PACKAGE VERSION"); next }
	$1 == "src" || $1 == "check" {
		if (NF < 6) bad("src needs NAME VERSION FILE SHA256 WHERE...")
		if ($5 !~ /^[0-9a-f]+$/ || length($5) != 64) bad("bad sha256 " $5)
		if ($2 in seen) bad("duplicate name " $2); seen[$2] = 1
		for (i = 6; i <= NF; i++) if ($i !~ /^(https?:\/\/|file:\/\/|debian:|debian-src:)/) bad("bad source " $i)
		next }
	{ bad("unknown line kind " $1) }
	function bad(m) { print "sources.lock:" NR ": " m; err = 1 }
	END { if (e != 1) { print "sources.lock: exactly one epoch line"; err = 1 } exit err }'
for n in musl busybox linux; do
	grep -q "^src $n " sources.lock || fail "sources.lock pins no $n"
done
