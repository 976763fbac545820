#!/bin/sh
# scripts/bench-update.sh: A/B update figures (doc/update.md) for a
# board's disk image under OVMF, each a median of N runs beside a baseline
# measured in the same run on the same machine:
#
#   write     pkg os-update of a slot: the package checked, the slot
#             streamed, fsynced and read back from the disk, the UKI onto
#             the ESP (guest seconds, /proc/uptime)
#             baseline: dd of as many bytes onto the same partition,
#             synced, then read back past a dropped page cache (the disk
#             alone)
#   good      from `initctl reboot` to the new slot's check declaring it
#             good (host seconds: firmware, systemd-boot, kernel, services,
#             health)
#             baseline: from `initctl reboot` to "all services ready" on a
#             slot already good
#   rollback  an update whose init exits (the kernel panics), 1 try: from
#             `initctl reboot` to the old slot's recorded rollback
#             baseline: the same as good's
#
# usage: bench-update.sh OUT N [QEMU_ARGS...]
# env: PKG (the host's pkg), KEYS_DIR (the build's keys)
set -eu
OUT=${1:?usage: bench-update.sh OUT N [QEMU_ARGS...]}
runs=${2:?usage: bench-update.sh OUT N [QEMU_ARGS...]}
shift 2
QEMU_MACHINE=$*
export OUT
top=$(cd "$(dirname "$0")/.." && pwd)
# One QEMU runs every round: far past vmlib's 240 s bound.
BOOT_BOUND=${BOOT_BOUND:-3600}
. "$top/tests/vm/vmlib"
[ -f "$OUT/disk.img" ] || die "$OUT/disk.img: no disk image (x86_64 boards; run 'make')"
. "$top/tests/vm/oslib"
PATH=$PATH:/usr/sbin

