#!/bin/sh
# Who may ask cairn-runtime for devices (cairn-runtime(8), WHO MAY ASK).
# A pod author under the `cdi` RuntimeClass writes CDI_DEVICES=...=all in
# the pod's env, and a cdi.k8s.io/ annotation that an operator's
# pod_annotations would carry, and gets the bundle containerd's CRI makes
# of it, run as containerd's shim runs runc: refused, with a line on
# stderr and in runc's --log, no device and runc never run, whatever
# node.conf says.  Outside the CRI (ctr), CDI_DEVICES is a request only
# after node.conf's [gpu] cdi-devices-env = yes has gone through
# `cairn-agent setup`; an annotation always is.  No GPU: the spec's device
# nodes are the host's /dev/null and /dev/zero, and runc is a stand-in
# that keeps the config.json it was given.
. "$(dirname "$0")/testlib"

: "${CAIRN_RUNTIME:?CAIRN_RUNTIME: the host build of cairn-runtime}"
: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"

mkdir -p "$tmp/cdi" "$tmp/run" "$tmp/root/etc/cairn"
cat >"$tmp/cdi/test.json" <<'SPEC'
{ "cdiVersion": "0.5.0", "kind": "cairn.test/gpu",
  "containerEdits": { "env": [ "CAIRN_GPU=applied" ] },
  "devices": [
    { "name": "0", "containerEdits": { "deviceNodes": [
        { "path": "/dev/cairn-gpu0", "hostPath": "/dev/null", "type": "c", "major": 1, "minor": 3 } ] } },
    { "name": "1", "containerEdits": { "deviceNodes": [
        { "path": "/dev/cairn-gpu1", "hostPath": "/dev/zero", "type": "c", "major": 1, "minor": 5 } ] } },
    { "name": "all", "containerEdits": { "deviceNodes": [
        { "path": "/dev/cairn-gpu0", "hostPath": "/dev/null", "type": "c", "major": 1, "minor": 3 },
        { "path": "/dev/cairn-gpu1", "hostPath": "/dev/zero", "type": "c", "major": 1, "minor": 5 } ] } } ] }
SPEC
cat >"$tmp/runc" <<'RUNC'
#!/bin/sh
# runc's stand-in: keeps the config.json it is given, beside it.
b=.
while [ $# -gt 0 ]; do
	case $1 in --bundle|-b) b=$2; shift ;; esac
	shift
done
cp "$b/config.json" "$b/config.seen"
RUNC
chmod 755 "$tmp/runc"
export CAIRN_RUNC="$tmp/runc" CAIRN_CDI_DIRS="$tmp/cdi" CAIRN_CDI_ENV_SWITCH="$tmp/run/cdi-devices-env"

# node_conf TEXT: TEXT as the node's config, through cairn-agent setup
# (the image's /etc/cairn/node.conf), as at boot.
node_conf() {
	printf '%s\n' "$1" >"$tmp/root/etc/cairn/node.conf"
	echo console=ttyS0 >"$tmp/cmdline"
	"$CAIRN_AGENT" setup --no-system --cmdline "$tmp/cmdline" --root "$tmp/root" --out "$tmp/run" \
		>"$tmp/setup.out" 2>&1 || { cat "$tmp/setup.out"; fail "cairn-agent setup"; }
}

