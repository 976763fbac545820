#!/bin/sh
# scripts/disk.sh: the disk image to flash with dd (doc/disk.md): GPT with
# an EFI system partition, two root slots, A and B, and the data partition
# (/var: empty in the image; the first boot grows it to the end of the disk
# and makes its file system).  Slot A holds the
# root as a squashfs followed by its dm-verity hash tree; its Unified
# Kernel Image (systemd's stub, the kernel, the command line with the root
# hash) is on the ESP, with systemd-boot as \EFI\BOOT\BOOTX64.EFI.  The
# kernel opens the slot with dm-verity itself (dm-mod.create=): no
# initramfs.  Slot B is empty until an update writes it.
#
# usage: disk.sh OUT ROOTFS
#   OUT: the board's artifacts (vmlinuz, cmdline); disk.img, disk.img.zst
#        and disk/ (the slot image, both slots' UKIs, root hash, tables,
#        the partition table and the ESP's image) are written there.
#   ROOTFS: the installed root (it holds systemd-boot and its stub).
# env: SOURCE_DATE_EPOCH (required), SLOT_MB (512), ESP_MB (64), DATA_MB (256), JOBS,
#      CMDLINE (the board's command line, a file: OUT/cmdline), ROOTIMG
#      (rootimg.sh's image of ROOTFS, used rather than made again).
. "$(dirname "$0")/lib.sh"

out=${1:?usage: disk.sh OUT ROOTFS}
rootfs=${2:?usage: disk.sh OUT ROOTFS}
epoch=${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}
export SOURCE_DATE_EPOCH
slot_mb=${SLOT_MB:-512}
esp_mb=${ESP_MB:-64}
data_mb=${DATA_MB:-256}
efi=$rootfs/usr/lib/systemd/boot/efi
cmdline=${CMDLINE:-$out/cmdline}
for f in "$out/vmlinuz" "$cmdline" "$efi/systemd-bootx64.efi" "$efi/linuxx64.efi.stub" "$rootfs/etc/os-release"; do
	[ -f "$f" ] || die "$f: missing (the disk image needs the board's kernel and the systemd-boot package)"
done
for t in mksquashfs veritysetup sfdisk mkfs.vfat mcopy objcopy zstd; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin command -v "$t" >/dev/null ||
		die "$t not found: run 'make hostdeps'"
done
PATH=$PATH:/usr/sbin

w=$out/disk.tmp
rm -rf "$w"
mkdir -p "$w/disk"
trap 'rm -rf "$w"' EXIT
# The board's line: without CMDLINE, OUT/cmdline less the initramfs's cairn.root and cairn.layer.
if [ -z "${CMDLINE:-}" ]; then
	sed -e 's/ cairn\.root=[^ ]*//' -e 's/ cairn\.layer=[^ ]*//g' "$cmdline" >"$w/board.cmdline"
	cmdline=$w/board.cmdline
fi

# A stable UUID from a name: the same image gives the same GPT.
uuid_of() {
	stable_uuid "cairn $(basename "$out") $epoch $1"
}
disk_id=$(uuid_of disk) esp_id=$(uuid_of esp) a_id=$(uuid_of slot-a) b_id=$(uuid_of slot-b)
data_id=$(uuid_of data)

printf 'slot-a-partuuid %s\nslot-b-partuuid %s\nesp-partuuid %s\ndata-partuuid %s\n' \
	"$a_id" "$b_id" "$esp_id" "$data_id" >"$w/disk/partitions"

# ---- the root slot: squashfs + dm-verity tree, and a UKI for each slot
say SQUASHFS "$(basename "$out")/disk.img: root"
"$(dirname "$0")/osslot.sh" "$rootfs" "$out/vmlinuz" "$cmdline" "$w/disk/partitions" "$w/disk" ||
	die "osslot.sh failed"
slot_bytes=$(stat -c %s "$w/disk/slot.img")
[ "$slot_bytes" -le $((slot_mb * 1048576)) ] ||
	die "the root slot needs $slot_bytes bytes, more than SLOT_MB=$slot_mb MiB"

# ---- the ESP: systemd-boot at the removable-media path, the UKI, loader.conf.
# Labelled CAIRNCFG: a node.conf put on it (from a laptop, or by the
# installer) is the node's config (node.conf(5), the boot medium).
printf 'timeout 1\ndefault cairn-*\neditor no\n' >"$w/loader.conf"
touch -d "@$epoch" "$w/loader.conf"
cp "$efi/systemd-bootx64.efi" "$w/BOOTX64.EFI" && sb_sign "$w/BOOTX64.EFI"
mkfs.vfat -F 32 -n CAIRNCFG -i "$(echo "$esp_id" | cut -c1-8)" --invariant -C "$w/esp.img" $((esp_mb * 1024)) >/dev/null ||
	die "mkfs.vfat failed"
export MTOOLS_SKIP_CHECK=1
mmd -i "$w/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/loader
mcopy -m -i "$w/esp.img" "$w/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
mcopy -m -i "$w/esp.img" "$w/disk/cairn-a.efi" ::/EFI/Linux/cairn-a.efi
mcopy -m -i "$w/esp.img" "$w/loader.conf" ::/loader/loader.conf

# ---- the disk: GPT, then each partition's bytes in place
say DISK "$(basename "$out")/disk.img"
esp_s=$((esp_mb * 2048)) slot_s=$((slot_mb * 2048)) data_s=$((data_mb * 2048))
total=$((2048 + esp_s + 2 * slot_s + data_s + 2048))
rm -f "$w/disk.img"
truncate -s $((total * 512)) "$w/disk.img"
# The table, every start given: the installer (pkg os-install) writes the
# same one from the OS package.
a_s=$((2048 + esp_s)) b_s=$((2048 + esp_s + slot_s)) data_at=$((2048 + esp_s + 2 * slot_s))
cat >"$w/disk/gpt.sfdisk" <<EOF
label: gpt
label-id: $disk_id
unit: sectors
first-lba: 2048
start=2048, size=$esp_s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$esp_id, name="ESP"
start=$a_s, size=$slot_s, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$a_id, name="cairn-a"
start=$b_s, size=$slot_s, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$b_id, name="cairn-b"
start=$data_at, size=$data_s, type=4D21B016-B534-45C2-A9FB-5C16E091FD2D, uuid=$data_id, name="cairn-data"
EOF
sfdisk --quiet --no-reread --no-tell-kernel "$w/disk.img" <"$w/disk/gpt.sfdisk" || die "sfdisk failed"
dd if="$w/esp.img" of="$w/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$w/disk/slot.img" of="$w/disk.img" bs=1M seek=$((1 + esp_mb)) conv=notrunc,sparse status=none
zstd -q -T"${JOBS:-0}" -10 -f "$w/disk.img" -o "$w/disk.img.zst"
# What the OS package carries: the ESP's and slot A's bytes.
mv "$w/esp.img" "$w/disk/esp.img"
touch -d "@$epoch" "$w/disk/esp.img" "$w/disk/gpt.sfdisk"
# The stub and os-release the UKIs are made of, for tests that make their own.
cp "$efi/linuxx64.efi.stub" "$rootfs/etc/os-release" "$w/disk/"

rm -rf "$out/disk"
mv "$w/disk" "$out/disk"
mv "$w/disk.img" "$out/disk.img"
mv "$w/disk.img.zst" "$out/disk.img.zst"