# mark PATTERN COUNT: host seconds once the console shows PATTERN on COUNT lines.
mark() {
	until [ "$(tr -d '\r' <"$vm/log" | grep -Eac -- "$1")" -ge "$2" ]; do
		kill -0 "$qpid" 2>/dev/null || fail "qemu died waiting for '$1'"
		sleep 0.2
	done
	now
}
count() { tr -d '\r' <"$vm/log" | grep -Eac -- "$1" || true; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
span() { echo "$1 $2" | awk '{ printf "%.3f\n", $2 - $1 }'; }

say BENCH "making $runs good releases and a panicking one (mksquashfs, veritysetup)"
i=1 disks=
while [ "$i" -le "$runs" ]; do
	os_tree "good$i" "$n.$i"
	os_bundle "good$i" "$n.$i" $((trusted + i)) "$vm/good$i.os"
	rm -rf "$vm/good$i.os"
	i=$((i + 1))
done
os_tree panic "$n.999" "rm sbin/initd && printf '#!/bin/sh\\nexit 1\\n' >sbin/initd && chmod 755 sbin/initd"
os_bundle panic "$n.999" $((trusted + runs + 1)) "$vm/panic.os"
cp --sparse=always "$OUT/disk.img" "$vm/disk.img"
truncate -s +256M "$vm/disk.img"
disks="$(vm_disk 0 "$vm/disk.img") $(vm_disk 1 "$vm/panic.bundle" ,readonly=on)"
i=1
while [ "$i" -le "$runs" ]; do
	disks="$disks $(vm_disk $((i + 1)) "$vm/good$i.bundle" ,readonly=on)"
	i=$((i + 1))
done
mib=$(($(stat -c %s "$OUT/disk/slot.img") >> 20))

# shellcheck disable=SC2086
vm_launch --uefi --reboot "$OUT" -- $QEMU_MACHINE $disks
: >"$vm/write" ; : >"$vm/write.base"; : >"$vm/good"; : >"$vm/good.base"; : >"$vm/back"; : >"$vm/back.base"
i=1 slot=b
while [ "$i" -le "$runs" ]; do
	dev=vd$(echo "$i" | awk '{ printf "%c", 98 + $1 }')
	part=/dev/vda3
	[ "$slot" = b ] || part=/dev/vda2
	# The disk alone, then the update, on the slot the update writes.
	vm_run "t0=\$(cut -d' ' -f1 /proc/uptime); { dd if=/dev/zero of=$part bs=1M count=$mib && sync && echo 3 >/proc/sys/vm/drop_caches && dd if=$part of=/dev/null bs=1M count=$mib; } 2>/dev/null || echo DD-\"\"FAILED; t1=\$(cut -d' ' -f1 /proc/uptime); pkg --repo /dev/$dev os-update >/dev/null 2>&1 || echo UPDATE-\"\"FAILED; t2=\$(cut -d' ' -f1 /proc/uptime); echo \"BENCH""-W$i \$t0 \$t1 \$t2\""
	mark "^BENCH-W$i " 1 >/dev/null
	grep -aq UPDATE-FAILED "$vm/log" && fail "run $i: pkg os-update failed"
	grep -aq DD-FAILED "$vm/log" && fail "run $i: the baseline's dd failed"
	tr -d '\r' <"$vm/log" | awk -v k="BENCH-W$i" '$1 == k { printf "%.3f\n", $3 - $2 > "/dev/stderr"; printf "%.3f\n", $4 - $3 }' \
		>>"$vm/write" 2>>"$vm/write.base"
	b=$(count 'cairn: boot ok')
	t0=$(now)
	vm_run 'initctl reboot'
	mark 'cairn: boot ok' $((b + 1)) >/dev/null
	vm_run 'until cairn-agent os status | grep -q "^running.*good"; do usleep 200000; done; echo "BENCH""-GOOD'"$i"'"'
	t1=$(mark "^BENCH-GOOD$i" 1)
	span "$t0" "$t1" >>"$vm/good"
	# Baseline: a reboot into what is now good.
	r=$(count 'all [0-9]+ services ready')
	t0=$(now)
	vm_run 'initctl reboot'
	t1=$(mark 'all [0-9]+ services ready' $((r + 1)))
	span "$t0" "$t1" >>"$vm/good.base"
	[ "$slot" = b ] && slot=a || slot=b
	i=$((i + 1))
done
i=1
while [ "$i" -le "$runs" ]; do
	vm_run 'pkg --repo /dev/vdb os-update --tries 1 >/dev/null 2>&1 && echo "BENCH""-PANIC-WRITTEN'"$i"'"'
	mark "^BENCH-PANIC-WRITTEN$i" 1 >/dev/null
	b=$(count 'cairn: boot ok')
	t0=$(now)
	vm_run 'initctl reboot'
	# The panic, then the old slot, whose check records the rollback.
	mark 'cairn: boot ok' $((b + 1)) >/dev/null
	vm_run 'until [ "$(grep -c "rollback: version '"$n"'.999" /var/lib/cairn/os/log)" -ge '"$i"' ]; do usleep 200000; done; echo "BENCH""-BACK'"$i"'"'
	t1=$(mark "^BENCH-BACK$i" 1)
	span "$t0" "$t1" >>"$vm/back"
	i=$((i + 1))
done
vm_run 'initctl poweroff'
vm_end
cp "$vm/good.base" "$vm/back.base"

printf '%-10s %10s %12s %8s   (median of %d, seconds)\n' measure cairn baseline ratio "$runs"
for m in write good back; do
	a=$(median <"$vm/$m") b=$(median <"$vm/$m.base")
	printf '%-10s %10s %12s %8s\n' "$([ $m = back ] && echo rollback || echo $m)" "$a" "$b" \
		"$(echo "$a $b" | awk '{ if ($2 > 0) printf "%.2fx", $1 / $2; else print "-" }')"
done
echo "write: $mib MiB slot, pkg os-update (check, stream, fsync, read back, UKI) vs dd write+sync+read of $mib MiB"
echo "good: reboot to the new slot's check declaring it good vs reboot to all services ready on a good slot"
echo "rollback: reboot into an update that panics (1 try) to the old slot's recorded rollback vs the same plain reboot"
