#!/bin/sh
# tests/gpu/run.sh: on a host with an NVIDIA GPU and its driver loaded, the
# CDI spec cairn-cdi writes names every GPU nvidia-smi lists, and containers
# run through cairn-runtime and runc with the spec applied see the GPUs:
# all of them, one by index, one by UUID; an unknown name is refused, and
# so are CDI_DEVICES while the node's switch is off and a pod's container
# asking by its environment; cairn-cdi nodes makes the host's /dev/nvidia*
# from its /proc; and cairn-agent reads every GPU's live figures and
# memory health.
#
# usage: run.sh [--kit DIR] [--lib-path D:D] [--bin-path D:D] [--keep]
#
#   --kit DIR       what `make gpu-kit` built (default: O/gpu-kit beside
#                   this tree, out/gpu-kit)
#   --lib-path D:D  driver library directories (default
#                   /usr/local/nvidia/lib64 and the usual ones)
#   --bin-path D:D  directories of nvidia-smi (default /usr/local/nvidia/bin
#                   and the usual ones)
#   --keep          leave the work directory (spec, bundles, logs)
#
# It needs only POSIX sh, coreutils and the kit (static tools, runc and a
# container root with glibc); it runs as root.  Without /dev/nvidiactl or
# nvidia-smi it says skipped and exits 0.  Exit: 0 pass or skip, 1 fail.
set -u

here=$(cd "$(dirname "$0")" && pwd)
kit=$here/../../out/gpu-kit
libpath=/usr/local/nvidia/lib64:/usr/local/nvidia/lib:/usr/lib/x86_64-linux-gnu:/usr/lib64
binpath=/usr/local/nvidia/bin:/usr/bin:/usr/sbin:/usr/local/bin
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--kit) kit=$2; shift 2 ;;
	--lib-path) libpath=$2; shift 2 ;;
	--bin-path) binpath=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: run.sh [--kit DIR] [--lib-path D:D] [--bin-path D:D] [--keep]" >&2; exit 100 ;;
	esac
done

# The host's nvidia-smi: the bin path first, then PATH.
smi=
for d in $(echo "$binpath" | tr ':' ' ') $(echo "${PATH:-}" | tr ':' ' '); do
	[ -x "$d/nvidia-smi" ] && { smi=$d/nvidia-smi; break; }
done
if [ ! -e /dev/nvidiactl ] || [ -z "$smi" ]; then
	echo "gpu: skipped: no NVIDIA GPU and driver on this host"
	exit 0
fi

fails=0 passes=0
pass() { echo "gpu: PASS: $*"; passes=$((passes + 1)); }
fail() { echo "gpu: FAIL: $*"; fails=$((fails + 1)); }
summary() {
	echo
	if [ "$fails" -eq 0 ]; then
		echo "gpu: PASS ($passes checks)"
		exit 0
	fi
	echo "gpu: FAIL ($fails of $((passes + fails)) checks failed)"
	exit 1
}

kit=$(cd "$kit" 2>/dev/null && pwd) || { fail "no kit at $kit: run 'make gpu-kit' and carry out/gpu-kit"; summary; }
for f in bin/cairn-cdi bin/cairn-runtime bin/cairn-agent bin/runc rootfs/sbin/ldconfig config.json; do
	[ -e "$kit/$f" ] || { fail "kit lacks $f: run 'make gpu-kit'"; summary; }
done
[ "$(id -u)" = 0 ] || { fail "runc needs root"; summary; }
# A copied kit may have lost its mode bits.
chmod 755 "$kit"/bin/* "$kit/rootfs/sbin/ldconfig" 2>/dev/null
cdi=$kit/bin/cairn-cdi
runtime=$kit/bin/cairn-runtime

# Beside the kit, not in /tmp: the container's loader runs from its root,
# and /tmp may be mounted noexec.
work=$(mktemp -d "$(dirname "$kit")/gpu-test.XXXXXX") || { fail "cannot make a work directory beside $kit"; summary; }
state=$work/runc-state
ids=
cleanup() {
	for id in $ids; do
		"$kit/bin/runc" --root "$state" delete -f "$id" >/dev/null 2>&1
	done
	if [ "$keep" = 1 ]; then
		echo "gpu: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/cdi" "$state"

# The host's own view, with the driver's libraries reachable.
hsmi() { LD_LIBRARY_PATH=$libpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$smi" "$@"; }

echo "gpu: host: $(uname -sr); $(hsmi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1 | sed 's/^/driver /')"
echo "gpu: kit: $kit"
sed 's/^/gpu:   /' "$kit/SOURCES"
echo "gpu: cairn-cdi list:"
"$cdi" list 2>&1 | sed 's/^/gpu:   /'

hsmi -L >"$work/host-L" 2>&1 || { cat "$work/host-L"; fail "nvidia-smi -L on the host failed"; summary; }
sed 's/^/gpu: host: /' "$work/host-L"
sed -n 's/.*(UUID: \(GPU-[0-9a-fA-F-]*\)).*/\1/p' "$work/host-L" >"$work/host-uuids"
hsmi --query-gpu=name --format=csv,noheader >"$work/host-names" 2>/dev/null
ngpu=$(wc -l <"$work/host-uuids")
[ "$ngpu" -gt 0 ] || { fail "nvidia-smi -L lists no GPU UUID"; summary; }

