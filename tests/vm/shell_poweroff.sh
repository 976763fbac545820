#!/bin/sh
# On the serial console a root shell answers, sees the early mounts and
# loopback up, and `poweroff` typed there goes through initd's shutdown.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${OUT:?OUT (the board's artifact directory) not set}"
bound=${BOOT_BOUND:-180}
dir=$(mktemp -d)
trap 'kill $qpid 2>/dev/null || true; rm -rf "$dir"' EXIT
mkfifo "$dir/in"

# shellcheck disable=SC2086
timeout "$bound" "$top/scripts/qemu.sh" --append cairn.shell "$OUT" -- $QEMU_MACHINE <"$dir/in" >"$dir/log" 2>&1 &
qpid=$!
exec 3>"$dir/in"
waited=0
until grep -q 'cairn: boot ok' "$dir/log"; do
	sleep 1
	waited=$((waited + 1))
	[ "$waited" -lt "$bound" ] || { cat "$dir/log"; echo "FAIL: no boot ok"; exit 1; }
	kill -0 "$qpid" 2>/dev/null || { cat "$dir/log"; echo "FAIL: qemu died"; exit 1; }
done
# Typed at once, as vmlib's tests type: the console's tty keeps the lines
# until the shell, started just after boot ok, reads them.
printf 'echo "mounts: $(cut -d" " -f2 /proc/mounts | tr "\\n" " ")"\n' >&3
printf 'ip -o link show lo | grep -q "<LOOPBACK,UP" && echo "loop""back: up"\n' >&3
printf 'echo "kptr_restrict: $(cat /proc/sys/kernel/kptr_restrict)"\n' >&3
printf 'echo "pid1: $(readlink /proc/1/exe)"; poweroff\n' >&3
set +e
wait "$qpid"
rc=$?
set -e
exec 3>&-
cat "$dir/log"
[ "$rc" -eq 0 ] || { echo "FAIL: qemu exited $rc"; exit 1; }
for want in 'mounts: .*/proc .*/sys .*/dev .*/run .*/sys/fs/cgroup' 'loopback: up' \
	'pid1: /sbin/initd' 'kptr_restrict: 2' 'cairn: power off: stopping all processes' 'reboot: Power down'; do
	grep -q "$want" "$dir/log" || { echo "FAIL: console lacks: $want"; exit 1; }
done
echo "shell answered and poweroff was clean"
