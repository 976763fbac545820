#!/bin/sh
# The initrd a node given every layer boots (scripts/lib.sh initrd_all, what
# scripts/qemu.sh and tests/vm/vmlib boot by default, as boot-all.ipxe
# loads): the initramfs, then each OUT/layer-*.cpio at a 4-byte boundary.
# Kept as OUT/.initrd-all and made again only when a part changes: its
# name, inode, size or time.  A part swapped for another file, one grown
# or touched, one layer more: each remakes it; nothing changed: the same
# file, not rewritten. 
. "$(dirname "$0")/testlib"
. "$top/scripts/lib.sh"

o=$tmp/out
mkdir -p "$o"
printf 'initramfs-5' >"$o/initramfs.cpio.zst"
printf 'layer-a' >"$o/layer-a.cpio"

# all: what initrd_all gives, checked against its parts.
all() {
	p=$(initrd_all "$o") || fail "initrd_all failed"
	[ "$p" = "$o/.initrd-all" ] || fail "initrd_all gave $p"
	cat "$p"
}
want() {
	got=$(all | od -An -c | tr -s ' \n' ' ')
	# shellcheck disable=SC2059 # $1 is a format: its \0 are the padding
	exp=$(printf "$1" | od -An -c | tr -s ' \n' ' ')
	[ "$got" = "$exp" ] || fail "$2: got '$got', not '$exp'"
}

# No layer: the initramfs itself.
mv "$o/layer-a.cpio" "$tmp/a"
[ "$(initrd_all "$o")" = "$o/initramfs.cpio.zst" ] || fail "with no layer, not the initramfs itself"
[ ! -e "$o/.initrd-all" ] || fail "with no layer, .initrd-all was made"
mv "$tmp/a" "$o/layer-a.cpio"

# 11 bytes, padded to 12 before the layer.
want 'initramfs-5\0layer-a' "the initramfs and one layer"
ino=$(stat -c %i "$o/.initrd-all")
want 'initramfs-5\0layer-a' "asked again"
[ "$(stat -c %i "$o/.initrd-all")" = "$ino" ] || fail "nothing changed, but .initrd-all was made again"

# Touched (same bytes, another time): made again.
touch -d '2001-01-01' "$o/layer-a.cpio"
all >/dev/null
[ "$(stat -c %i "$o/.initrd-all")" != "$ino" ] || fail "a touched layer did not remake .initrd-all"

# The same size and time, another file (a build's rename over it).
printf 'layer-b' >"$tmp/b" && touch -r "$o/layer-a.cpio" "$tmp/b" && mv "$tmp/b" "$o/layer-a.cpio"
want 'initramfs-5\0layer-b' "a layer replaced by a file of its size and time"

# One layer more, in name order; the initramfs grown.
printf 'k8s' >"$o/layer-k8s.cpio"
printf 'initramfs-6by' >"$o/initramfs.cpio.zst"
want 'initramfs-6by\0\0\0layer-b\0k8s' "a second layer, the initramfs grown"

printf 'more' >>"$o/layer-k8s.cpio"
want 'initramfs-6by\0\0\0layer-b\0k8smore' "a layer grown"
for f in "$o"/.initrd-all.[0-9]*; do
	[ ! -e "$f" ] || fail "a temporary file was left: $f"
done
echo "initrd_all: the initramfs and its layers padded to 4 bytes, made again when a part is touched, replaced, grown or added, kept otherwise"
