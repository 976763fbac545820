#!/bin/sh
# cairn-cdi's specs for several fake hosts (/proc, /sys, /dev trees: one
# GPU, four GPUs with the libraries in the ld cache's directory, a GPU
# pod's partial view, AMD) validate against the CDI JSON schema Debian
# ships (golang-tags.cncf-container-device-interface-dev, pinned as
# cdi-schema in sources.lock); a spec the schema must refuse is refused,
# so the validator is known to bite.  Device nodes need root (mknod).
. "$(dirname "$0")/testlib"

cdi=${CAIRN_CDI:?CAIRN_CDI: the host build of cairn-cdi (make sets it)}
export ASAN_OPTIONS=detect_leaks=0
[ "$(id -u)" = 0 ] || { echo "skipped: mknod of fake device nodes needs root"; exit 77; }
python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing: make hostdeps"

. scripts/lib.sh
set -- $(lock_lines src sources.lock | awk '$2 == "cdi-schema" { print $4, $5 }')
[ $# -eq 2 ] || fail "sources.lock pins no cdi-schema"
deb=$DL_DIR/$1
[ -f "$deb" ] || fail "$deb missing: make fetch"
[ "$(sha256_of "$deb")" = "$2" ] || fail "$deb: sha256 differs from sources.lock"
dpkg-deb -x "$deb" "$tmp/deb"
schema=$(find "$tmp/deb" -path '*/container-device-interface/schema/schema.json' | head -n 1)
[ -n "$schema" ] && [ -f "${schema%/*}/defs.json" ] || fail "$deb has no schema/schema.json and defs.json"

cat >"$tmp/validate.py" <<'PY'
import json, sys, jsonschema
schema_path = sys.argv[1]
with open(schema_path) as f:
    schema = json.load(f)
base = "file://" + schema_path.rsplit("/", 1)[0] + "/"
resolver = jsonschema.RefResolver(base_uri=base, referrer=schema)
bad = 0
for p in sys.argv[2:]:
    with open(p) as f:
        doc = json.load(f)
    try:
        jsonschema.validate(doc, schema, resolver=resolver)
        print("valid:", p)
    except jsonschema.ValidationError as e:
        print("INVALID:", p, ":", e.message, "at", list(e.absolute_path))
        bad = 1
sys.exit(bad)
PY

# tree DIR NGPU [LIBDIR]: a fake NVIDIA host, driver 550.127.05.
tree() {
	r=$1 n=$2 libdir=${3:-usr/lib/x86_64-linux-gnu}
	mkdir -p "$r/proc/driver/nvidia/gpus" "$r/dev" "$r/$libdir" "$r/usr/bin"
	printf 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.127.05  Release Build\n' \
		>"$r/proc/driver/nvidia/version"
	i=0
	while [ "$i" -lt "$n" ]; do
		a=$(printf '0000:%02x:00.0' $((0x18 + i * 16)))
		mkdir -p "$r/sys/bus/pci/devices/$a" "$r/proc/driver/nvidia/gpus/$a"
		echo 0x10de >"$r/sys/bus/pci/devices/$a/vendor"
		echo 0x030200 >"$r/sys/bus/pci/devices/$a/class"
		printf 'Model: \t\t NVIDIA H100 80GB HBM3\nGPU UUID: \t GPU-%08x-1111-2222-3333-444455556666\nBus Location: \t %s\nDevice Minor: \t %d\n' \
			"$i" "$a" "$i" >"$r/proc/driver/nvidia/gpus/$a/information"
		mknod "$r/dev/nvidia$i" c 195 "$i"
		i=$((i + 1))
	done
	mknod "$r/dev/nvidiactl" c 195 255
	mknod "$r/dev/nvidia-uvm" c 510 0
	mknod "$r/dev/nvidia-uvm-tools" c 510 1
	mknod "$r/dev/nvidia-modeset" c 195 254
	for l in libcuda.so libnvidia-ml.so libnvidia-ptxjitcompiler.so libnvidia-nvvm.so \
		libcudadebugger.so libnvidia-cfg.so libnvidia-opencl.so libnvidia-gpucomp.so \
		libnvidia-allocator.so; do
		echo ELF >"$r/$libdir/$l.550.127.05"
		ln -s "$l.550.127.05" "$r/$libdir/$l.1"
	done
	ln -s libcuda.so.1 "$r/$libdir/libcuda.so"
	for b in nvidia-smi nvidia-debugdump nvidia-persistenced; do
		printf '#!/bin/sh\n' >"$r/usr/bin/$b" && chmod 755 "$r/usr/bin/$b"
	done
}

tree "$tmp/one" 1
"$cdi" generate --root "$tmp/one" -o "$tmp/one.json" --hook-path /usr/bin/cairn-cdi 2>"$tmp/one.err" ||
	{ cat "$tmp/one.err" >&2; fail "generate (one GPU) failed"; }
tree "$tmp/four" 4 usr/local/nvidia/lib64
"$cdi" generate --root "$tmp/four" --lib-path /usr/local/nvidia/lib64 -o "$tmp/four.json" 2>"$tmp/four.err" ||
	{ cat "$tmp/four.err" >&2; fail "generate (four GPUs) failed"; }
# A GPU pod: the driver lists four GPUs, two nodes are there.
tree "$tmp/pod" 4
rm "$tmp/pod/dev/nvidia1" "$tmp/pod/dev/nvidia3"
"$cdi" generate --root "$tmp/pod" -o "$tmp/pod.json" 2>"$tmp/pod.err" ||
	{ cat "$tmp/pod.err" >&2; fail "generate (GPU pod) failed"; }
expect_line "$tmp/pod.err" "/dev/nvidia1: missing"
# AMD: a render node and /dev/kfd.
a=$tmp/amd/sys/bus/pci/devices/0000:c1:00.0
mkdir -p "$a/drm/renderD128" "$tmp/amd/dev/dri"
echo 0x1002 >"$a/vendor" && echo 0x038000 >"$a/class"
mknod "$tmp/amd/dev/dri/renderD128" c 226 128
mknod "$tmp/amd/dev/kfd" c 235 0
"$cdi" generate --root "$tmp/amd" --kind amd.com/gpu -o "$tmp/amd.json" 2>"$tmp/amd.err" ||
	{ cat "$tmp/amd.err" >&2; fail "generate (AMD) failed"; }

for s in one four pod amd; do
	grep -q '"cdiVersion": "0.5.0"' "$tmp/$s.json" || { cat "$tmp/$s.json" >&2; fail "$s: cdiVersion is not 0.5.0"; }
done
grep -q '"name": "3"' "$tmp/four.json" || fail "four: no device 3"
grep -q '"name": "2"' "$tmp/pod.json" && fail "pod: a GPU without its node got a device"
python3 -W ignore::DeprecationWarning "$tmp/validate.py" "$schema" "$tmp/one.json" "$tmp/four.json" "$tmp/pod.json" "$tmp/amd.json" ||
	fail "a generated spec does not validate against the CDI schema"

# The validator bites: a major number as a string, a device without edits.
sed 's/"major": 195,/"major": "195",/' "$tmp/one.json" >"$tmp/bad1.json"
printf '{"cdiVersion":"0.5.0","kind":"nvidia.com/gpu","devices":[{"name":"0"}]}\n' >"$tmp/bad2.json"
for b in bad1 bad2; do
	expect_fail "$tmp/$b.out" python3 -W ignore::DeprecationWarning "$tmp/validate.py" "$schema" "$tmp/$b.json"
	expect_line "$tmp/$b.out" "INVALID"
done
echo "4 specs valid against $(basename "$deb")"
