#!/bin/sh
# scripts/bench-runtime.sh: the container runtime of a booted image, with
# baselines from the same boots: PID 1's start to containerd ready (beside
# PID 1's start to initd's first services ready), `ctr run` to the
# container's first output line (beside the same command run without a
# container), and containerd's memory when idle (beside initd's).
# Medians of N boots; each boot runs the container RUNS times.
#
# usage: bench-runtime.sh OUT N [QEMU_ARGS...]
#
# A probe service that depends on containerd waits for the built-in test
# image, times RUNS `ctr run --rm cairn.local/test:1 ... echo first` and
# as many `/bin/sh -c 'echo first'`, reads `initctl timeline`, containerd's
# and initd's VmRSS and containerd's cgroup memory.current after 5 s of
# idling, prints one line and powers off.  Times come from /proc/uptime
# (10 ms steps).
#
# Each boot is made twice, alternately: the image as built (the root a
# verified squashfs in RAM, doc/netboot.md, with the board's layer k8s,
# which holds ctr and the test image the probe runs) and, as the baseline, the
# same root unpacked by the kernel from a plain cpio archive (how Cairn
# netbooted before).  For both: kernel start to containerd ready, and
# the memory in use then (MemTotal - MemAvailable, read by the probe the
# moment containerd is ready).
#
# And a third boot each round, the comparison a user cares about: Debian
# 12 with systemd and Debian's containerd (scripts/debian-root.sh: made
# once with debootstrap, cached outside the checkout) from an ext4 virtio
# disk, on the same kernel, command line (less Cairn's own words) and
# QEMU settings; its probe reads the same figures when containerd.service
# is ready, and systemd's and containerd's VmRSS 5 s later.
. "$(dirname "$0")/lib.sh"

# at_ready LOG TIMES USED: the probe's "bench: ready" figures from LOG
# appended to TIMES (s) and USED (kB).
at_ready() {
	_l=$(grep -a 'bench: ready' "$1" | tail -n 1 | tr -d '\r')
	[ -n "$_l" ] || return 1
	echo "$_l" | sed -n 's/.* ready \([0-9.]*\) .*/\1/p' >>"$2"
	echo "$_l" | sed -n 's/.* used \([0-9]*\).*/\1/p' >>"$3"
}

out=${1:?usage: bench-runtime.sh OUT N [QEMU_ARGS...]}
n=${2:?usage: bench-runtime.sh OUT N [QEMU_ARGS...]}
shift 2
runs=${RUNS:-5}
qemu=$(dirname "$0")/qemu.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/root/etc/initd" "$tmp/root/etc/bench"
cat >"$tmp/root/etc/bench/probe" <<PROBE
#!/bin/sh
up() { cut -d' ' -f1 /proc/uptime; }
# first CMD...: seconds from now to CMD's first output line.
first() {
	t0=\$(up)
	"\$@" 2>&1 | { read -r _; up >/tmp/t1; cat >/dev/null; }
	awk -v a="\$t0" -v b="\$(cat /tmp/t1)" 'BEGIN { printf "%.2f", b - a }'
}
i=0
until ctr images ls -q 2>/dev/null | grep -q '^cairn.local/test:1\$'; do
	i=\$((i + 1)); [ \$i -lt 600 ] || { echo "bench: no test image" >/dev/console; poweroff; }
	usleep 100000
done
run= bare=
i=0
while [ \$i -lt $runs ]; do
	i=\$((i + 1))
	run="\$run \$(first ctr run --rm cairn.local/test:1 bench\$i /bin/echo first)"
	bare="\$bare \$(first /bin/sh -c 'echo first')"
