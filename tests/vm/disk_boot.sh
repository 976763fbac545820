#!/bin/sh
# The disk image (doc/disk.md) under OVMF, as a dd-flashed server sees it:
# no firmware boot entry, so the firmware takes \EFI\BOOT\BOOTX64.EFI
# (systemd-boot), which boots slot A's UKI; the kernel opens slot A with
# dm-verity (its root hash in the UKI's command line) and mounts the
# squashfs read-only, with two decompressors (rootflags=threads=2).  The
# image is flashed onto a disk 1 GiB larger than itself: the first boot
# grows the empty data partition to the end of the disk, makes its ext4
# and mounts it on /var; what is written there is still there on the
# second boot, which formats nothing.  Then one byte flipped in the slot's
# first block, which every boot reads (the squashfs superblock's block,
# past the superblock itself, so squashfs would not notice): dm-verity
# refuses it and the boot stops with its message.
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk

PATH=$PATH:/usr/sbin
cp --sparse=always "$OUT/disk.img" "$vm/flashed.img"
image=$(stat -c %s "$OUT/disk.img")
truncate -s $((image + 1073741824)) "$vm/flashed.img"
kept=$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')

# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/flashed.img")
vm_run 'd=$(awk "\$5 == \"/\" { print \$3 }" /proc/self/mountinfo); echo "DISK-ROOT $d $(cat /sys/dev/block/$d/dm/name) $(grep " / " /proc/mounts | cut -d" " -f3,4)"; echo "DISK-VAR $(grep " /var " /proc/mounts)"; echo "DISK-CMD $(tr " " "\n" </proc/cmdline | grep -c dm-mod.create)"; echo "DISK-SIZE $(cat /sys/class/block/vda4/size) $(cat /sys/class/block/vda/size)"; echo kept-'"$kept"' >/var/kept; sync; initctl poweroff'
vm_end
expect 'DISK-ROOT [0-9]+:0 cairn-root squashfs ro,([a-z=]+,)*threads=2( |,|$)'
expect 'DISK-VAR /dev/vda4 /var ext4 rw'
expect 'DISK-CMD 1'
expect '/var: /dev/vda4 has no file system: making it'
expect 'data: growing vda4 from 256 MiB to [0-9]+ MiB, the end of vda'
grep -q 'device-mapper: verity' "$vm/log" && fail "verity complained on the untouched image"
set -- $(sed -n 's/.*DISK-SIZE \([0-9][0-9]*\) \([0-9][0-9]*\).*/\1 \2/p' "$vm/log")
[ $# -eq 2 ] || fail "no DISK-SIZE line"
# 256 MiB, grown by the 1 GiB the disk has beyond the image.
[ "$1" -gt $(((256 + 1000) * 2048)) ] || fail "the data partition has $1 sectors of the disk's $2: it did not grow"
# The GPT on the disk: whole, its backup at the disk's new end.
sfdisk --verify "$vm/flashed.img" >"$vm/verify" 2>&1 || { cat "$vm/verify"; fail "sfdisk --verify: the grown GPT is not sound"; }
sfdisk -d "$vm/flashed.img" | grep -q 'name="cairn-data"' || fail "no cairn-data partition on the disk after the first boot"

# The second boot: the same file system, nothing made again.
rm -f "$vm/log"
# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/flashed.img")
vm_run 'echo "DISK-KEPT $(cat /var/kept)"; initctl poweroff'
vm_end
expect 'DISK-KEPT kept-'
grep -q "DISK-KEPT kept-$kept" "$vm/log" || fail "/var/kept is not what the first boot wrote there (kept-$kept)"
expect '/var: /dev/vda4'
grep -q 'making it' "$vm/log" && fail "the second boot made the data partition's file system again"

# One byte in block 0 of slot A, past the 96-byte squashfs superblock.
slot=$(sfdisk -d "$OUT/disk.img" | sed -n 's/.*start= *\([0-9]*\),.*name="cairn-a".*/\1/p')
[ -n "$slot" ] || fail "no cairn-a partition in the disk image's GPT"
cp --sparse=always "$OUT/disk.img" "$vm/bad.img"
off=$((slot * 512 + 2000))
flip_byte "$vm/bad.img" "$off"
rm -f "$vm/in" "$vm/log"
mkfifo "$vm/in"
# shellcheck disable=SC2046
timeout "$bound" "$top/scripts/qemu.sh" --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/bad.img" ,snapshot=on) \
	<"$vm/in" >"$vm/log" 2>&1 &
qpid=$!
exec 3>"$vm/in"
vm_wait 'device-mapper: verity: .*data block 0 is corrupted' "$bound"
vm_wait 'Kernel panic' 60
wait "$qpid" || true
qpid=
exec 3>&-
grep -q 'cairn: boot ok' "$vm/log" && fail "a corrupted root booted"
echo "disk image: OVMF -> systemd-boot -> UKI -> dm-verity squashfs root; /var grown, made and kept across a reboot; a flipped byte stops the boot"
