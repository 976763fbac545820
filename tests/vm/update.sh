#!/bin/sh
# A/B updates with systemd-boot's boot counting (doc/update.md), under
# OVMF, on one disk flashed with the image (version N in slot A), the
# updates as bundles on read-only disks beside it.  QEMU runs with
# --reboot: the guest's reboots restart the firmware, as a machine's do.
#
# 1. Refused before anything is written (slot B still zeroes, no entry
#    for it on the ESP): an OS older than the running one, an expired
#    release, a release signed by a key the node does not trust, a
#    package whose bytes are not the signed ones, a slot image larger
#    than the slot, and an update while another holds the lock.
# 2. Power cut: QEMU killed at a random moment while N.1 is written to
#    slot B; the machine boots N from slot A, and the update run again
#    succeeds, this time from an https:// repository (the guest's NIC is
#    a tap in a network namespace the test makes, the server's
#    certificate from a CA made here).
# 3. The reboot tries N.1 in slot B; its check finds it healthy and
#    blesses it (cairn-b.efi); the next boot stays on B; the agent shows
#    N.1, and the update log the steps.
# 4. N.2 (containerd's service broken: never healthy) staged into slot A
#    with 2 tries (pkg os-update --stage): a plain reboot keeps N.1, the
#    staged N.2 unarmed; `cairn-agent os reboot` (Slurm's RebootProgram)
#    arms it: each try reboots after [update] health-timeout, then B boots
#    again by itself, records the rollback with the reason, and holds the
#    node out of service (the health check "os" fails with it).
#    Data migrations (cairn-agent os migrate): N.1's runs once on its
#    first boot, before containerd, and leaves the old format; N.2's runs
#    on its first try, and the rollback forgets it, to run again.
# 5. N.3 (its /sbin/initd exits: the kernel panics) into slot A with 2
#    tries: two panics, then B, with "never came as far as its health
#    check".
# 6. N.4 hangs (where QEMU has the i6300esb watchdog): its command line
#    arms the watchdog (cairn.watchdog, 5 s), and a service of its own
#    freezes PID 1 (cgroup v2's freezer), so nothing pets it.  With 1 try:
#    the watchdog resets the machine (no panic, no reboot of the kernel's),
#    and B boots again by itself and records the rollback.
# One QEMU runs from the power cut to the end: 2 + 3 + 2 boots and the
# health timeouts, more than vmlib's 240 s bound on a slow host.
BOOT_BOUND=${BOOT_BOUND:-900}
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] && [ -f "$OUT/disk/cairn-b.efi" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk
[ "$(id -u)" = 0 ] || { echo "skipped: the https repository's network namespace needs root"; exit 77; }
command -v python3 >/dev/null && command -v openssl >/dev/null ||
	{ echo "skipped: the https repository needs python3 and openssl"; exit 77; }
. "$(dirname "$0")/oslib"
PATH=$PATH:/usr/sbin
ns=cairn-upd-$$
https=
cleanup_ns() {
	[ -z "$https" ] || kill "$https" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_ns EXIT

# ---- the updates
# N.1 and N.2 carry data migrations: N.1's writes /var/lib/mig/v1 (the
# old format, one line) again as v2 ("value = LINE") and leaves v1.
printf '#!/bin/sh\necho "$CAIRN_OS_VERSION" >>/var/lib/mig/runs\n[ -f /var/lib/mig/v1 ] || exit 0\nsed "s/^/value = /" /var/lib/mig/v1 >/var/lib/mig/v2.new && mv /var/lib/mig/v2.new /var/lib/mig/v2\n' >"$vm/10-v2"
printf '#!/bin/sh\necho "$CAIRN_OS_VERSION" >>/var/lib/mig/runs2\n' >"$vm/20-again"
chmod 755 "$vm/10-v2" "$vm/20-again"
os_tree ok "$n.1" "mkdir -p usr/lib/cairn/migrate.d && cp '$vm/10-v2' usr/lib/cairn/migrate.d/"
os_tree health "$n.2" "sed -i 's|^command = .*|command = /bin/false|' etc/initd/containerd && mkdir -p usr/lib/cairn/migrate.d && cp '$vm/20-again' usr/lib/cairn/migrate.d/"
os_tree panic "$n.3" "rm sbin/initd && printf '#!/bin/sh\\nexit 1\\n' >sbin/initd && chmod 755 sbin/initd"
os_bundle ok "$n.1" $((trusted + 5)) "$vm/ok.os"
os_bundle health "$n.2" $((trusted + 6)) "$vm/health.os"
os_bundle panic "$n.3" $((trusted + 7)) "$vm/panic.os"
case " $QEMU_MACHINE " in
*" -device i6300esb "*) watchdog=yes ;;
*) watchdog= ;;
esac
if [ -n "$watchdog" ]; then
	printf '%s cairn.watchdog=/dev/watchdog0:5\n' "$(cat "$OUT/cmdline")" >"$vm/hang.cmdline"
	printf '#!/bin/sh\n# The test: PID 1 frozen, as in a hung machine.\nmkdir -p /sys/fs/cgroup/hang && echo 1 >/sys/fs/cgroup/hang/cgroup.procs && echo 1 >/sys/fs/cgroup/hang/cgroup.freeze\n' >"$vm/test-hang"
	chmod 755 "$vm/test-hang"
	os_tree hang "$n.4" "cp '$vm/test-hang' usr/lib/cairn/test-hang && printf 'command = /usr/lib/cairn/test-hang\\nrestart = never\\n' >etc/initd/test-hang" "$vm/hang.cmdline"
	os_bundle hang "$n.4" $((trusted + 8)) "$vm/hang.os"
