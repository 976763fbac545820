#!/bin/sh
# cairn-agent os reboot (doc/update.md, Staged updates), on a fake root
# whose ESP is a tmpfs in a mount namespace of its own: an update staged
# by pkg os-update --stage (its UKI named cairn-b+3.efi.staged, `staged`
# on /var) is armed (the entry systemd-boot tries first, `pending`), then
# initctl reboots; nothing staged, a plain reboot.  Dropped, logged, and a
# plain reboot: a staged record whose kernel image is gone, one for the
# slot that runs (armed before a power cut), one that does not parse, a
# slot that has an entry already.  A reboot asked for while an update is
# written waits for the OS lock.
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

# dropped CASE VERSION WHY ESP-FILE...: the staged record (" (VERSION)",
# or "") gone, WHY said and logged, and a plain reboot.
dropped() {
	name=$1 v=$2 why=$3
	shift 3
	reboot "$name" "$@"
	[ "$(cat "$tmp/$name.rc")" = 0 ] || { cat "$tmp/$name.out"; fail "$name: os reboot failed"; }
	expect_line "$tmp/$name.out" "os: the update staged$v: $why: dropped, a plain reboot"
	expect_line "$state/log" "the update staged$v dropped: $why"
	expect_line "$tmp/initctl.args" "reboot"
	[ ! -e "$state/pending" ] || fail "$name: pending written"
	[ ! -e "$state/staged" ] || fail "$name: the staged record kept"
}
printf 'slot b\nversion 9.9\ntries 3\n' >"$state/staged"
dropped gone " (9.9)" "its kernel image is not on the ESP" cairn-a.efi
printf 'slot b\nversion 9.9\ntries 3\n' >"$state/staged"
dropped entry " (9.9)" "the slot has an entry already" cairn-a.efi cairn-b+1-2.efi cairn-b+3.efi.staged
grep -q 'cairn-b+1-2.efi' "$tmp/entry.esp" || fail "entry: the slot's own entry was touched"
printf 'slot a\nversion 9.9\ntries 3\n' >"$state/staged"
dropped running " (9.9)" "it is for slot a, which runs (armed before)" cairn-a+2-1.efi cairn-b.efi
printf 'slot b\nversion 9.9\n' >"$state/staged"
dropped garbled "" "its record does not parse" cairn-a.efi cairn-b+3.efi.staged

# An update being written (its lock held, as pkg holds it): the reboot waits.
printf 'slot b\nversion 9.9\ntries 3\n' >"$state/staged"
exec 8>>"$state/lock"
flock 8
(exec 8>&-; reboot locked cairn-a.efi cairn-b+3.efi.staged) &
waiter=$!
waitfor "$tmp/locked.out" "os: an update is being written: waiting for it"
[ ! -e "$tmp/initctl.args" ] || fail "rebooted while an update was written"
exec 8>&-
wait $waiter
expect_line "$tmp/locked.out" "os: 9.9 in slot b armed (3 tries): rebooting into it"
expect_line "$tmp/initctl.args" "reboot"
echo "os reboot: a staged update armed and rebooted into; nothing staged, a plain reboot; 4 stale states dropped; waits for an update being written"
