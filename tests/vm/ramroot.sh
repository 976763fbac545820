#!/bin/sh
# The netbooted root is the verified image the initramfs carries
# (initd/ramroot.c, doc/netboot.md):
#   - initd opens /cairn/root.img through a read-only loop device and
#     dm-verity (cairn-root) with the command line's cairn.root= hash,
#     and "/" is that squashfs, read-only, with a file an appended
#     initramfs brought laid over it;
#   - attacks: without cairn.root= the image is not booted; one byte
#     changed in the image's first block stops the boot at the mount; one
#     changed in the middle stops the node when that block is read, never
#     handing the changed bytes to a program.
. "$(dirname "$0")/vmlib"

mkdir -p "$vm/root/etc"
echo "laid-over" >"$vm/root/etc/ramroot-extra"
vm_start ""
expect 'cairn.root: verified squashfs, root hash'
expect 'lies over the verified root'
vm_run 'echo "RR-DM $(cat /sys/block/dm-0/dm/name) $(ls /sys/block/dm-0/slaves) $(cat /sys/block/dm-0/ro)"'
vm_run 'echo "RR-LOOP $(cat /sys/block/loop0/loop/backing_file) $(cat /sys/block/loop0/ro)"'
vm_run 'echo "RR-ROOT $(awk '\''$5 == "/" { for (i = 7; $i != "-"; i++); print $(i + 1) }'\'' /proc/self/mountinfo)"'
vm_run 'echo "RR-EXTRA $(cat /etc/ramroot-extra)"'
vm_run 'touch /usr/ramroot 2>/dev/null && echo "RR-WROTE" || echo "RR-""READONLY"'
vm_run 'echo "RR-MEM $(awk '\''/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { print int((t - a) / 1024) }'\'' /proc/meminfo) MB"'
vm_run 'initctl poweroff'
vm_end || true
expect 'RR-DM cairn-root loop0 1'
expect 'RR-LOOP /cairn/root.img 1'
expect 'RR-ROOT overlay'
expect 'RR-EXTRA laid-over'
expect 'RR-READONLY'
used=$(sed -n 's/^RR-MEM \([0-9]*\) MB.*/\1/p' "$vm/log")

# boot_fails WHAT APPEND INITRD PATTERN...: the guest never reaches boot ok,
# and says each PATTERN; QEMU exits (the kernel panics, or initd reboots).
boot_fails() {
	what=$1 app=$2 initrd=$3
	shift 3
	rm -f "$vm/log"
	# shellcheck disable=SC2086
	VM_NOWAIT=1 vm_launch --append "cairn.shell $app" --initrd "$initrd" "$OUT" -- $QEMU_MACHINE
	for p in "$@"; do
		vm_wait "$p" "$bound"
	done
	wait "$qpid" || true
	qpid=
	exec 3>&-
	! grep -q 'cairn: boot ok' "$vm/log" || fail "$what: booted"
}

# No root hash: the image is not mounted at all.
rm -rf "$vm/root"
mkdir -p "$vm/root"
initrd_overlay "$OUT/initramfs.cpio.zst" "$vm/root" "$vm/initrd"
boot_fails "no cairn.root" "cairn.root=" "$vm/initrd" 'not booting /cairn/root.img unverified'

# The image's bytes in the initramfs: after its cpio header and name.
at=$(grep -obUa -m1 'cairn/root\.img' "$OUT/initramfs.cpio.zst" | head -n 1 | cut -d: -f1)
[ -n "$at" ] || fail "the initramfs carries no cairn/root.img"
img=$((at - 110 + 128))
blocks=$(sed -n 's/.*cairn\.root=verity:\([0-9]*\):.*/\1/p' "$OUT/cmdline")
[ -n "$blocks" ] || fail "$OUT/cmdline has no cairn.root=verity:BLOCKS:..."

# One byte in block 0, past the 96-byte superblock: the mount reads it.
cp "$OUT/initramfs.cpio.zst" "$vm/bad0"
flip_byte "$vm/bad0" $((img + 2000))
boot_fails "block 0 changed" "" "$vm/bad0" 'device-mapper: verity: .*data block 0 is corrupted' 'Kernel panic'

# One byte in a block in the middle: found when it is read.
mid=$((blocks / 2))
cp "$OUT/initramfs.cpio.zst" "$vm/badmid"
flip_byte "$vm/badmid" $((img + mid * 4096 + 100))
rm -f "$vm/log"
# shellcheck disable=SC2086
VM_NOWAIT=1 vm_launch --append "cairn.shell" --initrd "$vm/badmid" "$OUT" -- $QEMU_MACHINE
vm_wait "cairn: boot ok|data block $mid is corrupted" "$bound"
grep -q 'cairn: boot ok' "$vm/log" &&
	vm_run 'for d in /bin /sbin /usr /lib /etc; do tar -cf - "$d" >/dev/null 2>&1; done; echo RR-READ""-ALL'
vm_wait "device-mapper: verity: .*data block $mid is corrupted" "$bound"
vm_wait 'Kernel panic' 60
wait "$qpid" || true
qpid=
exec 3>&-
! grep -q 'RR-READ-ALL' "$vm/log" || fail "the whole root was read with block $mid changed"
echo "ramroot: / is the initramfs's squashfs through loop0 and dm-verity, read-only, with an appended file laid over it; ${used} MB in use at the shell; no cairn.root, a changed block 0 or block $mid: no boot"
