#!/bin/sh
# scripts/bench-boot.sh: boot figures for a board's artifacts, beside a
# baseline measured in the same run on the same machine.
#
# usage: bench-boot.sh OUT N [QEMU_ARGS...]
#
#   cairn     the image as built, its base payload (the initramfs, no
#             layer), powering off right after boot ok
#             (cairn.test=poweroff); in-guest figure: kernel start to
#             "cairn: boot ok" (initd's CLOCK_BOOTTIME reading)
#   baseline  the same kernel and initramfs, with the root's BusyBox
#             appended and its poweroff -f as init: the kernel's own boot
#             (the initramfs unpacked) and power-off, no init work
#
# Host figures are QEMU start to exit, wall clock.  Medians of N runs.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: bench-boot.sh OUT N [QEMU_ARGS...]}
n=${2:?usage: bench-boot.sh OUT N [QEMU_ARGS...]}
shift 2
qemu=$(dirname "$0")/qemu.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The baseline's initramfs: the image's, and its BusyBox beside it.
base=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$base"' EXIT
mkdir -p "$base/root" "$base/bin"
initramfs_root "$out/initramfs.cpio.zst" "$base/root"
cp "$base/root/bin/busybox" "$base/bin/busybox"
rm -rf "$base/root"
cp "$out/initramfs.cpio.zst" "$base/initrd"
cpio_pad "$base/initrd"
(cd "$base" && printf 'bin\nbin/busybox\n' | cpio --quiet -o -H newc -R 0:0) >>"$base/initrd"

run() {
	app=$1
	shift
	initrd=$out/initramfs.cpio.zst
	case $app in rdinit=*) initrd=$base/initrd ;; esac
	t0=$(now)
	timeout 300 "$qemu" --append "$app" --initrd "$initrd" "$out" -- "$@" </dev/null >"$log" 2>&1 || true
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

: >"$log.guest"; : >"$log.wall"; : >"$log.base"
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	run "cairn.test=poweroff" "$@" >>"$log.wall"
	sed -n 's/^\(\[ *[0-9.]*\] \)\{0,1\}cairn: boot ok \([0-9.]*\)s after kernel start.*/\2/p' "$log" >>"$log.guest"
	grep -q 'cairn: boot ok' "$log" || { cat "$log" >&2; die "run $i: no boot ok"; }
	run "rdinit=/bin/busybox -- poweroff -f" "$@" >>"$log.base"
	grep -q 'reboot: Power down' "$log" || { cat "$log" >&2; die "baseline run $i did not power off"; }
done
accel=$(cut -d' ' -f2 "$CAIRN_CACHE/kvm-probe" 2>/dev/null || echo tcg)

echo "boot, median of $n runs (QEMU ${QEMU_ACCEL:-$accel}, $(nproc) host cores):"
printf '  %-44s %8s s\n' "cairn: kernel start to 'cairn: boot ok'" "$(median <"$log.guest")"
printf '  %-44s %8s s\n' "cairn: QEMU start to power-off (wall)" "$(median <"$log.wall")"
printf '  %-44s %8s s\n' "baseline: same kernel, poweroff -f as init" "$(median <"$log.base")"
rm -f "$log.guest" "$log.wall" "$log.base"

echo "artifacts (bytes):"
printf '  %-22s %12s %12s\n' artifact compressed uncompressed
vmlinux=$(dirname "$out")/build/$(basename "$out")/linux/obj/vmlinux
printf '  %-22s %12s %12s\n' vmlinuz "$(stat -c %s "$out/vmlinuz")" \
	"$( [ -f "$vmlinux" ] && stat -c %s "$vmlinux" || echo n/a)"
# Uncompressed: what the kernel unpacks into memory (the root image is stored as it is).
printf '  %-22s %12s %12s\n' initramfs.cpio.zst "$(stat -c %s "$out/initramfs.cpio.zst")" \
	"$(zstd -dc "$out/initramfs.cpio.zst" 2>/dev/null | wc -c | awk -v s="$(stat -c %s "$out/initramfs.cpio.zst")" \
		-v z="$(initramfs_root_at "$out/initramfs.cpio.zst")" \
		'{ print $1 + s - (z - 110) }')"
for f in "$out"/layer-*.cpio; do
	[ -f "$f" ] && printf '  %-22s %12s %12s\n' "${f##*/}" "$(stat -c %s "$f")" "(stored)"
done
payload=$(($(stat -c %s "$out/vmlinuz") + $(stat -c %s "$out/initramfs.cpio.zst")))
printf '  %-22s %12s   (%s MB: vmlinuz + initramfs, what every node fetches)\n' "netboot payload" "$payload" \
	"$(awk -v b="$payload" 'BEGIN { printf "%.1f", b / 1e6 }')"
for f in "$out"/layer-*.cpio; do
	[ -f "$f" ] || continue
	l=${f##*/layer-} && l=${l%.cpio}
	printf '  %-22s %12s   (%s MB: and layer-%s.cpio, the nodes given it)\n' "  with $l" \
		"$((payload + $(stat -c %s "$f")))" "$(awk -v b="$((payload + $(stat -c %s "$f")))" 'BEGIN { printf "%.1f", b / 1e6 }')" "$l"
done
all=$payload n=0
for f in "$out"/layer-*.cpio; do
	[ -f "$f" ] && all=$((all + $(stat -c %s "$f"))) n=$((n + 1))
done
[ "$n" -lt 2 ] || printf '  %-22s %12s   (%s MB: with every layer, boot-all.ipxe)\n' "  with all" "$all" \
	"$(awk -v b="$all" 'BEGIN { printf "%.1f", b / 1e6 }')"
for f in /boot/vmlinuz-* /boot/initrd.img-*; do
	[ -f "$f" ] && printf '  %-22s %12s %12s\n' "host: ${f##*/}" "$(stat -c %s "$f")" "(reference)"
done
exit 0
