#!/bin/sh
# pkg os-update onto a disk that lies (doc/update.md): the node's disk is
# served by nbdkit, whose Python plugin (lying-disk.py) reads the image
# file and, while the test says so, changes one byte of what slot B reads
# back.  The update stops at its read-back with "it differs from the
# signed image: the disk may be failing" (exit 111); slot B gets no entry
# on the ESP, and the next boot is slot A's, unchanged.  With the disk
# honest again the same update succeeds.  Before that, six `cairn-agent os
# status` at once, the ESP unmounted: each one mounts it or finds it
# mounted.
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] && [ -f "$OUT/disk/cairn-b.efi" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
command -v nbdkit >/dev/null && [ -n "$(find /usr/lib -path '*nbdkit/plugins/nbdkit-python-plugin.so' 2>/dev/null)" ] ||
	{ echo "skipped: nbdkit and its Python plugin not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk
. "$(dirname "$0")/oslib"
nbd=
cleanup_nbd() {
	[ -z "$nbd" ] || kill "$nbd" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_nbd EXIT

os_tree ok "$n.1"
os_bundle ok "$n.1" $((trusted + 5)) "$vm/ok.os"
cp --sparse=always "$OUT/disk.img" "$vm/disk.img"
slotb=$(sfdisk -d "$vm/disk.img" | sed -n 's/.*start= *\([0-9]*\),.*name="cairn-b".*/\1/p')
[ -n "$slotb" ] || fail "no cairn-b partition in the image"
# The byte that lies: 1 MiB into slot B.
at=$((slotb * 512 + 1048576))
nbdkit --foreground --unix "$vm/nbd.sock" python "$top/tests/vm/lying-disk.py" \
	file="$vm/disk.img" lie="$vm/lie" at="$at" >"$vm/nbdkit.log" 2>&1 &
nbd=$!
for i in $(seq 300); do [ -S "$vm/nbd.sock" ] && break; sleep 0.1; done
[ -S "$vm/nbd.sock" ] || { cat "$vm/nbdkit.log"; fail "nbdkit did not start"; }
disks="-drive if=none,id=d0,format=raw,file=nbd:unix:$vm/nbd.sock -device virtio-blk-pci,drive=d0"
disks="$disks $(vm_disk 1 "$vm/ok.bundle" ,readonly=on)"

# shellcheck disable=SC2086
vm_launch --uefi --reboot "$OUT" -- $QEMU_MACHINE $disks
vm_wait 'all [0-9]+ services ready' 120
# First, six `os status` at once with the ESP not mounted: each mounts it,
# or finds it mounted by another (a second mount of it on the same place
# is EBUSY, which is not a reason to fail).
vm_run 'umount /run/cairn/esp; for i in 1 2 3 4 5 6; do (cairn-agent os status >/tmp/st$i 2>&1; echo "RACE-$i rc=$? $(grep -c "^running   slot a" /tmp/st$i)") & done; wait; grep -h "^os:" /tmp/st?; echo "RACE""-DONE"'
vm_wait 'RACE-DONE' 120
for i in 1 2 3 4 5 6; do
	expect "RACE-$i rc=0 1"
done
touch "$vm/lie"
vm_run 'pkg --repo /dev/vdb os-update; echo "UPD-LIE rc=$?"; cairn-agent os status; ls /run/cairn/esp/EFI/Linux; echo "LIE""-DONE"'
vm_wait 'LIE-DONE' 300
expect 'UPD-LIE rc=111'
expect 'read back, it differs from the signed image: the disk may be failing'
expect 'slot b    no entry on the ESP'
expect "last      .*update $n.1 to slot b: failed: .*differs from the signed image"
tr -d '\r' <"$vm/log" | grep -aq 'cairn-b' && fail "slot B has an entry after a read-back that differed"
grep -q 'lied' "$vm/nbdkit.log" || { cat "$vm/nbdkit.log"; fail "the disk never lied: the read-back was not from the disk"; }

# The next boot: slot A, as before.
rm "$vm/lie"
reboot_then 'initctl reboot' 1 180
wait_n 'all [0-9]+ services ready' 2 120
vm_run 'cairn-agent os status | sed "s/^/AFTER /"; pkg --repo /dev/vdb os-update; echo "UPD-TRUE rc=$?"; cairn-agent os status; echo "TRUE""-DONE"; initctl poweroff'
vm_wait 'TRUE-DONE' 300
vm_end
expect "AFTER running   slot a, version $n, good"
expect 'UPD-TRUE rc=0'
expect "pending   $n.1 in slot b, 3 tries"
echo "a read-back that differs stopped the update (exit 111) with no entry for slot B; slot A booted; the honest disk took the update"
