#!/bin/sh
# cairnctl against 200 node APIs on this host (tests/build/fleetlib: the
# image's static cairn-agent, one a node, each with its own certificate):
# - status over all of them, with 10 not answering (5 ports that refuse,
#   5 that accept and never speak) and 5 answering slowly (through a
#   relay that holds each connection 2 s): every node's line is right,
#   and the whole finishes within a bound set by the timeout, not by the
#   count of dead nodes; --json says the same;
# - hostile and broken answers cost that node's entry and nothing else:
#   garbage instead of TLS, an endless body, a chunked body (not the
#   API's framing), a node answering with another node's (valid)
#   certificate, a stall;
# - a staged update, a rollback held and an operator's drain show;
#   drain and resume a host-list's nodes; a monitor may not drain; a
#   certificate from another CA is refused by every node;
# - logs and a support bundle from one node; Prometheus targets.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/tlslib"
: "${CAIRNCTL:?CAIRNCTL: the host build of cairnctl}"
. "$(dirname "$0")/fleetlib"
command -v jq >/dev/null || fail "jq is needed"

ca other-ca
opclient operator op-ca cairn-operator
opclient monitor op-ca cairn-monitor
opclient stranger other-ca cairn-operator
# ctl WHO ARGS...: cairnctl as WHO, with the nodes' CA.
ctl() {
	who=$1
	shift
	"$CAIRNCTL" --cert "$pki/$who.pem" --key "$pki/$who.key" --ca "$pki/node-ca.pem" "$@"
}

n=200
fleet $n
# Before the first status: a staged update on node003, a rollback held on
# node004, an operator's drain on node005, another version on node006.
printf 'slot b\nversion 1.1\ntries 3\n' >"$tmp/nodes/node003/var/lib/cairn/os/staged"
echo "version 1.1 in slot b failed 3 tries: not healthy" >"$tmp/nodes/node004/var/lib/cairn/os/hold"
echo "PSU swap" >"$tmp/nodes/node005/run/cairn/drain"
printf 'ID=cairn\nIMAGE_VERSION=0.9\n' >"$tmp/nodes/node006/etc/os-release"

# The 10 that do not answer and the 5 slow ones, in place of nodes 186-200.
python3 - "$tmp/odd" <<'EOF' &
import socket, sys, threading, time
out = open(sys.argv[1], "w")
def listener():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64); return s
held = []
def stall(s):
    while True:
        c, _ = s.accept(); held.append(c)        # accepted, never a byte
def relay(s, port):
    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d: break
                b.sendall(d)
        except OSError: pass
        for x in (a, b):
            try: x.shutdown(socket.SHUT_RDWR)
            except OSError: pass
    def one(c):
        time.sleep(2)
        u = socket.create_connection(("127.0.0.1", port))
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        pipe(u, c)
    while True:
        c, _ = s.accept(); threading.Thread(target=one, args=(c,), daemon=True).start()
for i in range(5):                                # refused: a port bound, then closed
    s = listener(); out.write("refused %d\n" % s.getsockname()[1]); s.close()
for i in range(5):
    s = listener(); out.write("stall %d\n" % s.getsockname()[1])
    threading.Thread(target=stall, args=(s,), daemon=True).start()
slow = [listener() for i in range(5)]
for s in slow:
    out.write("slow %d\n" % s.getsockname()[1])
out.write("ready\n"); out.flush()
import os
while not os.path.exists(sys.argv[1] + ".relaying-to"):   # the test names the nodes behind
    time.sleep(0.05)
for s, line in zip(slow, open(sys.argv[1] + ".relaying-to")):
    threading.Thread(target=relay, args=(s, int(line)), daemon=True).start()
open(sys.argv[1] + ".relaying", "w").write("yes\n")
threading.Event().wait()
EOF
fleet_pids="$fleet_pids $!"
waitfor "$tmp/odd" ready
# The slow ones relay to nodes 196-200's own APIs.
awk '$1 ~ /^node(19[6-9]|200)$/ { sub(/.*:/, "", $2); print $2 }' "$tmp/fleet" >"$tmp/odd.targets"
mv "$tmp/odd.targets" "$tmp/odd.relaying-to"
waitfor "$tmp/odd.relaying" yes
awk -v odd="$tmp/odd" 'BEGIN { while ((getline l < odd) > 0) { split(l, f, " "); if (f[1] != "ready") port[++k] = f[2] } }
	{ i = substr($1, 5) + 0; if (i >= 186) $2 = "127.0.0.1:" port[i - 185]; print }' "$tmp/fleet" >"$tmp/fleet.odd"