fi
# Refused ones, each release newer than the last one trusted (a node
# keeps the newest it saw): their contents are never reached.
mkdir -p "$vm/small/boot"
cp "$vm/ok.os/boot/cairn-a.efi" "$vm/ok.os/boot/cairn-b.efi" "$vm/small/boot/"
echo small >"$vm/small/boot/slot.img"
os_bundle older 0.1 $((trusted + 2)) "$vm/small"
os_bundle expired "$n.7" $((trusted + 3)) "$vm/small" $((now - 86400))
"$PKG" key new "$vm" stranger >/dev/null 2>&1 || fail "pkg key new"
os_bundle stranger "$n.7" $((trusted + 3)) "$vm/small" $((now + 86400)) "$vm/stranger.key"
truncate -s 600M "$vm/small/boot/slot.img"
os_bundle big "$n.7" $((trusted + 4)) "$vm/small"
cp "$vm/ok.bundle" "$vm/corrupt.bundle"
off=$(head -c 1048576 "$vm/corrupt.bundle" | awk '/ cairn-os-.*\.pkg$/ { print $1; exit }')
[ -n "$off" ] || fail "no cairn-os in the bundle's table"
b=$(od -An -tu1 -j $((off + 3000000)) -N1 "$vm/corrupt.bundle" | tr -d ' ')
printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$vm/corrupt.bundle" bs=1 seek=$((off + 3000000)) conv=notrunc status=none

# ---- N.1's repository over https, in the test's own network namespace
vm_bridge_ns "$ns" 10.79.0.1/24
vm_pki "$vm/pki" site-ca
vm_cert "$vm/pki" site-ca srv 10.79.0.1
vm_https "$ns" 10.79.0.1 "$vm/ok.repo" "$vm/pki/srv.pem" "$vm/pki/srv.key"
https=$https_pid
export VM_NETNS=$ns
nic="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:98"

# ---- the node: the image flashed, a short health timeout in its config,
# an address on the test's network, the test CA on the ESP
cp --sparse=always "$OUT/disk.img" "$vm/disk.img"
truncate -s +256M "$vm/disk.img"
printf '[node]\nhostname = ab-node\n\n[net lan]\nmatch = mac 52:54:00:12:34:98\naddress = 10.79.0.2/24\n\n[update]\nhealth-timeout = 15\n' >"$vm/node.conf"
MTOOLS_SKIP_CHECK=1 mcopy -i "$vm/disk.img@@1M" "$vm/node.conf" ::/node.conf || fail "mcopy node.conf"
MTOOLS_SKIP_CHECK=1 mcopy -i "$vm/disk.img@@1M" "$vm/pki/site-ca.pem" ::/site-ca.pem || fail "mcopy the CA"
slotb=$(sfdisk -d "$vm/disk.img" | sed -n 's/.*start= *\([0-9]*\),.*name="cairn-b".*/\1/p')
disks="$nic $(vm_disk 0 "$vm/disk.img")"
i=1
for u in ok older expired stranger big corrupt health panic ${watchdog:+hang}; do
	disks="$disks $(vm_disk $i "$vm/$u.bundle" ,readonly=on)"
	i=$((i + 1))
done
# vdb ok, vdc older, vdd expired, vde stranger, vdf big, vdg corrupt, vdh health, vdi panic, vdj hang