# bundle NAME ANNOTATIONS ENV: $tmp/NAME/config.json.  A pod's, as
# containerd 1.7's CRI writes it, when ANNOTATIONS carry its io.kubernetes.cri.*.
bundle() {
	mkdir -p "$tmp/$1/rootfs"
	cat >"$tmp/$1/config.json" <<JSON
{ "ociVersion": "1.1.0",
  "process": { "args": ["/bin/nvidia-smi"], "cwd": "/",
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=greedy"$3] },
  "root": { "path": "rootfs" },
  "annotations": { $2 },
  "linux": { "resources": { "devices": [ { "allow": false, "access": "rwm" } ] } } }
JSON
	cp "$tmp/$1/config.json" "$tmp/$1/config.before"
}
cri='"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.container-name": "cuda",
  "io.kubernetes.cri.image-name": "cairn.local/test:1",
  "io.kubernetes.cri.sandbox-id": "4d7c0c9e2b1f", "io.kubernetes.cri.sandbox-name": "greedy",
  "io.kubernetes.cri.sandbox-namespace": "tenant-a"'

# create NAME [GLOBAL OPTIONS]: cairn-runtime create on NAME, as made, as
# containerd's shim runs runc; its exit status in $rc, stderr in $tmp/NAME.err.
create() {
	b=$tmp/$1
	shift
	cp "$b/config.before" "$b/config.json"
	rm -f "$b/config.seen" "$b/log"
	set +e
	"$CAIRN_RUNTIME" --root "$tmp/state" --log "$b/log" "$@" create --bundle "$b" --pid-file "$b/init.pid" \
		"id-${b##*/}" 2>"$b.err"
	rc=$?
	set -e
}

# refused NAME TEXT: the create of NAME failed, before runc, config.json as
# it was, TEXT on stderr and in runc's log.
refused() {
	[ ! -e "$tmp/$1/config.seen" ] ||
		fail "$1: runc ran, given $(grep -c '"path": "/dev/cairn-gpu' "$tmp/$1/config.seen") of the GPUs"
	[ "$rc" = 1 ] || { cat "$tmp/$1.err" >&2; fail "$1: cairn-runtime exited $rc, not 1 (refused)"; }
	cmp -s "$tmp/$1/config.json" "$tmp/$1/config.before" || fail "$1: config.json changed"
	expect_line "$tmp/$1.err" "$2"
	expect_line "$tmp/$1/log" "$2"
}

# applied NAME N: runc ran with N of the spec's device nodes added.
applied() {
	[ "$rc" = 0 ] || { cat "$tmp/$1.err" >&2; fail "$1: cairn-runtime exited $rc"; }
	[ -e "$tmp/$1/config.seen" ] || fail "$1: runc never ran"
	n=$(grep -c '"path": "/dev/cairn-gpu[01]"' "$tmp/$1/config.seen" || true)
	[ "$n" = "$2" ] || { cat "$tmp/$1/config.seen" >&2; fail "$1: $n device nodes, not $2"; }
}

# 1. The default node: the pod's environment asks for every GPU.
node_conf '[node]
hostname = gpu-k01'
[ ! -e "$tmp/run/cdi-devices-env" ] || fail "setup left the switch on by default"
bundle pod-env "$cri" ', "CDI_DEVICES=cairn.test/gpu=all"'
create pod-env --log-format json
refused pod-env "a Kubernetes container asks for devices by its environment (CDI_DEVICES=cairn.test/gpu=all): refused"
expect_line "$tmp/pod-env/log" '{"level":"error","msg":"cairn-runtime: '
expect_line "$tmp/pod-env/log" "ask in resources.limits"

# 2. The pod's own annotation, as containerd's pod_annotations would carry it.
bundle pod-ann "$cri, \"cdi.k8s.io/mine\": \"cairn.test/gpu=0, cairn.test/gpu=1\"" ""
create pod-ann --log-format json
refused pod-ann "asks for devices by its annotation cdi.k8s.io/mine (cairn.test/gpu=0, cairn.test/gpu=1): refused: a pod's annotation is never a device request"

# 3. ctr's way, the variable, on the default node: refused, the switch named.
bundle ctr-env "" ', "CDI_DEVICES=cairn.test/gpu=all"'
create ctr-env
refused ctr-env "CDI_DEVICES is off on this node (node.conf [gpu] cdi-devices-env)"
expect_line "$tmp/ctr-env/log" 'level=error msg="cairn-runtime: '

# 4. ctr's way, an annotation: the operator's, applied.
bundle ctr-ann '"cdi.k8s.io/gpu": "cairn.test/gpu=1"' ""
create ctr-ann
applied ctr-ann 1
expect_line "$tmp/ctr-ann/config.seen" '"CAIRN_GPU=applied"'

# 5. A pod the kubelet gave devices: containerd's CDI put them in already;
# nothing asked here, config.json passes untouched.
bundle pod-kubelet "$cri" ""
create pod-kubelet --log-format json
[ "$rc" = 0 ] && cmp -s "$tmp/pod-kubelet/config.seen" "$tmp/pod-kubelet/config.before" ||
	fail "a pod that asks nothing: exit $rc, or config.json changed"

# 6. The switch on, through node.conf and setup.
node_conf '[node]
hostname = gpu-k01
[gpu]
cdi-devices-env = yes'
[ -f "$tmp/run/cdi-devices-env" ] || fail "setup did not write the switch"
expect_line "$tmp/setup.out" "setup: [gpu] cdi-devices-env: a container's CDI_DEVICES is a device request"
create ctr-env
applied ctr-env 2
# ... and a pod still asks for nothing by its environment.
create pod-env --log-format json
refused pod-env "a pod's environment is never a device request"

# 7. A switch anyone could have made counts for nothing.
chmod 666 "$tmp/run/cdi-devices-env"
create ctr-env
refused ctr-env "CDI_DEVICES is off on this node"
expect_line "$tmp/ctr-env.err" "cdi-devices-env: not a file only root can write: CDI_DEVICES stays off"
rm "$tmp/run/cdi-devices-env"
ln -s /etc/hostname "$tmp/run/cdi-devices-env"
create ctr-env
refused ctr-env "CDI_DEVICES is off on this node"

# 8. Off again: setup takes the switch away.
node_conf '[node]
hostname = gpu-k01
[gpu]
cdi-devices-env = no'
[ ! -e "$tmp/run/cdi-devices-env" ] && [ ! -L "$tmp/run/cdi-devices-env" ] || fail "setup left the switch"
create ctr-env
refused ctr-env "CDI_DEVICES is off on this node"
echo "runtime requests: pods refused by env and annotation (switch off and on); ctr env only with the switch"