grep -c . "$tmp/fleet.odd" | grep -qx $n || fail "the fleet file does not have $n nodes"

start=$(date +%s)
rc=0
ctl operator --nodes-file "$tmp/fleet.odd" --timeout 5 status >"$tmp/status" 2>"$tmp/status.err" || rc=$?
took=$(($(date +%s) - start))
[ $rc = 1 ] || { cat "$tmp/status" "$tmp/status.err"; fail "status: exit $rc, not 1 (some unhealthy, some not answering)"; }
# One line a node, and the header.
[ "$(grep -c '^node' "$tmp/status")" = $n ] || { cat "$tmp/status"; fail "status: not one line for each of $n nodes"; }
healthy=$(grep -cE '^node[0-9]{3} +1\.0 +a +- +0 +1d02h +healthy$' "$tmp/status" || true)
[ "$healthy" = $((n - 14)) ] || { cat "$tmp/status"; fail "status: $healthy plain healthy nodes, not $((n - 14))"; }
expect_line "$tmp/status" "staged 1.1"
grep -E '^node003 +1\.0 +a +staged 1\.1 .* healthy$' "$tmp/status" >/dev/null || fail "node003: the staged update"
grep -E '^node004 .* FAIL os: rolled back: version 1\.1 in slot b failed 3 tries' "$tmp/status" >/dev/null ||
	fail "node004: the rollback held"
grep -E '^node005 .* FAIL drain: drained by an operator: PSU swap$' "$tmp/status" >/dev/null ||
	fail "node005: the drain"
grep -E '^node006 +0\.9 ' "$tmp/status" >/dev/null || fail "node006: its version"
for i in 186 187 188 189 190; do
	grep -E "^node$i .* no answer: connect: Connection refused$" "$tmp/status" >/dev/null ||
		{ cat "$tmp/status"; fail "node$i: not 'connection refused'"; }
done
for i in 191 192 193 194 195; do
	grep -E "^node$i .* no answer: no answer in time \(handshake\)$" "$tmp/status" >/dev/null ||
		{ cat "$tmp/status"; fail "node$i: not a stall"; }
done
for i in 196 197 198 199 200; do
	grep -E "^node$i .* healthy$" "$tmp/status" >/dev/null || { cat "$tmp/status"; fail "node$i (slow): not healthy"; }
done
expect_line "$tmp/status.err" "cairnctl: 12 of 200 nodes unhealthy or not answering"
# The stalled nodes cost one timeout (5 s), together: not 5 x 5 s.  The
# bound is generous for a busy machine; what it rules out is stalls
# added one after another.
[ "$took" -lt 24 ] || fail "status took $took s for $n nodes with a 5 s timeout"
echo "status: $n nodes, 10 not answering, 5 slow: $took s"

ctl operator --nodes-file "$tmp/fleet.odd" --timeout 5 --json status >"$tmp/status.json" 2>/dev/null || true
jq -e --argjson n $n 'length == $n and ([.[] | select(.answered)] | length) == $n - 10 and
	([.[] | select(.healthy)] | length) == $n - 12 and
	(.[] | select(.node == "node003") | .update == {"state": "staged", "version": "1.1", "slot": "b", "tries": 3}) and
	(.[] | select(.node == "node190") | .error == "connect: Connection refused")' "$tmp/status.json" >/dev/null ||
	{ cat "$tmp/status.json"; fail "status --json: not what the lines said"; }

# ---- hostile and broken answers: each costs its node's entry only.
# The endless one holds a valid certificate for its name, "huge".
echo "subjectAltName=DNS:huge,DNS:liar" >"$tmp/huge.ext"
openssl req -new -key "$pki/nodes.key" -subj "/CN=huge" 2>/dev/null |
	openssl x509 -req -CA "$pki/node-ca.pem" -CAkey "$pki/node-ca.key" -CAcreateserial -days 2 \
		-extfile "$tmp/huge.ext" -out "$tmp/hostile.pem" 2>/dev/null || fail "openssl: huge's certificate"
