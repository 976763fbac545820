#!/bin/sh
# scripts/repro-quick.sh: the reproducibility check that fits in `make test`.
# Cairn's programs and the musl-built components are compiled a second time
# from nothing, with ccache off, in another build directory (another name
# and depth), under umask 077 and another time zone and locale, and what
# they make is compared byte for byte with the first build's: the packages
# of BusyBox and Cairn's programs (static: musl, OpenSSL, zstd and jansson
# are linked in) and the sysroot's libraries.  The first build is O's, made
# as usual (with ccache, whose relative paths are the form that leaked).
#
# The root is then assembled twice from the first build's signed repository
# (scripts/initramfs.sh, as the image's initramfs is made; zstd at level 3
# here), the second time under umask 077, another time zone and in another
# directory, and the two compared: the image's / and /lib once came out
# 0700 under umask 077 (make repro-check).
#
# Then the check tests itself: jansson is built again on the second side
# with its path maps left out (CAIRN_REPRO_LEAK=1, scripts/lib.sh), and
# the agent that links it must now differ; if it does not, the check could
# not see a leak and fails.  `make repro-check` is the full two-build check.
#
# usage: repro-quick.sh BOARD   (env: O, the first build's directory;
#        PKG, GEN_INIT_CPIO, ROOT_PACKAGES: the host's pkg, the kernel's
#        gen_init_cpio, the board's package set)
. "$(dirname "$0")/lib.sh"

board=${1:?usage: repro-quick.sh BOARD}
top=$(cd "$(dirname "$0")/.." && pwd)
one=$(cd "$top" && mkdir -p "${O:-out}" && cd "${O:-out}" && pwd)
two=$one/repro-quick/second/build-two
pkgs=${REPRO_QUICK_PKGS:-busybox initd pkg cdi agent musl openssl zstd jansson}
libs="libc.a libcrypto.a libssl.a libzstd.a libjansson.a"

stamps() { # stamps O: the make targets of $pkgs in build directory O
	for p in $pkgs; do printf '%s/%s/repo/.stamp-%s ' "$1" "$board" "$p"; done
}
# files O: what is compared, relative to O, one a line
files() {
	(cd "$1/$board/repo" && for p in $pkgs; do
		ls | grep -E "^$p-[0-9].*\.pkg\$" | sed "s|^|$board/repo/|"; done)
	for l in $libs; do echo "build/sysroot/lib/$l"; done
}
# compare: every file of the first build against the second's; 0 when all same
compare() {
	files "$one" >"$one/repro-quick/files-one"
	files "$two" >"$one/repro-quick/files-two"
	cmp -s "$one/repro-quick/files-one" "$one/repro-quick/files-two" || {
		diff "$one/repro-quick/files-one" "$one/repro-quick/files-two" >&2 || true
		echo "  DIFFER  the two builds made different sets of files"
		return 1
	}
	_bad=0
	while read -r f; do
		if cmp -s "$one/$f" "$two/$f"; then
			say SAME "$f"
		else
			say DIFFER "$f"
			_bad=1
		fi
	done <"$one/repro-quick/files-one"
	return $_bad
}

say REPRO "first build: $one (as made by make, ccache ${CCACHE_DISABLE:+off}${CCACHE_DISABLE:-on})"
(cd "$top" && make --no-print-directory BOARD="$board" O="$one" $(stamps "$one")) ||
	die "the first build failed"
rm -rf "$one/repro-quick"
mkdir -p "$two"
say REPRO "second build: $two (umask 077, TZ=Asia/Tokyo, LC_ALL=C.UTF-8, ccache off)"
(cd "$top" && umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 CCACHE_DISABLE=1 \
	make --no-print-directory BOARD="$board" O="$two" CCACHE= $(stamps "$two")) \
	>"$one/repro-quick/build-two.log" 2>&1 ||
	{ tail -n 30 "$one/repro-quick/build-two.log" >&2; die "the second build failed (log: $one/repro-quick/build-two.log)"; }
compare ||
	die "the two builds differ: a build path, the time zone, the umask or the locale leaks into the files above (make repro-check runs diffoscope on a full build)"

say REPRO "the root assembled twice from $board/repo (umask 022 and 077, UTC and Asia/Tokyo)"
: "${PKG:?}" "${GEN_INIT_CPIO:?}" "${ROOT_PACKAGES:?}"
# shellcheck disable=SC2086
(umask 022 && TZ=UTC ZSTD_LEVEL=3 "$top/scripts/initramfs.sh" "$one/repro-quick/root-one.cpio.zst" \
	"$one/repro-quick/root-one" "$one/$board/repo" "$GEN_INIT_CPIO" $ROOT_PACKAGES) ||
	die "the first assembly failed"
# shellcheck disable=SC2086
(umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 ZSTD_LEVEL=3 "$top/scripts/initramfs.sh" \
	"$two/root-two.cpio.zst" "$two/stage/root-two" "$one/$board/repo" "$GEN_INIT_CPIO" $ROOT_PACKAGES) ||
	die "the second assembly failed"
if cmp -s "$one/repro-quick/root-one.cpio.zst" "$two/root-two.cpio.zst"; then
	say SAME "the root, as the initramfs holds it"
else
	say DIFFER "the root, as the initramfs holds it"
	# The root image beside each stage (initramfs.sh): its files, owners, modes and times.
	unsquashfs -lln -n "$one/repro-quick/root-one.img/root.img" 2>/dev/null >"$one/repro-quick/root-one.list"
	unsquashfs -lln -n "$two/stage/root-two.img/root.img" 2>/dev/null >"$one/repro-quick/root-two.list"
	diff "$one/repro-quick/root-one.list" "$one/repro-quick/root-two.list" | head -n 20 >&2 || true
	cmp "$one/repro-quick/root-one.img/root.verity" "$two/stage/root-two.img/root.verity" >&2 || true
	die "the root differs between the two assemblies: the umask, the time zone or the directory leaks into it"
fi
# The layers, each its own image (doc/netboot.md, "Layers").
for _l in "$one/repro-quick"/layer-*.cpio; do
	[ -f "$_l" ] || continue
	cmp -s "$_l" "$two/${_l##*/}" || die "${_l##*/} differs between the two assemblies"
	say SAME "${_l##*/}"
done

say REPRO "self-test: jansson without its path maps on the second side"
rm -f "$two/build/jansson/.built"
(cd "$top" && umask 077 && CAIRN_REPRO_LEAK=1 CCACHE_DISABLE=1 \
	make --no-print-directory BOARD="$board" O="$two" CCACHE= $(stamps "$two")) \
	>>"$one/repro-quick/build-two.log" 2>&1 ||
	{ tail -n 30 "$one/repro-quick/build-two.log" >&2; die "the self-test's build failed"; }
agent=$(grep "/agent-" "$one/repro-quick/files-one")
if compare >"$one/repro-quick/self-test" 2>&1; then
	die "self-test: a build path left in jansson changed nothing: this check cannot see a leak"
fi
grep -qx "  DIFFER  $agent" "$one/repro-quick/self-test" ||
	die "self-test: the comparison failed, but not on $agent: $(grep DIFFER "$one/repro-quick/self-test" | head -n 3)"
say LEAK "$agent differs, as it must"
rm -rf "$one/repro-quick"
echo "  repro-quick: $board: $(echo $pkgs | wc -w) packages, $(echo $libs | wc -w) libraries and the root identical; a planted leak is seen"
