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
echo "ok: cairn-agent config check and show"