# 1. Refusals, on N in slot A.
# shellcheck disable=SC2086
vm_launch --uefi --reboot "$OUT" -- $QEMU_MACHINE $disks
vm_run 'mkdir -p /var/lib/mig && echo old-format >/var/lib/mig/v1; for d in vdc vdd vde vdf vdg; do pkg --repo /dev/$d os-update; echo "UPD-$d rc=$?"; done; exec 8>>/var/lib/cairn/os/lock; flock 8; pkg --repo /dev/vdb os-update; echo "UPD-locked rc=$?"; exec 8>&-; echo "B-BYTES $(dd if=/dev/vda3 bs=1M count=4 2>/dev/null | tr -d "\000" | wc -c) bytes"; cairn-agent os status; echo "REFUSALS""-DONE"'
vm_wait 'REFUSALS-DONE' 300
for d in vdc vdd vde vdf vdg locked; do
	expect "UPD-$d rc=1"
done
expect "cairn-os 0.1 is older than the running OS \\($n\\): refused"
expect 'release version [0-9]+ expired at [0-9]+: refused'
expect 'release: 0 valid signatures by trusted keys, 1 needed'
expect 'too little space: refused'
expect 'sha256 does not match the signed index'
expect 'another os-update or os-install is running: refused'
expect 'B-BYTES 0 bytes'
expect "running   slot a, version $n, good"
expect 'slot b    no entry on the ESP'

# 2. Power cut while slot B is written, at a random moment.
vm_run 'pkg --repo /dev/vdb os-update; echo "UPD-""CUT rc=$?"'
vm_wait 'os-update: slot b \(/dev/vda3\)' 120
sleep "0.$(od -An -tu2 -N2 /dev/urandom | tr -d ' ' | cut -c1)"
# QEMU is timeout's child: the power cut is QEMU killed.
pkill -KILL -P "$qpid"
wait "$qpid" 2>/dev/null || true
qpid=
grep -aq 'UPD-CUT rc=[0-9]' "$vm/log" && fail "the update finished before the power cut: cut too late"
cp "$vm/log" "$vm/log.cut"
written=$(dd if="$vm/disk.img" bs=512 skip="$slotb" count=8192 2>/dev/null | tr -d '\000' | wc -c)
echo "power cut after some of slot B was written ($written of its first 4 MiB not zero)"
# shellcheck disable=SC2086
vm_launch --uefi --reboot "$OUT" -- $QEMU_MACHINE $disks
vm_wait 'all [0-9]+ services ready' 120
vm_run 'cairn-agent os status; pkg --repo https://10.79.0.1:8443/ --ca /run/cairn/esp/site-ca.pem os-update; echo "UPD-OK rc=$?"; cairn-agent os status; echo "AFTER""-CUT-DONE"'
vm_wait 'AFTER-CUT-DONE' 300
expect "running   slot a, version $n, good"
expect "update    $n.1 to slot b: cut off before it was written"
expect 'an earlier update was cut off: slot b is written again'
expect 'UPD-OK rc=0'
expect "pending   $n.1 in slot b, 3 tries"
expect 'slot b    on trial: 3 tries left, 0 done'
grep -q 'GET /cairn-os-[^ ]*\.pkg HTTP/1\.[01]" 200' "$vm/https.log" ||
	{ cat "$vm/https.log"; fail "the update after the cut did not come from the https repository"; }

# 3. The reboot tries N.1 in slot B: healthy, blessed; the next boot stays there.
reboot_then 'initctl reboot' 1 180
vm_run 'for i in $(seq 120); do cairn-agent os status | grep -q "^running.*good" && break; sleep 1; done; cairn-agent os status; ls /run/cairn/esp/EFI/Linux; cat /var/log/os-check.log; dmesg | grep -ai "fat-fs"; echo "V1 $(cat /var/lib/mig/v1)"; echo "V2 $(cat /var/lib/mig/v2)"; echo "RUNS $(wc -l </var/lib/mig/runs)"; sed "s/^/MIGRATED /" /var/lib/cairn/os/migrated; echo "TRIED""-B-DONE"'
vm_wait 'TRIED-B-DONE' 180
expect "running   slot b, version $n.1, good"
expect 'slot a    good'
expect "last      .* boot $n.1 in slot b: good after [0-9]+ s: the default from now on"
expect 'cairn-a.efi +cairn-b.efi'
# N.1's migration ran once, before containerd; the old format is still there.
expect 'V1 old-format'
expect 'V2 value = old-format'
expect 'RUNS 1'
expect "MIGRATED 10-v2 $n.1 [0-9]+"
reboot_then 'initctl reboot' 1 180
vm_run 'cairn-agent os status; echo "RUNS-AGAIN $(wc -l </var/lib/mig/runs)"; echo "STAYED""-DONE"'
vm_wait 'STAYED-DONE' 60
expect 'RUNS-AGAIN 1'
[ "$(tr -d '\r' <"$vm/log" | grep -ac "running   slot b, version $n.1, good")" -ge 2 ] ||
	fail "the boot after N.1 was blessed did not stay on slot B"

