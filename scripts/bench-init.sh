#!/bin/sh
# scripts/bench-init.sh: initd against BusyBox init, in the same image and
# the same run: the time from PID 1's start until every service is ready,
# and PID 1's resident memory then.  Medians of N boots each.
#
# usage: bench-init.sh OUT N [QEMU_ARGS...]
#
# The workload, the same for both: the stage-1 work (mounts, sysctl.d,
# host name, the board's modules and coldplug, mdev -s, loopback) and NSVC services that each mark
# themselves ready with a file in /run/ready, plus mdev -df for hotplug.
# initd runs them from /etc/initd (and its logd besides, which BusyBox
# init has no counterpart for); BusyBox init from an inittab whose
# sysinit script does the stage-1 work and whose respawn lines are the
# services.  A probe started last by each polls /run/ready every 10 ms,
# then reads /proc/uptime, the kernel's "Run ... as init process" time
# (PID 1's exec; /proc/1/stat has the kernel thread's earlier start) and
# PID 1's VmRSS, prints them, and powers off.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: bench-init.sh OUT N [QEMU_ARGS...]}
n=${2:?usage: bench-init.sh OUT N [QEMU_ARGS...]}
shift 2
nsvc=${NSVC:-8}
qemu=$(dirname "$0")/qemu.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The probe: the same script for both inits.
probe() {
	cat <<PROBE
#!/bin/sh
while [ "\$(ls /run/ready 2>/dev/null | wc -l)" -lt $nsvc ]; do usleep 10000; done
up=\$(cut -d' ' -f1 /proc/uptime)
start=\$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] Run .* as init process.*/\1/p' | head -n 1)
rss=\$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/1/status)
echo "bench: ready \$(awk -v u="\$up" -v s="\$start" 'BEGIN { printf "%.3f", u - s }') rss \$rss" >/dev/console
poweroff
PROBE
}

svc_cmd() {
	echo "/bin/sh -c \"mkdir -p /run/ready; touch /run/ready/svc$1; exec sleep 100000\""
}

# initd's overlay: service files.
mkdir -p "$tmp/initd/etc/initd" "$tmp/initd/etc/bench"
probe >"$tmp/initd/etc/bench/probe"
i=1
while [ "$i" -le "$nsvc" ]; do
	printf 'command = %s\n' "$(svc_cmd "$i")" >"$tmp/initd/etc/initd/svc$i"
	i=$((i + 1))
done
printf 'command = /bin/sh /etc/bench/probe\nrestart = never\n' >"$tmp/initd/etc/initd/zprobe"

# BusyBox init's overlay: inittab and the sysinit script.
mkdir -p "$tmp/bb/etc/bench"
probe >"$tmp/bb/etc/bench/probe"
cat >"$tmp/bb/etc/bench/rc.sysinit" <<'RC'
#!/bin/sh
mount -t proc -o hidepid=invisible proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for f in /etc/sysctl.d/*.conf; do sysctl -q -p "$f"; done
hostname -F /etc/hostname
[ ! -f /etc/modules ] || modprobe -ab $(grep -v '^#' /etc/modules)
cat /sys/bus/*/devices/*/modalias /sys/class/*/*/modalias /sys/devices/system/*/modalias \
	2>/dev/null | sort -u | xargs modprobe -qab --
mdev -s
ip link set lo up
RC
{
	echo '::sysinit:/bin/sh /etc/bench/rc.sysinit'
	echo '::respawn:/sbin/mdev -df'
	i=1
	while [ "$i" -le "$nsvc" ]; do
		echo "::respawn:$(svc_cmd "$i")"
		i=$((i + 1))
	done
	echo '::once:/bin/sh /etc/bench/probe'
	echo '::shutdown:/bin/umount -a -r'
} >"$tmp/bb/etc/inittab"

for k in initd bb; do
	initrd_overlay "$out/initramfs.cpio.zst" "$tmp/$k" "$tmp/$k.initrd"
done

run() {
	kind=$1 append=$2
	shift 2
	timeout 300 "$qemu" --append "$append" --initrd "$tmp/$kind.initrd" "$out" -- "$@" \
		</dev/null >"$tmp/log" 2>&1 || true
	line=$(grep -a 'bench: ready' "$tmp/log" | tail -n 1)
	[ -n "$line" ] || { cat "$tmp/log" >&2; die "$kind boot: no 'bench: ready' line"; }
	echo "$line" | sed -n 's/.*bench: ready \([0-9.]*\) rss.*/\1/p' >>"$tmp/$kind.ready"
	echo "$line" | sed -n 's/.*bench: ready [0-9.]* rss \([0-9]*\).*/\1/p' >>"$tmp/$kind.rss"
}

: >"$tmp/initd.ready"; : >"$tmp/initd.rss"; : >"$tmp/bb.ready"; : >"$tmp/bb.rss"
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	run initd "" "$@"
	run bb "init=/sbin/init" "$@"
done
accel=$(cut -d' ' -f2 "$CAIRN_CACHE/kvm-probe" 2>/dev/null || echo tcg)

echo "init, median of $n boots each ($nsvc services + mdev; QEMU ${QEMU_ACCEL:-$accel}, $(nproc) host cores):"
printf '  %-16s %28s %16s\n' "" "PID 1 start to all ready (s)" "PID 1 RSS (kB)"
printf '  %-16s %28s %16s\n' "initd" "$(median <"$tmp/initd.ready")" "$(median <"$tmp/initd.rss")"
printf '  %-16s %28s %16s\n' "BusyBox init" "$(median <"$tmp/bb.ready")" "$(median <"$tmp/bb.rss")"
