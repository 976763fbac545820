#!/bin/sh
# tests/gpu/run.sh on a host made to look like a GPU host, in a private
# mount namespace: the NVIDIA driver's /proc files of two GPUs, their device
# nodes (numbers in the experimental range, 240-254, which no driver here
# registers, so nothing can open them) and /proc/devices naming those
# majors, fake libraries under
# /usr/local/nvidia/lib64 and a static fake nvidia-smi that lists the
# /dev/nvidiaN it sees.  Everything else is real: the kit's cairn-cdi
# writes the spec, cairn-runtime applies it, runc runs the containers, the
# ld cache hook makes the container's ld cache.  The script must pass; with
# one GPU node taken away from a container that was promised it, it fails.
. "$(dirname "$0")/testlib"

kit=${CAIRN_GPU_KIT:?CAIRN_GPU_KIT: the kit make gpu-kit builds (make sets it)}
[ "$(id -u)" = 0 ] || { echo "skipped: runc and mount namespaces need root"; exit 77; }
unshare -m true 2>/dev/null || { echo "skipped: no mount namespaces here"; exit 77; }
[ -d /proc/driver ] || { echo "skipped: no /proc/driver to cover"; exit 77; }

gcc -static -O2 -o "$tmp/nvidia-smi" tests/gpu/fake-nvidia-smi.c || fail "building the fake nvidia-smi"

cat >"$tmp/inner.sh" <<IN
set -e
mount -t tmpfs tmpfs /proc/driver
mkdir -p /proc/driver/nvidia/gpus/0000:1a:00.0 /proc/driver/nvidia/gpus/0000:3b:00.0
printf 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.127.05  Release Build\n' >/proc/driver/nvidia/version
printf 'Model: \t\t NVIDIA H200\nGPU UUID: \t GPU-aaaaaaaa-1111-2222-3333-444455556666\nDevice Minor: \t 0\n' >/proc/driver/nvidia/gpus/0000:1a:00.0/information
printf 'Model: \t\t NVIDIA H200\nGPU UUID: \t GPU-2c4f0a1b-1111-2222-3333-444455556666\nDevice Minor: \t 1\n' >/proc/driver/nvidia/gpus/0000:3b:00.0/information
mount -t tmpfs tmpfs /usr/local
mkdir -p /usr/local/nvidia/lib64 /usr/local/nvidia/bin
for l in libcuda.so libnvidia-ml.so libnvidia-ptxjitcompiler.so; do
	echo ELF >/usr/local/nvidia/lib64/\$l.550.127.05
	ln -s \$l.550.127.05 /usr/local/nvidia/lib64/\$l.1
done
cp "$tmp/nvidia-smi" /usr/local/nvidia/bin/nvidia-smi
# /dev: a copy of the basics plus the GPU nodes (memory devices' numbers)
mkdir "$tmp/dev"
mount -t tmpfs tmpfs "$tmp/dev"
cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom "$tmp/dev/"
mknod "$tmp/dev/nvidia0" c 240 0
mknod "$tmp/dev/nvidia1" c 240 1
mknod "$tmp/dev/nvidiactl" c 240 255
mknod "$tmp/dev/nvidia-uvm" c 241 0
mount --bind "$tmp/dev" /dev
awk '{ print } /^Character devices:/ { print "240 nvidia-frontend"; print "241 nvidia-uvm" }' \
	/proc/devices >"$tmp/devices"
mount --bind "$tmp/devices" /proc/devices
sh tests/gpu/run.sh --kit "$kit" >"$tmp/pass.log" 2>&1 || { cat "$tmp/pass.log"; exit 1; }
# A GPU gone after the spec was written: the script must fail, naming it.
sed -i 's|"CDI_DEVICES=nvidia.com/gpu=all" ""|"CDI_DEVICES=nvidia.com/gpu=all" "" ; rm -f /dev/nvidia1|' "$tmp/run.sh"
sh "$tmp/run.sh" --kit "$kit" >"$tmp/gone.log" 2>&1 && { cat "$tmp/gone.log"; exit 2; }
exit 0
IN
# The script copy the second run edits: the bundle step removes a node.
cp tests/gpu/run.sh "$tmp/run.sh"
sed -i 's|^here=.*|here=/nonexistent|' "$tmp/run.sh"
unshare -m --propagation private sh "$tmp/inner.sh" || {
	[ -f "$tmp/pass.log" ] && cat "$tmp/pass.log"
	[ -f "$tmp/gone.log" ] && cat "$tmp/gone.log"
	fail "tests/gpu/run.sh on the fake GPU host"
}
cat "$tmp/pass.log"
grep -q '^gpu: PASS (13 checks)' "$tmp/pass.log" || fail "run.sh did not pass all 13 checks"
grep -q 'gpu: FAIL: nvidia.com/gpu=all' "$tmp/gone.log" || { cat "$tmp/gone.log"; fail "a vanished GPU did not fail the all-GPU container"; }
grep -q '/dev/nvidia1: No such file' "$tmp/gone.log" || { cat "$tmp/gone.log"; fail "the vanished GPU was not named"; }