done
sleep 5
tl=\$(initctl timeline)
t_init=\$(echo "\$tl" | awk '\$1 == "initd" { print \$2 }')
t_ctd=\$(echo "\$tl" | awk '\$1 == "containerd" { print \$2 }')
t_mdev=\$(echo "\$tl" | awk '\$1 == "mdev" { print \$2 }')
pid=\$(pidof containerd)
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/\$1/status; }
cg=\$(cat /sys/fs/cgroup/initd/containerd/memory.current 2>/dev/null || echo 0)
echo "bench: ctd \$(awk -v a="\$t_init" -v b="\$t_ctd" 'BEGIN { printf "%.2f", b - a }')" \
	"mdev \$(awk -v a="\$t_init" -v b="\$t_mdev" 'BEGIN { printf "%.2f", b - a }')" \
	"rss \$(rss \$pid) initrss \$(rss 1) cg \$((cg / 1024)) run\$run bare\$bare" >/dev/console
poweroff
PROBE
# The moment containerd is ready: its start, and the memory then in use.
cat >"$tmp/root/etc/bench/at-ready" <<'READY'
#!/bin/sh
echo "bench: ready $(cut -d' ' -f1 /proc/uptime) used $(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo)" >/dev/console
READY
printf 'command = /bin/sh /etc/bench/at-ready\ndepends = containerd\nready = exit\nrestart = never\n' \
	>"$tmp/root/etc/initd/atready"
printf 'command = /bin/sh /etc/bench/probe\ndepends = containerd\nrestart = never\n' \
	>"$tmp/root/etc/initd/zprobe"

# The node: the base payload and the layer k8s (ctr and the test image,
# which the probe runs), where the board has layers.
k8s=$out/layer-k8s.cpio
[ -f "$k8s" ] || k8s=
initrd_cat "$tmp/node.initrd" "$out/initramfs.cpio.zst" ${k8s:+"$k8s"}
initrd_overlay "$tmp/node.initrd" "$tmp/root" "$tmp/initrd"
# The baseline: the same root and files as one cpio archive the kernel
# unpacks, initd its /init (zstd -3: decompression is as fast as at 19).
# Root: unsquashfs keeps the files' owners only for root.
[ "$(id -u)" = 0 ] || die "bench-runtime needs root (the baseline root keeps its files' owners)"
mkdir -p "$tmp/flat"
initramfs_root "$out/initramfs.cpio.zst" "$tmp/flat"
[ -z "$k8s" ] || layer_root "$k8s" "$tmp/flat"
cp -a "$tmp/root/." "$tmp/flat/"
(cd "$tmp/flat" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) | zstd -q -3 -T0 >"$tmp/flat.cpio.zst"
rm -rf "$tmp/flat"
sed -e 's/ cairn\.root=[^ ]*//' -e 's/ cairn\.layer=[^ ]*//g' "$out/cmdline" >"$tmp/flat.cmdline"
debimg=$("$(dirname "$0")/debian-root.sh") || die "no Debian baseline image"
{ tr ' ' '\n' <"$out/cmdline" | grep -v '^cairn\.' | tr '\n' ' '; echo 'root=/dev/vda rw'; } >"$tmp/deb.cmdline"

for f in ctd mdev rss initrss cg run bare ready used fready fused dready dused dpid1 dctd; do : >"$tmp/$f"; done
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	timeout 600 "$qemu" --initrd "$tmp/initrd" "$out" -- "$@" </dev/null >"$tmp/log" 2>&1 || true
	line=$(grep -a 'bench: ctd' "$tmp/log" | tail -n 1)
	[ -n "$line" ] || { cat "$tmp/log" >&2; die "boot $i: no 'bench: ctd' line"; }
	for f in ctd mdev rss initrss cg; do
		echo "$line" | sed -n "s/.* $f \([0-9.]*\).*/\1/p" >>"$tmp/$f"
	done
	echo "$line" | sed -n 's/.* run\(.*\) bare.*/\1/p' | tr ' ' '\n' | grep . >>"$tmp/run"
	echo "$line" | sed -n 's/.* bare\(.*\)$/\1/p' | tr -d '\r' | tr ' ' '\n' | grep . >>"$tmp/bare"
	at_ready "$tmp/log" "$tmp/ready" "$tmp/used" || die "boot $i: no 'bench: ready' line"
	# The baseline boot: the kernel's -append is replaced, not added to.
	timeout 600 "$qemu" --initrd "$tmp/flat.cpio.zst" --cmdline "$tmp/flat.cmdline" "$out" -- "$@" </dev/null \
		>"$tmp/log" 2>&1 || true
	at_ready "$tmp/log" "$tmp/fready" "$tmp/fused" || { cat "$tmp/log" >&2; die "baseline boot $i: no 'bench: ready' line"; }
	# Debian: its disk a throwaway snapshot of the cached image.
	timeout 600 "$qemu" --no-initrd --cmdline "$tmp/deb.cmdline" "$out" -- "$@" \
		-drive "file=$debimg,if=virtio,format=raw,snapshot=on" </dev/null >"$tmp/log" 2>&1 || true
	at_ready "$tmp/log" "$tmp/dready" "$tmp/dused" && grep -aq 'bench: ready .* answers yes' "$tmp/log" ||
		{ cat "$tmp/log" >&2; die "Debian boot $i: no 'bench: ready' line, or containerd did not answer"; }
	line=$(grep -a 'bench: ready' "$tmp/log" | tail -n 1)
	echo "$line" | sed -n 's/.* pid1 \([0-9]*\).*/\1/p' >>"$tmp/dpid1"
	echo "$line" | sed -n 's/.* ctd \([0-9]*\).*/\1/p' >>"$tmp/dctd"
