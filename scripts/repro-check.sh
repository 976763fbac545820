#!/bin/sh
# scripts/repro-check.sh: build the board twice and compare every artifact
# byte for byte, the bundle and the installer included.  Both are fresh
# clones of HEAD (so work in progress in the checkout cannot reach either):
# the first built with ccache as usual, the second at another path
# (another name and depth) with ccache off, under umask 077, another time
# zone and locale, at another time.  Keys and the download cache are the
# same (they are inputs).  What differs is shown by diffoscope where it is
# installed.
#
# usage: repro-check.sh BOARD   (env: O, the parent of both builds)
. "$(dirname "$0")/lib.sh"

board=${1:?usage: repro-check.sh BOARD}
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "$top" && mkdir -p "${O:-out}" && cd "${O:-out}" && pwd)/repro
clone1=$base/one
one=$clone1/out
clone=$base/second/clone-two
two=$clone/out
targets="image $([ "$board" != "${board%x86_64}" ] && echo bundle)"

# Both builds are of the commit HEAD names now (a commit made while the
# first builds does not reach the second): say so when the checkout holds more.
rev=$(cd "$top" && git rev-parse HEAD) || die "not a git checkout: the builds are clones of HEAD"
[ -z "$(cd "$top" && git status --porcelain --untracked-files=no)" ] ||
	say NOTE "the checkout has uncommitted changes: both builds are of HEAD, $(cd "$top" && git rev-parse --short HEAD)"
rm -rf "$base"
mkdir -p "$base/second"
started=$(date +%s)
# Each clone's ccache base is its own top (the Makefile's default).
unset CCACHE_BASEDIR
say REPRO "build 1: $clone1 (a clone of HEAD; ccache ${CCACHE_DISABLE:+off}${CCACHE_DISABLE:-on})"
(umask 022 && git clone -q "$top" "$clone1" && cd "$clone1" && git checkout -q --detach "$rev" &&
	TZ=UTC LC_ALL=C make --no-print-directory BOARD="$board" O="$one" $targets) ||
	die "build 1 failed"
say REPRO "build 2: $clone (a clone of HEAD; umask 077, TZ=Asia/Tokyo, LC_ALL=C.UTF-8, ccache off)"
(umask 077 && git clone -q "$top" "$clone" && cd "$clone" && git checkout -q --detach "$rev" &&
	TZ=Asia/Tokyo LC_ALL=C.UTF-8 CCACHE_DISABLE=1 \
	make --no-print-directory BOARD="$board" O="$two" CCACHE= $targets) ||
	die "build 2 failed"

bad=0
# Every file, the signed repository's included; the same set on both sides.
(cd "$one/$board" && find . -type f | LC_ALL=C sort) >"$base/files-one"
(cd "$two/$board" && find . -type f | LC_ALL=C sort) >"$base/files-two"
cmp -s "$base/files-one" "$base/files-two" || {
	diff "$base/files-one" "$base/files-two" || true
	die "the two builds made different sets of files"
}
n=0
while read -r f; do
	f=${f#./}
	n=$((n + 1))
	if cmp -s "$one/$board/$f" "$two/$board/$f"; then
		say SAME "$f"
	else
		say DIFFER "$f"
		bad=1
		if command -v diffoscope >/dev/null; then
			diffoscope --max-report-size 200000 "$one/$board/$f" "$two/$board/$f" | head -n 200 || true
		fi
	fi
done <"$base/files-one"
[ "$bad" = 0 ] || die "artifacts differ between the two builds (install diffoscope for a report)"
echo "  repro-check: $board: all $n files identical ($(sha256_of "$one/$board/SHA256SUMS" | cut -c1-16)... SHA256SUMS), $(( $(date +%s) - started )) s"