# 1. The spec.
spec=$work/cdi/nvidia.json
start=$(date +%s)
if "$cdi" generate --lib-path "$libpath" --bin-path "$binpath" -o "$spec" --json-list \
	>"$work/names" 2>"$work/gen.err"; then
	pass "cairn-cdi generate wrote $spec ($(wc -c <"$spec") bytes)"
else
	cat "$work/gen.err"
	fail "cairn-cdi generate failed"
	summary
fi
sed 's/^/gpu: generate: /' "$work/gen.err"
echo "gpu: the spec:"
cat "$spec"
echo "gpu: device names: $(cat "$work/names")"
missing=
while read -r u; do
	grep -q "\"nvidia.com/gpu=$u\"" "$work/names" || missing="$missing $u"
done <"$work/host-uuids"
if [ -z "$missing" ]; then
	pass "the spec names all $ngpu GPU UUIDs nvidia-smi -L lists"
else
	fail "the spec lacks GPUs nvidia-smi lists:$missing"
fi
grep -q '"nvidia.com/gpu=all"' "$work/names" && pass "the spec defines nvidia.com/gpu=all" ||
	fail "the spec has no nvidia.com/gpu=all"
grep -q '"cdiVersion": "0\.[3-5]\.0"' "$spec" && pass "cdiVersion $(sed -n 's/.*"cdiVersion": "\([^"]*\)".*/\1/p' "$spec") (containerd 1.7 reads up to 0.8.0)" ||
	fail "unexpected cdiVersion: $(grep cdiVersion "$spec")"

# The container's nvidia-smi: where the spec mounts it.
csmi=$(sed -n 's/.*"containerPath": "\(.*\/nvidia-smi\)".*/\1/p' "$spec" | head -n 1)
[ -n "$csmi" ] || { fail "the spec mounts no nvidia-smi (--bin-path $binpath)"; summary; }

# bundle NAME ENV ANNOTATIONS: a bundle whose process runs the container's
# nvidia-smi listing index, name and UUID of the GPUs it sees.
bundle() {
	b=$work/$1
	mkdir -p "$b"
	cp -a "$kit/rootfs" "$b/rootfs"
	sed -e "s|@ARGS@|[\"$csmi\", \"--query-gpu=index,name,uuid\", \"--format=csv,noheader\"]|" \
		-e "s|@CDI_ENV@|$2|" -e "s|@ANNOTATIONS@|$3|" "$kit/config.json" >"$b/config.json"
}

# The node's switch that lets CDI_DEVICES ask (node.conf [gpu]
# cdi-devices-env, as cairn-agent setup leaves it): on, as for ctr.
: >"$work/cdi-devices-env"
chmod 644 "$work/cdi-devices-env"
envswitch=$work/cdi-devices-env

# run_ctr NAME: the container through cairn-runtime -> runc; its output in
# $work/NAME.out, runtime errors in $work/NAME.err.
nopivot=
run_ctr() {
	ids="$ids cairn-gpu-$1-$$"
	CAIRN_RUNC=$kit/bin/runc CAIRN_CDI_DIRS=$work/cdi CAIRN_CDI_ENV_SWITCH=$envswitch timeout 60 \
		"$runtime" --root "$state" run $nopivot --bundle "$work/$1" "cairn-gpu-$1-$$" \
		>"$work/$1.out" 2>"$work/$1.err" </dev/null && return 0
	rc=$?
	# A host whose root is an initramfs cannot pivot_root: once more
	# without, said plainly.
	if [ -z "$nopivot" ] && grep -q pivot_root "$work/$1.err"; then
		echo "gpu: note: runc cannot pivot_root on this host; running with --no-pivot"
		nopivot=--no-pivot
		"$kit/bin/runc" --root "$state" delete -f "cairn-gpu-$1-$$" >/dev/null 2>&1
		run_ctr "$1"
		return
	fi
	return $rc
}

show() {
	sed "s/^/gpu: $1: /" "$work/$1.out"
	[ -s "$work/$1.err" ] && sed "s/^/gpu: $1 (stderr): /" "$work/$1.err"
	return 0
}

# 2. Every GPU, asked for by the process variable.
bundle all "CDI_DEVICES=nvidia.com/gpu=all" ""
if run_ctr all; then
	show all
	cut -d, -f2 "$work/all.out" | sed 's/^ *//' | sort >"$work/ctr-names"
	sort "$work/host-names" | sed 's/^ *//' >"$work/host-names.sorted"
	if [ "$(wc -l <"$work/all.out")" -eq "$ngpu" ] && cmp -s "$work/ctr-names" "$work/host-names.sorted"; then
		pass "nvidia.com/gpu=all: the container's nvidia-smi shows all $ngpu GPUs: $(tr '\n' ';' <"$work/ctr-names")"
	else
		fail "nvidia.com/gpu=all: the container shows $(wc -l <"$work/all.out") GPUs ($(tr '\n' ';' <"$work/ctr-names")), the host $ngpu ($(tr '\n' ';' <"$work/host-names.sorted"))"
	fi
else
	show all
	fail "nvidia.com/gpu=all: the container failed (exit status above)"
	echo "gpu: diagnosis: the same container's ld.so.conf.d:"
	cat "$work/all/rootfs/etc/ld.so.conf.d/"*.conf 2>&1 | sed 's/^/gpu:   /'
fi

# 3. One GPU by index, asked for by the CDI annotation.
bundle one "CDI_REQUEST=none" "\"cdi.k8s.io/gpu-test\": \"nvidia.com/gpu=0\""
if run_ctr one; then
	show one
	u=$(cut -d, -f3 "$work/one.out" | sed 's/^ *//')
	if [ "$(wc -l <"$work/one.out")" -eq 1 ] && grep -qx "$u" "$work/host-uuids"; then
		pass "nvidia.com/gpu=0 (annotation): the container sees exactly one GPU, $u"
	else
		fail "nvidia.com/gpu=0: the container sees $(wc -l <"$work/one.out") GPUs, not exactly one"
	fi
else
	show one
	fail "nvidia.com/gpu=0: the container failed"
fi

# 4. One GPU by UUID: the last one nvidia-smi lists.
last=$(tail -n 1 "$work/host-uuids")
bundle uuid "CDI_DEVICES=nvidia.com/gpu=$last" ""
if run_ctr uuid; then
	show uuid
	if [ "$(wc -l <"$work/uuid.out")" -eq 1 ] && grep -q "$last" "$work/uuid.out"; then
		pass "nvidia.com/gpu=$last: the container sees exactly that GPU"
	else
		fail "nvidia.com/gpu=$last: the container sees other GPUs"
	fi
else
	show uuid
	fail "nvidia.com/gpu=$last: the container failed"
fi

# 5. An unknown device: refused before runc, config.json untouched.
bundle bad "CDI_DEVICES=nvidia.com/gpu=99" ""
cp "$work/bad/config.json" "$work/bad.config.before"
if run_ctr bad; then
	show bad
	fail "nvidia.com/gpu=99: the container ran; it must be refused"
else
	show bad
	if grep -q 'nvidia.com/gpu=99' "$work/bad.err" && grep -q unknown "$work/bad.err" &&
		cmp -s "$work/bad.config.before" "$work/bad/config.json"; then
		pass "nvidia.com/gpu=99 refused: $(head -n 1 "$work/bad.err"); config.json unchanged"
	else
		fail "nvidia.com/gpu=99: refused without a clear message, or config.json changed"
	fi
fi

# 6. The variable with the node's switch off: refused before runc.
bundle envoff "CDI_DEVICES=nvidia.com/gpu=0" ""
envswitch=$work/switch-off
if run_ctr envoff; then
	show envoff
	fail "CDI_DEVICES with the switch off: the container ran; it must be refused"
else
	show envoff
	if grep -q 'CDI_DEVICES is off on this node' "$work/envoff.err" && [ ! -s "$work/envoff.out" ]; then
		pass "CDI_DEVICES with the switch off refused: $(head -n 1 "$work/envoff.err")"
	else
		fail "CDI_DEVICES with the switch off: refused without naming the switch"
	fi
fi
envswitch=$work/cdi-devices-env

# 7. A pod's container (containerd's CRI marks it) asking for every GPU
# by its environment: refused, the switch on or not.
bundle pod "CDI_DEVICES=nvidia.com/gpu=all" "\"io.kubernetes.cri.container-type\": \"container\""
if run_ctr pod; then
	show pod
	fail "a pod's CDI_DEVICES=nvidia.com/gpu=all: the container ran; it must be refused"
else
	show pod
	if grep -q "a pod's environment is never a device request" "$work/pod.err" && [ ! -s "$work/pod.out" ]; then
		pass "a pod's CDI_DEVICES=nvidia.com/gpu=all refused: $(head -n 1 "$work/pod.err")"
	else
		fail "a pod's CDI_DEVICES: refused without saying why"
	fi
fi

# 8. The node maker (what nvidia-load runs after loading the driver): under
# a scratch root whose /proc and /sys are the host's, cairn-cdi nodes must
# make every /dev/nvidia* the host has, with the same numbers.
mkdir -p "$work/nodes/dev"
ln -s /proc "$work/nodes/proc"
ln -s /sys "$work/nodes/sys"
if "$cdi" nodes --root "$work/nodes" >"$work/nodes.out" 2>&1; then
	sed 's/^/gpu: nodes: /' "$work/nodes.out"
	bad=
	for d in /dev/nvidia[0-9]* /dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools; do
		[ -c "$d" ] || continue
		want=$(stat -c '%t:%T' "$d")
		got=$(stat -c '%t:%T' "$work/nodes$d" 2>/dev/null || echo missing)
		[ "$want" = "$got" ] || bad="$bad ${d#/dev/}($got, host $want)"
	done
	if [ -z "$bad" ]; then
		pass "cairn-cdi nodes made the host's /dev/nvidia* with the same numbers ($(ls "$work/nodes/dev" | tr '\n' ' '))"
	else
		fail "cairn-cdi nodes: wrong or missing:$bad"
	fi
else
	cat "$work/nodes.out"
	fail "cairn-cdi nodes failed"
fi

# 9. The agent's live GPU figures, as a Cairn node reads them: through
# this host's nvidia-smi (its query interface; the static agent cannot
# load NVML), into the inventory and the ECC and row-remapping checks.
agent=$kit/bin/cairn-agent
if PATH="$(dirname "$smi"):$PATH" "$agent" inventory >"$work/inv.json" 2>"$work/inv.err"; then
	live=$(grep -c '"live"' "$work/inv.json")
	temps=$(grep -c '"temperature_c": [0-9]' "$work/inv.json")
	if [ "$live" = "$ngpu" ] && [ "$temps" = "$ngpu" ]; then
		pass "cairn-agent inventory: live figures for all $ngpu GPUs ($(grep -m 1 '"memory_total_mib"' "$work/inv.json" | tr -d ' ,'))"
	else
		fail "cairn-agent inventory: live figures for $live and temperatures for $temps of $ngpu GPUs"
		sed 's/^/gpu: inventory: /' "$work/inv.json" | head -n 60
	fi
else
	cat "$work/inv.err"
	fail "cairn-agent inventory failed"
fi
"$agent" health --nvidia-smi "$smi" >"$work/health" 2>&1
sed 's/^/gpu: health: /' "$work/health"
ecc=$(grep -E '^(ok|FAIL) +ecc: ' "$work/health")
remap=$(grep -E '^(ok|FAIL) +rowremap: ' "$work/health")
# Ampere and newer remap rows: there, the check must have an answer.
if "$smi" -L | grep -qE 'A100|A800|H100|H200|H800|B100|B200'; then
	need_remap=1
else
	need_remap=0
fi
if [ -n "$ecc" ] && { [ -n "$remap" ] || [ "$need_remap" = 0 ]; }; then
	pass "cairn-agent health read the GPUs' memory: $ecc; ${remap:-rowremap: not reported (pre-Ampere)}"
else
	fail "cairn-agent health: no ECC or row-remapping answer from nvidia-smi"
fi

echo "gpu: $(( $(date +%s) - start ))s for the spec, six containers, the nodes and the agent"
summary
