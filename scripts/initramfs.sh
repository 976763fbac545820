#!/bin/sh
# scripts/initramfs.sh: the root file system, installed by pkg from the
# board's signed repository into STAGE, made a verified image
# (rootimg.sh: STAGE.img/root.img, root.verity, and cmdline, the
# cairn.root= the kernel's command line needs), and the initramfs that
# boots it: the root's initd as /init and the image, newc cpio, every time
# the lock's epoch.  The same inputs give the same bytes on any machine.
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

# The root as a verified image (rootimg.sh: squashfs and dm-verity tree),
# beside the stage: the initramfs carries it, a disk slot holds the same.
img=$stage.img
"$(dirname "$0")/rootimg.sh" "$stage" "$img" || die "rootimg.sh failed"
# newc holds a member's size in 8 hex digits.
[ "$(stat -c %s "$img/root.img")" -lt 4294967296 ] || die "$img/root.img: 4 GiB or more: too large for a cpio member"
# What the command line must say for the initramfs to boot (initd(8), cairn.root).
printf 'cairn.root=verity:%s:%s:%s\n' "$(root_verity "$img" blocks)" "$(root_verity "$img" roothash)" \
	"$(root_verity "$img" salt)" >"$img/cmdline"

# The initramfs: the root's initd as /init, which opens the image with the
# command line's root hash and moves it over "/" (initd/ramroot.c); then
# the image, stored: it is compressed already, and the kernel takes a
# zstd archive followed by a plain one.  The lists name build paths, so
# they stay beside the stage, not in OUT.
[ -f "$stage/sbin/initd" ] && [ ! -L "$stage/sbin/initd" ] || die "$stage/sbin/initd: not a file"
{
	echo "dir /cairn 0755 0 0"
	echo "dir /dev 0755 0 0"
	echo "dir /proc 0555 0 0"
	# The kernel opens /dev/console for init before devtmpfs exists.
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /init $stage/sbin/initd 0755 0 0"
} >"$stage.list"
echo "file /cairn/root.img $img/root.img 0400 0 0" >"$stage.list-root"
"$gen" -t "$SOURCE_DATE_EPOCH" "$stage.list" >"$out.cpio.tmp"
zstd -q -"${ZSTD_LEVEL:-19}" -T1 --no-progress -f "$out.cpio.tmp" -o "$out.tmp"
cpio_pad "$out.tmp"
"$gen" -t "$SOURCE_DATE_EPOCH" "$stage.list-root" >>"$out.tmp"
rm -f "$out.cpio.tmp"
mv "$out.tmp" "$out"
