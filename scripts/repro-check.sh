#!/bin/sh
# scripts/repro-check.sh: build the board twice and compare every artifact
# byte for byte.  The second build differs in all that must not matter: its
# output directory (name and depth), the time it runs, umask, TZ and locale,
# and ccache is off.  Keys are the same (they are inputs).
#
# usage: repro-check.sh BOARD   (env: O, the parent of both builds)
. "$(dirname "$0")/lib.sh"

board=${1:?usage: repro-check.sh BOARD}
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "$top" && mkdir -p "${O:-out}" && cd "${O:-out}" && pwd)/repro
one=$base/one
two=$base/second/build-two

rm -rf "$base"
say REPRO "build 1: $one"
(cd "$top" && umask 022 && TZ=UTC LC_ALL=C make --no-print-directory BOARD="$board" O="$one" image) ||
	die "build 1 failed"
sleep 2
say REPRO "build 2: $two (umask 077, TZ=Asia/Kolkata, ccache off)"
(cd "$top" && umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 CCACHE_DISABLE=1 \
	make --no-print-directory BOARD="$board" O="$two" CCACHE= image) ||
	die "build 2 failed"

bad=0
# Every file, the signed repository's included; the same set on both sides.
(cd "$one/$board" && find . -type f | LC_ALL=C sort) >"$base/files-one"
(cd "$two/$board" && find . -type f | LC_ALL=C sort) >"$base/files-two"
cmp -s "$base/files-one" "$base/files-two" || {
	diff "$base/files-one" "$base/files-two" || true
	die "the two builds made different sets of files"
}
for f in $(cat "$base/files-one"); do
	f=${f#./}
	if cmp -s "$one/$board/$f" "$two/$board/$f"; then
		say SAME "$f"
	else
		say DIFFER "$f"
		bad=1
		if command -v diffoscope >/dev/null; then
			diffoscope "$one/$board/$f" "$two/$board/$f" | head -n 200 || true
		fi
	fi
done
[ "$bad" = 0 ] || die "artifacts differ between the two builds (install diffoscope for a report)"
echo "  repro-check: $board: every artifact identical"
