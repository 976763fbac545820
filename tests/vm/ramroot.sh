#!/bin/sh
# The netbooted root is the verified image the initramfs carries
# (initd/ramroot.c, doc/netboot.md):
#   - initd opens /cairn/root.img through a read-only loop device and
#     dm-verity (cairn-root) with the command line's cairn.root= hash;
#     "/" is that squashfs, read-only, on no disk; a file an appended
#     initramfs brings under /cairn/extra is laid over it (overlayfs);
#   - attacks, none of which boots: no cairn.root= at all, an empty one
#     after the real one (given twice), the hash of another image, a
#     node of the raw loop device planted where initd makes its own, one
#     byte changed in the image's first block (found at the mount), one in
#     its hash tree, one in a block in the middle (found when read, before
#     any program sees it).
. "$(dirname "$0")/vmlib"

fstype='awk '\''$5 == "/" { for (i = 7; $i != "-"; i++); print $(i + 1) }'\'' /proc/self/mountinfo'
# The root's superblock options (mountinfo's last field).
superopts='awk '\''$5 == "/" { for (i = 7; $i != "-"; i++); print $(i + 3) }'\'' /proc/self/mountinfo'

# The image as built: the root alone.
VM_BASE=1 vm_start ""
expect 'cairn.root: verified squashfs, root hash'
vm_run 'echo "RR-DM $(cat /sys/block/dm-0/dm/name) $(ls /sys/block/dm-0/slaves) $(cat /sys/block/dm-0/ro)"'
vm_run 'echo "RR-LOOP $(cat /sys/block/loop0/loop/backing_file) $(cat /sys/block/loop0/ro)"'
vm_run "echo \"RR-ROOT \$($fstype)\""
vm_run 'touch /usr/ramroot 2>/dev/null && echo "RR-WROTE" || echo "RR-""READONLY"'
# One decompressor per online CPU (2 here), not one per possible CPU.
vm_run "echo \"RR-SUPER \$(grep -c ^processor /proc/cpuinfo) \$($superopts)\""
vm_run 'echo "RR-MEM $(awk '\''/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { print int((t - a) / 1024) }'\'' /proc/meminfo) MB"'
vm_run 'initctl poweroff'
vm_end || true
expect 'RR-DM cairn-root loop0 1'
expect 'RR-LOOP /cairn/root.img 1'
expect 'RR-ROOT squashfs'
expect 'RR-READONLY'
expect 'RR-SUPER 2 ro,.*threads=2($|,)'
! grep -q 'lies over the verified root' "$vm/log" || fail "an overlay with nothing to lay over"
used=$(sed -n 's/^RR-MEM \([0-9]*\) MB.*/\1/p' "$vm/log")

# With a file from an appended initramfs.
mkdir -p "$vm/root/etc"
echo "laid-over" >"$vm/root/etc/ramroot-extra"
rm -f "$vm/log"
VM_BASE=1 vm_start ""
expect 'lies over the verified root'
vm_run "echo \"RR-ROOT \$($fstype)\""
vm_run 'echo "RR-EXTRA $(cat /etc/ramroot-extra) $(stat -c %a /)"'
vm_run 'initctl poweroff'
vm_end || true
expect 'RR-ROOT overlay'
expect 'RR-EXTRA laid-over 755'
rm -rf "$vm/root"
mkdir -p "$vm/root"

cp "$OUT/cmdline" "$vm/cmdline"
sed 's/ cairn\.root=[^ ]*//' "$OUT/cmdline" >"$vm/nohash"
# Another image's root hash, as a swapped image with its own tree has.
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^cairn\.root=/) { n = split($i, f, ":"); h = f[3];
	f[3] = (substr(h, 1, 1) == "0" ? "1" : "0") substr(h, 2); $i = f[1]; for (k = 2; k <= n; k++) $i = $i ":" f[k] } print }' \
	"$OUT/cmdline" >"$vm/otherhash"
! cmp -s "$vm/cmdline" "$vm/otherhash" || fail "the root hash was not changed"

boot_fails "no cairn.root" "$OUT/initramfs.cpio.zst" "$vm/nohash" "" 'not booting /cairn/root.img unverified'
boot_fails "cairn.root twice" "$OUT/initramfs.cpio.zst" "$vm/cmdline" "cairn.root=" 'not booting /cairn/root.img unverified'
boot_fails "another root hash" "$OUT/initramfs.cpio.zst" "$vm/otherhash" "" \
	'device-mapper: verity: .*is corrupted' 'Kernel panic'

# A node of the raw, unverified loop device where initd makes its own.
mkdir -p "$vm/plant/cairn"
mknod "$vm/plant/cairn/root.dev" b 7 0
cp "$OUT/initramfs.cpio.zst" "$vm/planted"
cpio_pad "$vm/planted"
(cd "$vm/plant" && printf 'cairn/root.dev\n' | cpio --quiet -o -H newc -R 0:0) >>"$vm/planted"
boot_fails "a planted root.dev" "$vm/planted" "$vm/cmdline" "" 'cairn.root: /cairn/root.dev: File exists: no root to boot'

# The image's bytes in the initramfs: after its cpio header and name.
at=$(initramfs_root_at "$OUT/initramfs.cpio.zst")
[ -n "$at" ] || fail "the initramfs carries no cairn/root.img"
img=$((at - 110 + 128))
blocks=$(sed -n 's/.*cairn\.root=verity:\([0-9]*\):.*/\1/p' "$OUT/cmdline")
[ -n "$blocks" ] || fail "$OUT/cmdline has no cairn.root=verity:BLOCKS:..."

# One byte in block 0, past the 96-byte superblock: the mount reads it.
cp "$OUT/initramfs.cpio.zst" "$vm/bad0"
flip_byte "$vm/bad0" $((img + 2000))
boot_fails "block 0 changed" "$vm/bad0" "$vm/cmdline" "" 'device-mapper: verity: .*data block 0 is corrupted' 'Kernel panic'

# One byte in the hash tree's first block (past the data).
cp "$OUT/initramfs.cpio.zst" "$vm/badtree"
flip_byte "$vm/badtree" $((img + blocks * 4096 + 100))
boot_fails "the tree changed" "$vm/badtree" "$vm/cmdline" "" 'device-mapper: verity: .*is corrupted' 'Kernel panic'

# One byte in a block in the middle: found when it is read.
mid=$((blocks / 2))
cp "$OUT/initramfs.cpio.zst" "$vm/badmid"
flip_byte "$vm/badmid" $((img + mid * 4096 + 100))
rm -f "$vm/log"
# shellcheck disable=SC2086
VM_NOWAIT=1 vm_launch --append "cairn.shell" --initrd "$vm/badmid" "$OUT" -- $QEMU_MACHINE
vm_wait "cairn: boot ok|data block $mid is corrupted" "$bound"
grep -q 'cairn: boot ok' "$vm/log" &&
	vm_run 'find / -xdev -type f 2>/dev/null | xargs cat >/dev/null 2>&1; echo RR-READ""-ALL'
vm_wait "device-mapper: verity: .*data block $mid is corrupted" "$bound"
vm_wait 'Kernel panic' 60
wait "$qpid" || true
qpid=
exec 3>&-
! grep -q 'RR-READ-ALL' "$vm/log" || fail "the whole root was read with block $mid changed"
echo "ramroot: / is the initramfs's squashfs through loop0 and dm-verity, read-only, on no disk; ${used} MB in use at the shell; an appended file laid over it; no boot without cairn.root, with it twice, with another hash, with a planted root.dev, or with block 0, the tree or block $mid changed"
