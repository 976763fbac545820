#!/bin/sh
# cairn-agent os reboot (doc/update.md, Staged updates), on a fake root
# whose ESP is a tmpfs in a mount namespace of its own: an update staged
# by pkg os-update --stage (its UKI named cairn-b+3.efi.staged, `staged`
# on /var) is armed (the entry systemd-boot tries first, `pending`), then
# initctl reboots; nothing staged, a plain reboot.  Refused, with nothing
# rebooted: a staged record whose kernel image is gone, one for the slot
# that runs, one that does not parse, a slot that has an entry already.
. "$(dirname "$0")/testlib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
unshare -m true 2>/dev/null || { echo "skipped: no mount namespaces here"; exit 77; }
root=$tmp/root
state=$root/var/lib/cairn/os
mkdir -p "$state" "$root/proc" "$root/run/cairn/esp" "$tmp/bin"
printf '#!/bin/sh\necho "$*" >>"%s/initctl.args"\n' "$tmp" >"$tmp/bin/initctl"
chmod +x "$tmp/bin/initctl"
echo "BOOT_IMAGE=x cairn.slot=a ro" >"$root/proc/cmdline"

# reboot CASE ESP-FILE...: os reboot, the ESP holding those (empty)
# files; exit status into $tmp/CASE.rc, output $tmp/CASE.out, the ESP's
# entries after it $tmp/CASE.esp.
reboot() {
	name=$1
	shift
	rm -f "$tmp/initctl.args"
	unshare -m --propagation private sh -c '
		esp=$1/run/cairn/esp
		mount -t tmpfs tmpfs "$esp" && mkdir -p "$esp/EFI/Linux" || exit 99
		shift 3
		for f; do : >"$esp/EFI/Linux/$f"; done
		rc=0
		"$CAIRN_AGENT" os reboot --root "'"$root"'" >"'"$tmp/$name.out"'" 2>&1 || rc=$?
		echo $rc >"'"$tmp/$name.rc"'"
		ls "$esp/EFI/Linux" >"'"$tmp/$name.esp"'"
	' sh "$root" x x "$@"
	[ "$(cat "$tmp/$name.rc")" != 99 ] || fail "$name: the fake ESP could not be mounted"
}
export CAIRN_AGENT PATH="$tmp/bin:$PATH"

# Staged: armed, then the reboot.
printf 'slot b\nversion 9.9\ntries 3\n' >"$state/staged"
reboot armed cairn-a.efi cairn-b+3.efi.staged
[ "$(cat "$tmp/armed.rc")" = 0 ] || { cat "$tmp/armed.out"; fail "os reboot with an update staged failed"; }
expect_line "$tmp/armed.out" "os: 9.9 in slot b armed (3 tries): rebooting into it"
expect_line "$tmp/armed.esp" "cairn-b+3.efi"
! grep -q staged "$tmp/armed.esp" || fail "the staged name is still on the ESP"
expect_line "$tmp/initctl.args" "reboot"
[ ! -e "$state/staged" ] || fail "staged is still there once armed"
printf 'slot b\nversion 9.9\ntries 3\n' | cmp -s - "$state/pending" || fail "pending is not the staged update"
expect_line "$state/log" "update 9.9 in slot b: armed (3 tries); rebooting into it"

# Nothing staged: a plain reboot, the ESP untouched.
rm -f "$state/pending"
reboot plain cairn-a.efi
[ "$(cat "$tmp/plain.rc")" = 0 ] || { cat "$tmp/plain.out"; fail "a plain os reboot failed"; }
expect_line "$tmp/plain.out" "os: nothing staged: rebooting"
expect_line "$tmp/initctl.args" "reboot"

# refused CASE WHY ESP-FILE...: no reboot, exit 1, WHY said.
refused() {
	name=$1 why=$2
	shift 2
	reboot "$name" "$@"
	[ "$(cat "$tmp/$name.rc")" = 1 ] || { cat "$tmp/$name.out"; fail "$name: os reboot did not refuse"; }
	expect_line "$tmp/$name.out" "$why"
	[ ! -e "$tmp/initctl.args" ] || fail "$name: rebooted all the same"
	[ ! -e "$state/pending" ] || fail "$name: pending written"
}
printf 'slot b\nversion 9.9\ntries 3\n' >"$state/staged"
refused gone "its kernel image is not on the ESP: refused" cairn-a.efi
refused entry "the slot has an entry already: refused" cairn-a.efi cairn-b+1-2.efi cairn-b+3.efi.staged
printf 'slot a\nversion 9.9\ntries 3\n' >"$state/staged"
refused running "9.9 is staged for slot a, and this boot runs from that slot: refused" cairn-a.efi cairn-a+3.efi.staged
printf 'slot b\nversion 9.9\n' >"$state/staged"
refused garbled "$state/staged: Invalid argument: refused" cairn-a.efi cairn-b+3.efi.staged
echo "os reboot: a staged update armed and rebooted into; nothing staged, a plain reboot; 4 bad states refused without a reboot"
