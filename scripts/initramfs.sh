#!/bin/sh
# scripts/initramfs.sh: the root file system, installed by pkg from the
# board's signed repository, packed as the initramfs: newc cpio, members
# sorted, owners and modes as the packages say, every time the lock's
# epoch, zstd.  The same inputs give the same bytes on any machine.
#
# usage: initramfs.sh OUT STAGE REPO GEN_INIT_CPIO PACKAGE...
# env:   PKG (pkg for the build host), KEYS_DIR (the root document the
#        repository is checked against), SOURCE_DATE_EPOCH
. "$(dirname "$0")/lib.sh"

[ $# -ge 5 ] || die "usage: initramfs.sh OUT STAGE REPO GEN_INIT_CPIO PACKAGE..."
out=$1 stage=$2 repo=$3 gen=$4
shift 4
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}" "${PKG:?}" "${KEYS_DIR:?}"

rm -rf "$stage"
mkdir -p "$stage"
"$PKG" --root "$stage" --repo "$repo" --trust "$KEYS_DIR/root" install "$@" 2>"$stage.log" ||
	{ cat "$stage.log" >&2; die "pkg install into the root failed"; }
# The lock is pkg's own while it runs, not part of the image.
rm -f "$stage/lib/pkg/lock"

# The list names build paths, so it stays beside the stage, not in OUT.
# No pipeline into the loop: a die inside it must stop this script.
list=$stage.list
(cd "$stage" && LC_ALL=C find . -mindepth 1 -printf '%p %y %m %U %G %l\n') | LC_ALL=C sort >"$stage.paths"
{
	while read -r p type mode uid gid target extra; do
		[ -z "$extra" ] || die "rootfs path with a space: $p"
		name=${p#.}
		case $type in
		l) echo "slink $name $target 0777 $uid $gid" ;;
		d) echo "dir $name $mode $uid $gid" ;;
		f) echo "file $name $stage/$p $mode $uid $gid" ;;
		*) die "$stage/$p: not a file, directory or link" ;;
		esac
	done <"$stage.paths"
	# The kernel opens /dev/console for init before devtmpfs exists.
	echo "nod /dev/console 0600 0 0 c 5 1"
} >"$list.tmp"
mv "$list.tmp" "$list"
"$gen" -t "$SOURCE_DATE_EPOCH" "$list" >"$out.cpio.tmp"
zstd -q -"${ZSTD_LEVEL:-19}" -T1 --no-progress -f "$out.cpio.tmp" -o "$out.tmp"
rm -f "$out.cpio.tmp"
mv "$out.tmp" "$out"
