#!/bin/sh
# scripts/installer.sh: the installer image (doc/install.md), to write to
# a USB stick: GPT with one partition, an ESP (FAT32, labelled CAIRNCFG:
# a node.conf put there is the config the installer applies) whose
# \EFI\BOOT\BOOTX64.EFI is a UKI of the kernel, the whole root as its
# initramfs, and the board's command line with cairn.install: the machine
# runs from RAM, and the installer service puts the bundle's OS on the
# blank disk.  The bundle goes on a partition after this one, or on a
# disk of its own.
#
# usage: installer.sh OUT ROOTFS
#   OUT: the board's artifacts (vmlinuz, initramfs.cpio.zst, cmdline);
#        OUT/installer.img is written
#   ROOTFS: the installed root (systemd-boot's stub, os-release)
# env: SOURCE_DATE_EPOCH
. "$(dirname "$0")/lib.sh"

out=${1:?usage: installer.sh OUT ROOTFS}
rootfs=${2:?usage: installer.sh OUT ROOTFS}
epoch=${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}
stub=$rootfs/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for f in "$out/vmlinuz" "$out/initramfs.cpio.zst" "$out/cmdline" "$stub" "$rootfs/etc/os-release"; do
	[ -f "$f" ] || die "$f: missing"
done
PATH=$PATH:/usr/sbin
w=$out/installer.tmp
rm -rf "$w" && mkdir -p "$w"
trap 'rm -rf "$w"' EXIT

say UKI "$(basename "$out")/installer.img: kernel, root, cairn.install"
printf '%s cairn.install' "$(cat "$out/cmdline")" >"$w/cmdline"
uki_build "$stub" "$w/BOOTX64.EFI" "$epoch" osrel:"$rootfs/etc/os-release" cmdline:"$w/cmdline" \
	linux:"$out/vmlinuz" initrd:"$out/initramfs.cpio.zst"
# The UKI and room to spare (FAT32 needs at least 33 MiB).
esp_mb=$(( ($(stat -c %s "$w/BOOTX64.EFI") >> 20) + 40 ))
id=$(stable_uuid "cairn $(basename "$out") $epoch installer")
mkfs.vfat -F 32 -n CAIRNCFG -i "$(echo "$id" | cut -c1-8)" --invariant -C "$w/esp.img" $((esp_mb * 1024)) >/dev/null ||
	die "mkfs.vfat failed"
export MTOOLS_SKIP_CHECK=1
mmd -i "$w/esp.img" ::/EFI ::/EFI/BOOT
mcopy -m -i "$w/esp.img" "$w/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
esp_s=$((esp_mb * 2048))
truncate -s $(((2048 + esp_s + 2048) * 512)) "$w/installer.img"
sfdisk --quiet --no-reread --no-tell-kernel "$w/installer.img" <<EOT || die "sfdisk failed"
label: gpt
label-id: $id
unit: sectors
first-lba: 2048
start=2048, size=$esp_s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$id, name="cairn-installer"
EOT
dd if="$w/esp.img" of="$w/installer.img" bs=1M seek=1 conv=notrunc,sparse status=none
mv "$w/installer.img" "$out/installer.img"
say INSTALL "$(basename "$out")/installer.img ($esp_mb MiB ESP)"