# 4. N.2, never healthy, with 2 tries: two tries of slot A, then B again by itself.
reboot_then 'pkg --repo /dev/vdh os-update --tries 2 --stage && initctl reboot' 1 180
vm_run 'cairn-agent os status; ls /run/cairn/esp/EFI/Linux; echo "STAGED""-DONE"'
vm_wait 'STAGED-DONE' 60
expect "running   slot b, version $n.1, good"
expect "staged    $n.2 in slot a, 2 tries: .cairn-agent os reboot. starts it"
expect 'cairn-a\+2\.efi\.staged'
reboot_then 'cairn-agent os reboot' 3 300
vm_run 'until cairn-agent os status | grep -q "^rollback"; do sleep 1; done; cairn-agent os status; cat /var/lib/cairn/os/log; echo "RUNS2 $(wc -l </var/lib/mig/runs2)"; sed "s/^/MIGRATED2 /" /var/lib/cairn/os/migrated; cairn-agent health; echo "HEALTH""-DONE"'
vm_wait 'HEALTH-DONE' 120
expect "update $n.2 in slot a: armed \\(2 tries\\); rebooting into it"
expect "FAIL os: rolled back: version $n.2 in slot a failed 2 tries"
# N.2's migration ran on its first try only, and the rollback forgot it
# (the old OS may change v1 again: a later update runs it again).
expect "migration 20-again of $n.2: done in [0-9]+ s"
expect 'RUNS2 1'
expect "MIGRATED2 10-v2 $n.1 [0-9]+"
tr -d '\r' <"$vm/log" | grep -aq 'MIGRATED2 20-again' && fail "the rolled-back N.2's migration is still recorded"
expect "running   slot b, version $n.1, good"
expect 'slot a    tried out \(2 tries\)'
expect "rollback  version $n.2 in slot a failed 2 tries: not healthy 15 s after boot 2: service [a-z-]+ is"
expect "boot $n.2 in slot a: not healthy 15 s after boot 1: service [a-z-]+ is"
expect "boot $n.2 in slot a: try 1, 1 left"
expect "boot $n.2 in slot a: try 2, 0 left"

# 5. N.3, whose init exits: two kernel panics, then B again by itself.
p0=$(tr -d '\r' <"$vm/log" | grep -ac 'Kernel panic' || true)
reboot_then 'pkg --repo /dev/vdi os-update --tries 2 && initctl reboot' 1 300
wait_n 'Kernel panic' $((p0 + 2)) 10
vm_run 'until cairn-agent os status | grep -q "^rollback.*'"$n"'.3"; do sleep 1; done; cairn-agent os status; echo "PANIC""-DONE"'
vm_wait 'PANIC-DONE' 120
expect "rollback  version $n.3 in slot a failed 2 tries: it never came as far as its health check"
[ "$(tr -d '\r' <"$vm/log" | grep -ac 'Kernel panic')" -eq $((p0 + 2)) ] || fail "not exactly 2 panics for 2 tries"

# 6. N.4 hangs, with 1 try: the watchdog's reset, then B again by itself.
if [ -n "$watchdog" ]; then
	r0=$(tr -d '\r' <"$vm/log" | grep -ac 'reboot: Restarting system' || true)
	reboot_then 'pkg --repo /dev/vdj os-update --tries 1 && initctl reboot' 2 300
	vm_run 'until cairn-agent os status | grep -q "^rollback.*'"$n"'.4"; do sleep 1; done; cairn-agent os status; echo "HANG""-DONE"'
	vm_wait 'HANG-DONE' 120
	expect 'watchdog /dev/watchdog0 .*timeout 5s'
	expect "rollback  version $n.4 in slot a failed 1 tries: "
	expect "running   slot b, version $n.1, good"
	# One reboot of the kernel's (into N.4); the way back was the watchdog's.
	[ "$(tr -d '\r' <"$vm/log" | grep -ac 'reboot: Restarting system')" -eq $((r0 + 1)) ] ||
		fail "N.4's boot ended other than by the watchdog's reset"
	[ "$(tr -d '\r' <"$vm/log" | grep -ac 'Kernel panic')" -eq $((p0 + 2)) ] || fail "N.4 panicked: not a hang"
fi
vm_run 'initctl poweroff'
vm_end
echo "A/B update: 6 refusals wrote nothing; a power cut mid-write boots the old slot and the update runs again (from https); N.1 tried, blessed and kept, its data migration run once; a never-healthy N.2 and a panicking N.3 each rolled back to N.1 by themselves after 2 tries, the reason recorded${watchdog:+; a hung N.4 reset by the watchdog and rolled back}"
