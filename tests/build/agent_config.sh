#!/bin/sh
# cairn-agent config check|show as a user runs them (node.conf(5)): a good
# config is ok and shown with its secret left out; a bad one exits 1 with
# its line and reason and without the secret; a missing one names the
# path; usage errors exit 100.
. "$(dirname "$0")/testlib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
key=$(head -c 48 /dev/urandom | base64 -w0)
cat >"$tmp/node.conf" <<CONF
[node]
hostname = gpu-b07
profile = slurm
[net data]
match = mac 52:54:00:00:00:07
address = 10.2.0.7/16
gateway = 10.2.0.1
[slurm]
controller = 10.2.0.1
munge-key = $key
CONF
"$CAIRN_AGENT" config check "$tmp/node.conf" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "a good config refused"; }
expect_line "$tmp/out" "$tmp/node.conf: ok (profile slurm, 1 interface)"
"$CAIRN_AGENT" config show "$tmp/node.conf" >"$tmp/show" 2>&1 || fail "config show failed"
expect_line "$tmp/show" "hostname = gpu-b07"
expect_line "$tmp/show" "# munge-key: set (48 bytes), not shown"
! grep -qF "$key" "$tmp/show" || fail "config show printed the munge key"

# Bad: the message names the line, section and reason, never the key.
sed 's/^address = .*/address = 10.2.0.7/' "$tmp/node.conf" >"$tmp/bad.conf"
set +e
"$CAIRN_AGENT" config check "$tmp/bad.conf" >"$tmp/out" 2>&1; rc=$?
set -e
[ "$rc" = 1 ] || { cat "$tmp/out"; fail "a bad config exited $rc, not 1"; }
expect_line "$tmp/out" "bad.conf:6: [net data] address: '10.2.0.7' is not ADDRESS/PREFIX"
short=$(head -c 16 /dev/urandom | base64 -w0)
sed "s|^munge-key = .*|munge-key = $short|" "$tmp/node.conf" >"$tmp/bad.conf"
expect_fail "$tmp/out" "$CAIRN_AGENT" config check "$tmp/bad.conf"
expect_line "$tmp/out" "munge-key: 16 bytes: MUNGE wants 32 to 1024 (the key is not shown)"
! grep -qF "$short" "$tmp/out" || fail "the message holds the munge key"

expect_fail "$tmp/out" "$CAIRN_AGENT" config check "$tmp/none.conf"
expect_line "$tmp/out" "$tmp/none.conf: No such file or directory"
set +e
"$CAIRN_AGENT" config frobnicate >"$tmp/out" 2>&1; rc=$?
set -e
[ "$rc" = 100 ] || fail "a usage error exited $rc, not 100"
expect_line "$tmp/out" "usage: cairn-agent"
"$CAIRN_AGENT" --help | grep -q "config check" || fail "--help lacks config check"

# The kubernetes profile's files (kubelet itself cannot be had here).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=k8s-ca \
	-keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null || fail "openssl: a CA"
cat >"$tmp/k8s.conf" <<CONF
[node]
hostname = k8s-07
profile = kubernetes
[trust]
ca-file = $tmp/ca.pem
[kubernetes]
server = https://10.0.0.1:6443
token = abcdef.0123456789abcdef
CONF
"$CAIRN_AGENT" kubelet --config "$tmp/k8s.conf" --out "$tmp/k8s" --render-only >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; fail "kubelet --render-only failed"; }
[ "$(stat -c %a "$tmp/k8s/bootstrap-kubeconfig")" = 600 ] || fail "the bootstrap kubeconfig is not 0600"
cmp -s "$tmp/ca.pem" "$tmp/k8s/ca.crt" || fail "ca.crt is not the [trust] CA"
grep -qx "    token: abcdef.0123456789abcdef" "$tmp/k8s/bootstrap-kubeconfig" || fail "no token in the kubeconfig"
grep -qx "cgroupDriver: cgroupfs" "$tmp/k8s/kubelet.yaml" || fail "kubelet.yaml: no cgroupfs"
! grep -qF "abcdef.0123456789abcdef" "$tmp/out" || fail "the token appeared in the output"
"$CAIRN_AGENT" kubelet --config "$tmp/node.conf" --out "$tmp/k8s2" >"$tmp/out" 2>&1 || fail "kubelet on slurm"
expect_line "$tmp/out" "kubelet: profile slurm: not started"
echo "ok: cairn-agent config check and show; kubelet files"
