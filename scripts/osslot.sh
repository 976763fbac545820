#!/bin/sh
# scripts/osslot.sh: one root slot's contents from an installed root: the
# squashfs and its dm-verity hash tree (slot.img), and a Unified Kernel
# Image for each slot it may be written to (cairn-a.efi, cairn-b.efi):
# systemd's stub, the root's os-release (its IMAGE_VERSION orders
# systemd-boot's entries, newest first), the kernel, and a command line
# that opens that slot's partition with dm-verity (the root hash in it)
# and names the slot (cairn.slot=).  disk.sh makes the image's from the
# build's root; an update (doc/update.md) is the same from the next root.
#
# usage: osslot.sh ROOTFS VMLINUZ CMDLINE PARTITIONS DIR
#   ROOTFS:     the installed root (systemd-boot's stub in it)
#   VMLINUZ:    the kernel
#   CMDLINE:    a file: the board's command line
#   PARTITIONS: a file with "slot-a-partuuid U" and "slot-b-partuuid U" lines
#   DIR:        slot.img, cairn-a.efi, cairn-b.efi, roothash, slot-a.table
#               and slot-b.table are written there
# env: SOURCE_DATE_EPOCH (required), JOBS, ROOTIMG (a directory with
#      rootimg.sh's root.img and root.verity of ROOTFS: used, not remade).
. "$(dirname "$0")/lib.sh"

[ $# -eq 5 ] || die "usage: osslot.sh ROOTFS VMLINUZ CMDLINE PARTITIONS DIR"
rootfs=$1 vmlinuz=$2 cmdline=$3 parts=$4 dir=$5
epoch=${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}
export SOURCE_DATE_EPOCH
stub=$rootfs/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for f in "$vmlinuz" "$cmdline" "$parts" "$stub" "$rootfs/etc/os-release"; do
	[ -f "$f" ] || die "$f: missing"
done
grep -q '^IMAGE_VERSION=' "$rootfs/etc/os-release" ||
	die "$rootfs/etc/os-release: no IMAGE_VERSION (systemd-boot orders the slots by it)"
PATH=$PATH:/usr/sbin
mkdir -p "$dir"

# The squashfs and its hash tree: ROOTIMG's (the image's build made it
# for the initramfs too), or made here.
[ -n "${ROOTIMG:-}" ] || { ROOTIMG=$dir/.rootimg && "$(dirname "$0")/rootimg.sh" "$rootfs" "$ROOTIMG"; } ||
	die "rootimg.sh failed"
blocks=$(root_verity "$ROOTIMG" blocks) roothash=$(root_verity "$ROOTIMG" roothash) salt=$(root_verity "$ROOTIMG" salt)
[ -n "$blocks" ] && [ "${#roothash}" -eq 64 ] && [ -n "$salt" ] || die "$ROOTIMG/root.verity: incomplete"
data=$((blocks * 4096))
rm -f "$dir/slot.img"
cp "$ROOTIMG/root.img" "$dir/slot.img"
touch -d "@$epoch" "$dir/slot.img"
[ "$ROOTIMG" != "$dir/.rootimg" ] || rm -rf "$ROOTIMG"
printf '%s\n' "$roothash" >"$dir/roothash"
for s in a b; do
	id=$(awk -v k="slot-$s-partuuid" '$1 == k { print $2 }' "$parts")
	[ -n "$id" ] || die "$parts: no slot-$s-partuuid"
	table="0 $((data / 512)) verity 1 PARTUUID=$id PARTUUID=$id 4096 4096 $blocks $blocks sha256 $roothash $salt 1 panic_on_corruption"
	printf '%s' "$table" >"$dir/slot-$s.table"
	printf '%s init=/sbin/initd root=/dev/dm-0 rootfstype=squashfs rootflags=threads=2 ro cairn.slot=%s cairn.var=PARTLABEL=cairn-data dm-mod.waitfor=PARTUUID=%s dm-mod.create="cairn-root,,,ro,%s"' \
		"$(cat "$cmdline")" "$s" "$id" "$table" >"$dir/cmdline-$s"
	uki_build "$stub" "$dir/cairn-$s.efi" "$epoch" osrel:"$rootfs/etc/os-release" \
		cmdline:"$dir/cmdline-$s" linux:"$vmlinuz"
	rm -f "$dir/cmdline-$s"
	touch -d "@$epoch" "$dir/cairn-$s.efi"
done
