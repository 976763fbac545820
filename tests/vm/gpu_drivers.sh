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
# GPU.  They are the board's layer gpu (doc/netboot.md, Layers): booted
# without it first, the node has none of them, says the layer was not
# loaded, and pkg verify leaves the layer's packages out.
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
until initctl log nvidia 2>/dev/null | grep -q nvidia-load && initctl status containerd | grep -q '^containerd *up'; do
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
[ -f "$OUT/layer-gpu.cpio" ] || fail "$OUT has the GPU packages but no layer-gpu.cpio"

# Without the layer (nor the others: the base payload).
VM_BASE=1 vm_start ""
vm_run 'echo "GD0-NV $(ls /lib/modules/$(uname -r)/updates/nvidia 2>/dev/null | wc -l) $(ls /lib/firmware/amdgpu 2>/dev/null | wc -l)"'
vm_run 'pkg verify /etc >/tmp/v.out 2>&1; echo "GD0-VERIFY rc=$? $(grep -c "in the layer gpu, which this node did not load: its files must not be here" /tmp/v.out)"'
vm_run "poweroff"
vm_end
expect 'cairn.layer gpu: not in the initramfs: not loaded'
expect 'GD0-NV 0 0'
grep -Eq 'GD0-VERIFY rc=0 [1-9]' "$vm/log" || fail "pkg verify without the layer: $(grep GD0-VERIFY "$vm/log")"

# With it, as boot-gpu.ipxe loads it: after the initramfs.
rm -f "$vm/log"
initrd_overlay "$OUT/initramfs.cpio.zst" "$vm/root" "$vm/initrd"
cpio_pad "$vm/initrd"
cat "$OUT/layer-gpu.cpio" >>"$vm/initrd"
# shellcheck disable=SC2086
vm_launch --append "cairn.shell" --initrd "$vm/initrd" "$OUT" -- $QEMU_MACHINE
expect 'cairn.layer gpu: verified squashfs'
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
echo "ok: boot with the GPU drivers and no GPU is untouched; without the layer gpu, none of them and pkg verify passes"
