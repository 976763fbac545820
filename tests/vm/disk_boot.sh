#!/bin/sh
# The disk image (doc/disk.md) under OVMF, as a dd-flashed server sees it:
# no firmware boot entry, so the firmware takes \EFI\BOOT\BOOTX64.EFI
# (systemd-boot), which boots slot A's UKI; the kernel opens slot A with
# dm-verity (its root hash in the UKI's command line) and mounts the
# squashfs read-only; /var is memory.  Then one byte flipped in the slot's
# first block, which every boot reads (the squashfs superblock's block,
# past the superblock itself, so squashfs would not notice): dm-verity
# refuses it and the boot stops with its message.
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk

disk() {	# disk FILE: QEMU's arguments for it as the guest's only disk, untouched
	echo "-drive if=none,id=d0,format=raw,snapshot=on,file=$1 -device virtio-blk-pci,drive=d0"
}
# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(disk "$OUT/disk.img")
vm_run 'd=$(awk "\$5 == \"/\" { print \$3 }" /proc/self/mountinfo); echo "DISK-ROOT $d $(cat /sys/dev/block/$d/dm/name) $(grep " / " /proc/mounts | cut -d" " -f3,4)"; echo "DISK-VAR $(grep " /var " /proc/mounts)"; echo "DISK-CMD $(tr " " "\n" </proc/cmdline | grep -c dm-mod.create)"; initctl poweroff'
vm_end
expect 'DISK-ROOT [0-9]+:0 cairn-root squashfs ro,'
expect 'DISK-VAR var /var tmpfs rw'
expect 'DISK-CMD 1'
grep -q 'device-mapper: verity' "$vm/log" && fail "verity complained on the untouched image"

# One byte in block 0 of slot A, past the 96-byte squashfs superblock.
slot=$(sfdisk -d "$OUT/disk.img" | sed -n 's/.*start= *\([0-9]*\),.*name="cairn-a".*/\1/p')
[ -n "$slot" ] || fail "no cairn-a partition in the disk image's GPT"
cp --sparse=always "$OUT/disk.img" "$vm/bad.img"
off=$((slot * 512 + 2000))
b=$(od -An -tu1 -j "$off" -N1 "$vm/bad.img" | tr -d ' ')
printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$vm/bad.img" bs=1 seek="$off" conv=notrunc status=none
rm -f "$vm/in" "$vm/log"
mkfifo "$vm/in"
# shellcheck disable=SC2046
timeout "$bound" "$top/scripts/qemu.sh" --uefi "$OUT" -- $QEMU_MACHINE $(disk "$vm/bad.img") \
	<"$vm/in" >"$vm/log" 2>&1 &
qpid=$!
exec 3>"$vm/in"
vm_wait 'device-mapper: verity: .*data block 0 is corrupted' "$bound"
vm_wait 'Kernel panic' 60
wait "$qpid" || true
qpid=
exec 3>&-
grep -q 'cairn: boot ok' "$vm/log" && fail "a corrupted root booted"
echo "disk image: OVMF -> systemd-boot -> UKI -> dm-verity squashfs root; a flipped byte stops the boot"