done
accel=$(cut -d' ' -f2 "$CAIRN_CACHE/kvm-probe" 2>/dev/null || echo tcg)

echo "container runtime, medians of $n boots ($runs runs each; QEMU ${QEMU_ACCEL:-$accel}, $(nproc) host cores):"
printf '  %-44s %10s   %s\n' "" "median" "baseline (same boots)"
printf '  %-44s %9ss   %ss (PID 1 start to mdev ready)\n' "PID 1 start to containerd ready" \
	"$(median <"$tmp/ctd")" "$(median <"$tmp/mdev")"
printf '  %-44s %9ss   %ss (sh -c echo, no container)\n' "ctr run to the container's first line" \
	"$(median <"$tmp/run")" "$(median <"$tmp/bare")"
printf '  %-44s %8skB   %skB (initd, PID 1)\n' "containerd idle RSS" \
	"$(median <"$tmp/rss")" "$(median <"$tmp/initrss")"
printf '  %-44s %8skB\n' "containerd's cgroup memory.current (idle)" "$(median <"$tmp/cg")"
echo "the root: a verified squashfs in RAM (the image), beside the same root unpacked from a cpio (baseline), same boots:"
printf '  %-44s %9ss   %ss\n' "kernel start to containerd ready" "$(median <"$tmp/ready")" "$(median <"$tmp/fready")"
printf '  %-44s %8sMB   %sMB\n' "memory in use then (MemTotal - MemAvailable)" \
	"$(($(median <"$tmp/used") / 1024))" "$(($(median <"$tmp/fused") / 1024))"
r=$(median <"$tmp/ready") d=$(median <"$tmp/dready")
u=$(median <"$tmp/used") du=$(median <"$tmp/dused")
echo "Cairn beside Debian 12 + systemd + containerd (ext4 disk, same kernel and QEMU), same rounds:"
printf '  %-44s %10s %10s %8s\n' "" Cairn "Debian 12" Cairn/Debian
printf '  %-44s %9ss %9ss %8s\n' "kernel start to containerd ready" "$r" "$d" \
	"$(awk -v a="$r" -v b="$d" 'BEGIN { printf "%.2f", a / b }')"
printf '  %-44s %8sMB %8sMB %8s\n' "memory in use then (MemTotal - MemAvailable)" \
	"$((u / 1024))" "$((du / 1024))" "$(awk -v a="$u" -v b="$du" 'BEGIN { printf "%.2f", a / b }')"
printf '  %-44s %8skB %8skB\n' "PID 1 resident, containerd idle" \
	"$(median <"$tmp/initrss")" "$(median <"$tmp/dpid1")"
printf '  %-44s %8skB %8skB\n' "containerd resident, idle" \
	"$(median <"$tmp/rss")" "$(median <"$tmp/dctd")"
