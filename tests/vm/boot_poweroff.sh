#!/bin/sh
# The real artifacts boot under QEMU to "cairn: boot ok", and initd powers
# the machine off cleanly by itself (cairn.test=poweroff) within the bound.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${OUT:?OUT (the board's artifact directory) not set}"
bound=${BOOT_BOUND:-180}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
# shellcheck disable=SC2086
timeout "$bound" "$top/scripts/qemu.sh" --append "cairn.test=poweroff" "$OUT" -- $QEMU_MACHINE </dev/null >"$log" 2>&1
rc=$?
set -e
cat "$log"
[ "$rc" -ne 124 ] || { echo "FAIL: no power-off within ${bound}s"; exit 1; }
[ "$rc" -eq 0 ] || { echo "FAIL: qemu exited $rc"; exit 1; }
grep -Eq '^(\[ *[0-9.]+\] )?cairn: boot ok [0-9.]+s after kernel start' "$log" || { echo "FAIL: no 'cairn: boot ok'"; exit 1; }
grep -q 'cairn: file systems synced and unmounted' "$log" || { echo "FAIL: shutdown did not unmount"; exit 1; }
grep -q 'reboot: Power down' "$log" || { echo "FAIL: the kernel did not power down"; exit 1; }
! grep -q 'Kernel panic' "$log" || { echo "FAIL: kernel panic"; exit 1; }
echo "boot ok and clean power-off"
