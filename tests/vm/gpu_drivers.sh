#!/bin/sh
# The GPU driver packages of a board that carries them (server-x86_64;
# doc/nvidia.md), booted with no GPU: on the build side, nvidia.ko's and
# nvidia-uvm.ko's vermagic is the kernel's own and they are signed by the
# key that signed the kernel's modules; in the guest, the boot is
# untouched (nvidia-load finds no NVIDIA GPU and loads nothing, no
# /dev/nvidia*, containerd ready, the AMD firmware in place) and the kernel
# accepts nvidia.ko as built: with the kernel modules it needs loaded (its
# .deps, as nvidia-load does), insmod passes the signature, vermagic and
# symbol checks and fails only in the driver's own probe, for want of a
# GPU.
. "$(dirname "$0")/vmlib"

if ! grep -q '"name": *"nvidia"' "$OUT/sbom.spdx.json"; then
	echo "skipped: $(basename "$OUT") carries no GPU driver packages (BOARD=server-x86_64 does)"
	exit 77
fi
command -v modinfo >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
rootfs=$(dirname "$OUT")/build/$(basename "$OUT")/rootfs
[ -d "$rootfs/lib/modules" ] || fail "$rootfs: the board's root tree is not there"
rel=$(ls "$rootfs/lib/modules")
ref=$(find "$rootfs/lib/modules/$rel/kernel" -name '*.ko' | head -n 1)
want=$(modinfo -F vermagic "$ref")
signer=$(modinfo -F signer "$ref")
[ -n "$signer" ] || fail "$ref is not signed: cannot compare signers"
for m in nvidia nvidia-uvm; do
	ko=$rootfs/lib/modules/$rel/updates/nvidia/$m.ko
	[ -f "$ko" ] || fail "$m.ko is not in the image"
	got=$(modinfo -F vermagic "$ko")
	[ "$got" = "$want" ] || fail "$m.ko: vermagic '$got', the kernel's modules '$want'"
	[ "$(modinfo -F signer "$ko")" = "$signer" ] || fail "$m.ko: not signed by '$signer'"
	[ -f "${ko%.ko}.deps" ] || fail "$m.deps is not in the image"
	echo "ok: $m.ko: vermagic '$got', signed by '$signer'"
done
ls "$rootfs/lib/firmware/nvidia/"*/gsp_*.bin >/dev/null || fail "no GSP firmware in the image"

mkdir -p "$vm/root/root"
cat >"$vm/root/root/gd.sh" <<'STEPS'
#!/bin/sh
exec </dev/null
n=180
until initctl log nvidia 2>/dev/null | grep -q nvidia-load && ctr version >/dev/null 2>&1; do
	n=$((n - 1)); [ "$n" -gt 0 ] || { echo "GD-FAIL: not ready"; initctl status; exit 1; }
	sleep 1
done
initctl log nvidia | sed 's/^/GD-LOG /'
echo "GD-LOADED $(grep -c '^nvidia' /proc/modules)"
echo "GD-NODES $(ls /dev | grep -c '^nvidia')"
echo "GD-AMDFW $(ls /lib/firmware/amdgpu | wc -l)"
echo "GD-STATUS $(initctl status containerd | head -n 1)"
dir=/lib/modules/$(uname -r)/updates/nvidia
for d in $(cat "$dir/nvidia.deps"); do modprobe "$d" || echo "GD-FAIL: modprobe $d"; done
echo "GD-DEPS $(cat "$dir/nvidia.deps")"
insmod "$dir/nvidia.ko" >/tmp/insmod.out 2>&1
echo "GD-INSMOD rc=$? $(cat /tmp/insmod.out)"
dmesg | grep -E 'NVRM|nvidia' | head -n 5 | sed 's/^/GD-DMESG /'
echo "GD-DONE"
STEPS
BOOT_BOUND=${BOOT_BOUND:-600}
bound=$BOOT_BOUND
vm_start ""
vm_run "sh /root/gd.sh"
vm_wait 'GD-DONE|GD-FAIL' 400
vm_run "poweroff"
vm_end
expect 'GD-DONE'
expect 'GD-LOG .*nvidia-load: no NVIDIA GPU: driver not loaded'
expect 'GD-DEPS [a-z]'
! grep -q 'GD-FAIL' "$vm/log" || fail "$(grep GD-FAIL "$vm/log")"
expect 'GD-LOADED 0'
expect 'GD-NODES 0'
expect 'GD-STATUS containerd +up'
grep -q 'GD-AMDFW [1-9]' "$vm/log" || fail "no amdgpu firmware in /lib/firmware/amdgpu"
line=$(grep 'GD-INSMOD' "$vm/log")
case $line in
*"rc=0"*) fail "nvidia.ko loaded with no GPU: $line" ;;
*"Key was rejected"* | *"Invalid module format"* | *"Exec format"* | *"Required key"* | *"unknown symbol"*)
	fail "the kernel refused nvidia.ko as built: $line" ;;
*"No such device"*) echo "ok: $line (the driver's probe: no GPU)" ;;
*) fail "insmod nvidia.ko: $line" ;;
esac
echo "ok: boot with the GPU drivers and no GPU is untouched"