python3 - "$pki/nodes.key" "$tmp/hostile" <<'EOF' &
import socket, ssl, subprocess, sys, threading
key, out = sys.argv[1], open(sys.argv[2], "w")
def listener():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); return s
def garbage(s):
    while True:
        c, _ = s.accept(); c.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 4096); c.close()
def endless(s, ctx):
    def one(c):
        try:
            t = ctx.wrap_socket(c, server_side=True)
            t.recv(4096)
            t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{\"a\":\"")
            while True: t.sendall(b"x" * 65536)
        except OSError: pass
    while True:
        c, _ = s.accept(); threading.Thread(target=one, args=(c,), daemon=True).start()
g = listener(); out.write("garbage %d\n" % g.getsockname()[1])
threading.Thread(target=garbage, args=(g,), daemon=True).start()
def chunked(s, ctx):
    while True:
        c, _ = s.accept()
        try:
            t = ctx.wrap_socket(c, server_side=True)
            t.recv(4096)
            t.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            t.close()
        except OSError: pass
e = listener(); out.write("endless %d\n" % e.getsockname()[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[2] + ".pem", key)
threading.Thread(target=endless, args=(e, ctx), daemon=True).start()
l = listener(); out.write("liar %d\n" % l.getsockname()[1])
threading.Thread(target=chunked, args=(l, ctx), daemon=True).start()
out.write("ready\n"); out.flush()
threading.Event().wait()
EOF
fleet_pids="$fleet_pids $!"
waitfor "$tmp/hostile" ready
{
	sed -n '1,3p' "$tmp/fleet"
	echo "garbage 127.0.0.1:$(awk '$1 == "garbage" { print $2 }' "$tmp/hostile")"
	echo "huge 127.0.0.1:$(awk '$1 == "endless" { print $2 }' "$tmp/hostile")"
	echo "liar 127.0.0.1:$(awk '$1 == "liar" { print $2 }' "$tmp/hostile")"
	# node002's API answering for node777: its certificate names node002.
	echo "node777 $(awk '$1 == "node002" { print $2 }' "$tmp/fleet")"
	echo "stall $(awk '$1 == "stall" { print "127.0.0.1:" $2; exit }' "$tmp/odd")"
} >"$tmp/hostile.fleet"
rc=0
ctl operator --nodes-file "$tmp/hostile.fleet" --timeout 5 status >"$tmp/status" 2>&1 || rc=$?
[ $rc = 1 ] || { cat "$tmp/status"; fail "status with hostile nodes: exit $rc, not 1"; }
grep -E '^garbage .* no answer: TLS: ' "$tmp/status" >/dev/null || { cat "$tmp/status"; fail "garbage: not refused at TLS"; }
grep -E '^huge .* no answer: its answer is larger than 65536 bytes$' "$tmp/status" >/dev/null ||
	{ cat "$tmp/status"; fail "huge: an endless answer not cut off"; }
grep -E "^liar .* no answer: its answer is not the API's HTTP" "$tmp/status" >/dev/null ||
	{ cat "$tmp/status"; fail "liar: a chunked answer taken"; }
grep -E '^node777 .* no answer: its certificate is refused: hostname mismatch$' "$tmp/status" >/dev/null ||
	{ cat "$tmp/status"; fail "node777: another node's certificate taken"; }
grep -E '^stall .* no answer: no answer in time \(handshake\)$' "$tmp/status" >/dev/null ||
	{ cat "$tmp/status"; fail "stall: not timed out"; }
for i in 001 002 003; do
	grep -E "^node$i .* healthy$" "$tmp/status" >/dev/null || { cat "$tmp/status"; fail "node$i: hurt by its hostile neighbours"; }
done

# ---- drain and resume a host list (its addresses from the file); roles; another CA.
ctl operator -f "$tmp/fleet" -n 'node[010-012]' drain --reason "rack 3 maintenance" >"$tmp/out" ||
	{ cat "$tmp/out"; fail "drain failed"; }
[ "$(grep -c ' drained$' "$tmp/out")" = 3 ] || { cat "$tmp/out"; fail "drain: not 3 nodes drained"; }
ctl monitor -f "$tmp/fleet" -n 'node[010-013]' status >"$tmp/status" 2>/dev/null || true
[ "$(grep -c 'FAIL drain: drained by an operator: rack 3 maintenance' "$tmp/status")" = 3 ] ||
	{ cat "$tmp/status"; fail "status: the 3 drained nodes not shown so"; }
grep -E '^node013 .* healthy$' "$tmp/status" >/dev/null || fail "node013 drained too"
ctl operator -f "$tmp/fleet" -n 'node[010-012]' resume >"$tmp/out" || fail "resume failed"
ctl monitor -f "$tmp/fleet" -n 'node[010-012]' health >"$tmp/out" || { cat "$tmp/out"; fail "resumed, not healthy"; }
[ "$(grep -c ' healthy$' "$tmp/out")" = 3 ] || { cat "$tmp/out"; fail "health: not 3 healthy lines"; }
expect_fail "$tmp/out" ctl monitor -f "$tmp/fleet" -n node010 drain --reason x
grep -E '^node010 +FAILED: answered 403: POST /v1/drain needs role cairn-operator' "$tmp/out" >/dev/null ||
	{ cat "$tmp/out"; fail "a monitor's drain: not refused"; }
expect_fail "$tmp/out" ctl operator -f "$tmp/fleet" -n node010 drain --reason 'a;b'
expect_line "$tmp/out" "--reason: 1 to 127 letters, digits, spaces and . _ ~ : -"
expect_fail "$tmp/out" ctl stranger -f "$tmp/fleet" -n 'node[001-003]' health
[ "$(grep -c 'no answer: ' "$tmp/out")" = 3 ] || { cat "$tmp/out"; fail "a certificate from another CA was not refused"; }
grep -q "refused: .*unable to get local issuer certificate" "$tmp/nodes/node001/log" ||
	{ cat "$tmp/nodes/node001/log"; fail "node001 did not log the refusal"; }
expect_fail "$tmp/out" ctl operator -n 'node[1-3' status
expect_line "$tmp/out" "cairnctl: --nodes 'node[1-3': a bracket is not numbers and ranges"

# ---- one node: logs, support bundle; inventory; the targets.
ctl operator -f "$tmp/fleet" logs node001 containerd >"$tmp/out" || fail "logs failed"
expect_line "$tmp/out" "log of containerd: line one"
ctl operator -f "$tmp/fleet" support-bundle node002 -o "$tmp/b.tgz" 2>"$tmp/out" || { cat "$tmp/out"; fail "support-bundle failed"; }
tar -tzf "$tmp/b.tgz" | grep -qx './health.json' || fail "the support bundle has no health.json"
expect_fail "$tmp/out" ctl operator -f "$tmp/fleet.odd" --timeout 2 support-bundle node191 -o "$tmp/none.tgz"
[ ! -e "$tmp/none.tgz" ] || fail "a bundle file written for a node that did not answer"
ctl monitor -f "$tmp/fleet" -n 'node[001-002]' --json inventory >"$tmp/out" || fail "inventory failed"
jq -e '.node001.memory_kb == 16384 and .node002.cpu.model == "Fleet CPU"' "$tmp/out" >/dev/null ||
	{ cat "$tmp/out"; fail "inventory: not the nodes'"; }
"$CAIRNCTL" -f "$tmp/fleet" prometheus-targets >"$tmp/out" || fail "prometheus-targets failed"
jq -e --argjson n $n --arg t "$(awk '$1 == "node007" { print $2 }' "$tmp/fleet")" 'length == $n and
	(.[] | select(.labels.node == "node007") | .targets == [$t] and .labels.__scheme__ == "https")' "$tmp/out" \
	>/dev/null || { cat "$tmp/out"; fail "prometheus-targets: not the fleet's"; }
echo "cairnctl: status of $n nodes in $took s (10 dead, 5 slow, 5 s timeout); 5 hostile answers cost their own entry; drain, resume, roles, another CA; logs, bundle, inventory, targets"
