#!/bin/sh
# The air-gapped install (doc/install.md) under OVMF, with no network
# device at all: the installer image boots with the bundle as a second
# disk and a blank third disk.  First with one byte of the OS package in
# the bundle changed: the installer stops, and the target is still all
# zeroes.  Then with the bundle as built: it installs and powers off, and
# the target disk boots to "cairn: boot ok" with the node config the
# installer's stick carried (its host name), /var on its data partition,
# while a stranger's CAIRNCFG stick beside it is named and ignored.
. "$(dirname "$0")/vmlib"
bundle=$OUT/cairn-$(basename "$OUT").bundle
[ -f "$OUT/installer.img" ] && [ -f "$bundle" ] || { echo "skipped: no installer.img or bundle (make bundle; x86_64 boards)"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk
PATH=$PATH:/usr/sbin

# The stick, with the node config for the machine it installs.
cp --sparse=always "$OUT/installer.img" "$vm/stick.img"
printf '[node]\nhostname = installed-07\n' >"$vm/node.conf"
MTOOLS_SKIP_CHECK=1 mcopy -i "$vm/stick.img@@1M" "$vm/node.conf" ::/node.conf || fail "mcopy node.conf onto the stick"

# 1. A tampered bundle: refused before the target is written.
off=$(head -c 1048576 "$bundle" | awk '/ cairn-os-.*\.pkg$/ { print $1; exit }')
[ -n "$off" ] || fail "no cairn-os package in the bundle's table"
cp "$bundle" "$vm/tampered.bundle"
b=$(od -An -tu1 -j $((off + 4000000)) -N1 "$vm/tampered.bundle" | tr -d ' ')
printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$vm/tampered.bundle" bs=1 seek=$((off + 4000000)) conv=notrunc status=none
truncate -s 3G "$vm/target.img"
# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/stick.img") $(vm_disk 1 "$vm/tampered.bundle" ,readonly=on) \
	$(vm_disk 2 "$vm/target.img")
vm_wait 'install: STOPPED' 120
vm_run 'initctl poweroff'
vm_end
expect 'install: bundle: /dev/vdb'
expect 'install: target: /dev/vdc'
expect 'sha256 does not match the signed index: refused'
grep -q 'install: done' "$vm/log" && fail "a tampered bundle was installed"
[ "$(tr -d '\000' <"$vm/target.img" | head -c 1 | wc -c)" -eq 0 ] || fail "the tampered bundle's install wrote to the target"
cp "$vm/log" "$vm/log.tampered"

# 2. The bundle as built: installed, then the machine powers off by itself.
rm -f "$vm/log"
# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/stick.img") $(vm_disk 1 "$bundle" ,readonly=on) \
	$(vm_disk 2 "$vm/target.img")
vm_wait 'install: done' 300
vm_end
expect 'install: node config: medium LABEL=CAIRNCFG:/node.conf'
expect 'os-install: cairn-os [^ ]+ \([0-9]+ MiB\), checked against the signed index'
expect 'install: node config written to /dev/vdc1'
expect 'reboot: Power down'
cp "$vm/log" "$vm/log.install"

# 3. The installed disk, with a stranger's stick in a USB port (labelled
# CAIRNCFG too, its own node.conf): it boots with the stick's config, and
# the stranger's is named and ignored.
rm -f "$vm/log"
printf '[node]\nhostname = intruder\n' >"$vm/intruder.conf"
mkfs.vfat -n CAIRNCFG -C "$vm/stranger.img" 8192 >/dev/null || fail "mkfs.vfat"
MTOOLS_SKIP_CHECK=1 mcopy -i "$vm/stranger.img" "$vm/intruder.conf" ::/node.conf || fail "mcopy onto the stranger's stick"
# shellcheck disable=SC2046
vm_launch --uefi "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/target.img") $(vm_disk 1 "$vm/stranger.img")
vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; initctl log node-config | sed "s/^/INST-SETUP /"; echo "INST-HOST $(hostname) $(cut -d" " -f1 /run/cairn/node.conf.origin)"; echo "INST-ROOT $(cat /sys/block/dm-0/dm/name)"; echo "INST-VAR $(grep " /var " /proc/mounts | cut -d" " -f1-3)"; initctl poweroff'
vm_end
expect 'INST-HOST installed-07 medium'
expect 'INST-SETUP .*setup: /dev/vdb \(LABEL=CAIRNCFG\): not on the boot disk \(vda\) nor where the boot loader started \(vda1\): ignored'
expect 'INST-SETUP .*setup: node.conf from /dev/vda1'
grep -q 'INST-HOST intruder' "$vm/log" && fail "a stranger's CAIRNCFG stick gave the node its config"
expect 'INST-ROOT cairn-root'
expect 'INST-VAR /dev/vda4 /var ext4'
echo "installer: a tampered bundle refused with the target untouched; installed from the bundle, powered off, the disk boots with the stick's config and a stranger's CAIRNCFG stick ignored"
