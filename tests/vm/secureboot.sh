#!/bin/sh
# Secure Boot (doc/secure-boot.md) under OVMF's Secure Boot build, the
# build's PK, KEK and db enrolled into its variable store by virt-fw-vars,
# and no other key (none of Microsoft's).
#
# 1. The disk image as built (systemd-boot and the UKI signed with db)
#    boots: the firmware says Secure Boot is on (its SecureBoot variable,
#    the kernel's line), the kernel is locked down (integrity, from the
#    signed command line), its signed watchdog module is loaded, and the
#    same module without its signature is refused.
# 2. The same disk with the UKI's signature taken off, then with the UKI
#    signed by a key the firmware does not hold (systemd-boot: "Error
#    loading ...: Access Denied", the firmware's answer), then with
#    systemd-boot's signature taken off (the firmware refuses to start
#    it): Linux never starts.
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
for t in virt-fw-vars sbsign sbattach unsquashfs; do
	command -v "$t" >/dev/null || { echo "skipped: $t not installed (scripts/hostdeps.sh)"; exit 77; }
done
need_virtio_blk
: "${KEYS_DIR:?}"
PATH=$PATH:/usr/sbin
sb=$KEYS_DIR/secureboot
guid=$(cat "$sb/guid")
export MTOOLS_SKIP_CHECK=1

virt-fw-vars -i /usr/share/OVMF/OVMF_VARS_4M.fd -o "$vm/vars.fd" --set-pk "$guid" "$sb/PK.crt" \
	--add-kek "$guid" "$sb/KEK.crt" --add-db "$guid" "$sb/db.crt" --sb >"$vm/vars.log" 2>&1 ||
	{ cat "$vm/vars.log"; fail "virt-fw-vars could not enroll the keys"; }

# The watchdog module, its signature stripped (the signature is appended
# after the ELF; strip rewrites the ELF without it), onto the ESP.
unsquashfs -q -n -d "$vm/root" "$OUT/disk/slot.img" 'lib/modules' >/dev/null || fail "unsquashfs"
ko=$(find "$vm/root/lib/modules" -name i6300esb.ko | head -n 1)
[ -n "$ko" ] || fail "no i6300esb.ko in the image"
tail -c 28 "$ko" | grep -q 'Module signature appended' || fail "the image's i6300esb.ko is not signed"
strip --strip-debug -o "$vm/unsigned.ko" "$ko"
tail -c 28 "$vm/unsigned.ko" | grep -q 'Module signature appended' && fail "the stripped module still has its signature"
cp --sparse=always "$OUT/disk.img" "$vm/disk.img"
mcopy -i "$vm/disk.img@@1M" "$vm/unsigned.ko" ::/unsigned.ko || fail "mcopy"

# 1. The image as built.
# shellcheck disable=SC2046
vm_launch --uefi --secboot "$vm/vars.fd" "$OUT" -- $QEMU_MACHINE $(vm_disk 0 "$vm/disk.img")
vm_run 'mount -t efivarfs none /sys/firmware/efi/efivars 2>/dev/null; echo "SB-VAR $(xxd -p /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c) var"; echo "SB-LOADED $(grep -c "^i6300esb " /proc/modules) loaded"; cairn-agent os status >/dev/null; insmod /run/cairn/esp/unsigned.ko; echo "SB-UNSIGNED rc=$?"; insmod /lib/modules/*/kernel/drivers/watchdog/i6300esb.ko; echo "SB-SIGNED rc=$?"; dmesg | grep -i -e "secure boot" -e "unsigned module" -e "locked down"; initctl poweroff'
vm_end
expect 'SB-VAR 0[0-9a-f]{7}01 var'
expect 'secureboot: Secure boot enabled'
# lockdown=integrity is on the signed command line (securityfs, where the
# level could be read, is not built).
expect 'Kernel is locked down from command line'
expect 'SB-LOADED 1 loaded'
expect 'SB-UNSIGNED rc=[1-9]'
expect 'Key was rejected by service'
expect 'Loading of unsigned module is rejected'
# The signed one passes the signature check and stops at "already loaded".
expect 'SB-SIGNED rc=[1-9]'
expect 'File exists'

# refused WHAT: the disk, changed, must not start Linux under these keys.
refused() {
	rm -f "$vm/in" "$vm/log"
	mkfifo "$vm/in"
	# shellcheck disable=SC2046
	timeout 120 "$top/scripts/qemu.sh" --uefi --secboot "$vm/vars.fd" "$OUT" -- $QEMU_MACHINE \
		$(vm_disk 0 "$vm/bad.img" ,snapshot=on) <"$vm/in" >"$vm/log" 2>&1 &
	qpid=$!
	exec 3>"$vm/in"
	vm_wait "$2" 90
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null || true
	qpid=
	exec 3>&-
	grep -aq 'Linux version\|cairn: boot ok' "$vm/log" && fail "$1 started Linux under Secure Boot"
	echo "refused: $1"
}

# 2. An unsigned UKI, one signed by a stranger's key, an unsigned systemd-boot.
mcopy -i "$vm/disk.img@@1M" ::/EFI/Linux/cairn-a.efi "$vm/uki.efi" || fail "mcopy the UKI out"
sbattach --remove "$vm/uki.efi" >/dev/null 2>&1 || fail "sbattach --remove"
cp --sparse=always "$OUT/disk.img" "$vm/bad.img"
mcopy -o -i "$vm/bad.img@@1M" "$vm/uki.efi" ::/EFI/Linux/cairn-a.efi || fail "mcopy"
refused "an unsigned UKI" 'Error loading .*cairn-a.efi: Access Denied'

openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=stranger/" \
	-keyout "$vm/stranger.key" -out "$vm/stranger.crt" 2>/dev/null || fail "openssl"
sbsign --key "$vm/stranger.key" --cert "$vm/stranger.crt" --output "$vm/stranger.efi" "$vm/uki.efi" \
	>/dev/null 2>&1 || fail "sbsign"
cp --sparse=always "$OUT/disk.img" "$vm/bad.img"
mcopy -o -i "$vm/bad.img@@1M" "$vm/stranger.efi" ::/EFI/Linux/cairn-a.efi || fail "mcopy"
refused "a UKI signed by another key" 'Error loading .*cairn-a.efi: Access Denied'

mcopy -i "$vm/disk.img@@1M" ::/EFI/BOOT/BOOTX64.EFI "$vm/sdboot.efi" || fail "mcopy systemd-boot out"
sbattach --remove "$vm/sdboot.efi" >/dev/null 2>&1 || fail "sbattach --remove"
cp --sparse=always "$OUT/disk.img" "$vm/bad.img"
mcopy -o -i "$vm/bad.img@@1M" "$vm/sdboot.efi" ::/EFI/BOOT/BOOTX64.EFI || fail "mcopy"
refused "an unsigned systemd-boot" 'failed to load Boot[0-9]+ .*: Access Denied'
grep -aq 'Error loading' "$vm/log" && fail "the unsigned systemd-boot ran"

echo "Secure Boot: the signed image boots with lockdown integrity, an unsigned module is refused; an unsigned UKI, a stranger-signed UKI and an unsigned systemd-boot are refused by the firmware"
