#!/bin/sh
# scripts/manifest.sh: write OUT/SHA256SUMS over the artifacts and
# OUT/manifest with what they were built from: the lock's pins, the epoch,
# and the host tool versions (which the lock also records; a build on
# other versions says so here and on the terminal).
#
# usage: manifest.sh OUT ARTIFACT...
. "$(dirname "$0")/lib.sh"

out=$1
shift
lock=$(dirname "$0")/../sources.lock

{
	echo "# Cairn build manifest"
	echo "epoch $(lock_epoch "$lock")"
	lock_lines src "$lock" | awk '{ print "source", $2, $3, $4, $5 }'
	lock_lines host "$lock" | while read -r _ pkg want; do
		have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo none)
		echo "host $pkg $have"
		[ "$have" = "$want" ] || printf '%s: warning: host %s is %s, sources.lock was pinned with %s: artifacts may differ from other builds\n' \
			"$prog" "$pkg" "$have" "$want" >&2
	done
} >"$out/manifest.tmp"
mv "$out/manifest.tmp" "$out/manifest"
(cd "$out" && sha256sum "$@" manifest) >"$out/SHA256SUMS.tmp"
mv "$out/SHA256SUMS.tmp" "$out/SHA256SUMS"
