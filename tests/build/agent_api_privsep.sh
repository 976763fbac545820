#!/bin/sh
# cairn-agent serve: how the API runs (doc/cairn-agent.md, API).  The
# network side, which holds the TLS and HTTP parsers, and the process of
# each connection it serves run as their own user with no capability
# and no_new_privs, and hold none of the cluster's secrets (a parser bug
# gives neither root nor the MUNGE key); only the helper, its parent,
# stays root.  Then the floods: 200 connections from one address that
# send nothing, then 8 from each of 40 addresses (320, past the 64
# places); an operator is answered within 2 s under each, and one whose
# handshake was done before the second keeps its connection.
. "$(dirname "$0")/testlib"
[ "$(id -u)" = 0 ] || { echo "skipped: the API drops from root to its own user; not root here"; exit 77; }
. "$(dirname "$0")/tlslib"
. "$(dirname "$0")/apilib"

ca site-ca
ca ops-ca
cert node site-ca "IP:127.0.0.1"
client op ops-ca cairn-operator
cat >"$tmp/bin/initctl" <<'SH'
#!/bin/sh
[ "$1" = status ] && echo "containerd   up    pid 10"
SH
chmod +x "$tmp/bin/initctl"
key=$(head -c 48 /dev/urandom | base64 -w0)
cat >"$tmp/node.conf" <<CONF
[node]
hostname = privsep-node
[slurm]
munge-key = $key
[api]
listen = 127.0.0.1:0
cert-file = $pki/node.pem
key-file = $pki/node.key
client-ca = $pki/ops-ca.pem
CONF
# The network side's user: one that exists, and not root.
expect_fail "$tmp/out" "$CAIRN_AGENT" serve --config "$tmp/node.conf" --user no-such-user
expect_line "$tmp/out" "serve: user no-such-user: not in /etc/passwd"
expect_fail "$tmp/out" "$CAIRN_AGENT" serve --config "$tmp/node.conf" --user root
expect_line "$tmp/out" "serve: user root: uid or gid 0: the API's network side must not be root"
# Its files are read after the drop: one only root may read is said so.
install -m 0600 "$pki/ops-ca.pem" "$tmp/root-only.pem"
sed "s|^client-ca = .*|client-ca = $tmp/root-only.pem|" "$tmp/node.conf" >"$tmp/root-only.conf"
expect_fail "$tmp/out" "$CAIRN_AGENT" serve --config "$tmp/root-only.conf" --user "$api_user"
expect_line "$tmp/out" "client-ca $tmp/root-only.pem: Permission denied (the API's network side, an unprivileged user, reads it)"

api_start "$tmp/node.conf"
net=$(sed -n 's/^api: the network side (pid \([0-9]*\)) runs as.*/\1/p' "$tmp/log")
[ -n "$net" ] || { cat "$tmp/log"; fail "the log does not name the network side"; }

# status PID FIELD: a field of /proc/PID/status, tabs as spaces.
status() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' ' | sed 's/ *$//'
}
# unprivileged WHAT PID: not root in any uid, no capability at all.
unprivileged() {
	uid=$(status "$2" Uid)
	[ "$uid" = "65534 65534 65534 65534" ] || fail "$1 (pid $2): uids $uid, not nobody's"
	[ "$(status "$2" Groups)" = 65534 ] || fail "$1: groups $(status "$2" Groups)"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		[ "$(status "$2" $f)" = 0000000000000000 ] || fail "$1: $f $(status "$2" $f)"
	done
	[ "$(status "$2" NoNewPrivs)" = 1 ] || fail "$1: no_new_privs not set"
}
[ "$(status "$net" PPid)" = "$server" ] || fail "the network side is not the helper's child"
[ "$(status "$server" Uid)" = "0 0 0 0" ] || fail "the helper is not root"
unprivileged "the network side" "$net"

# A connection's own process: a client that sent nothing yet.
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$port" &
idle=$!
conn=
for i in $(seq 300); do
	conn=$(cat /proc/"$net"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep . | head -n 1)
	[ -n "$conn" ] && break
	sleep 0.1
done
[ -n "$conn" ] || fail "no process for the idle connection"
unprivileged "a connection's process" "$conn"
kill "$idle"

# secret PID: the MUNGE key (raw or base64) anywhere in PID's memory.
secret() {
	python3 - "$1" "$key" <<'EOF'
import base64, re, sys
pid, text = sys.argv[1], sys.argv[2].encode()
raw = base64.b64decode(text)
found = False
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in addr.split("-"))
        # ASan's shadow is terabytes of reserved space: not where a copy lives.
        if "r" not in perms or hi - lo > 1 << 30:
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except OSError:
            continue
        if raw in data or text in data:
            print("found in %s" % line.strip())
            found = True
sys.exit(0 if found else 1)
EOF
}
secret "$server" >/dev/null || fail "the probe finds no MUNGE key even in the helper, which holds it"
if secret "$net"; then fail "the network side holds the MUNGE key"; fi

# The flood: 200 connections from 127.0.0.2 that send nothing.  An
# operator from 127.0.0.1 is answered within 2 s, and the log says why
# most of the flood was turned away.
python3 - "$port" "$tmp/flood" <<'EOF' &
import select, socket, sys, time
socks = []
for i in range(200):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
pending, end = set(socks), time.time() + 10
while pending and time.time() < end:
    _, w, _ = select.select([], list(pending), [], 1)
    pending -= set(w)
open(sys.argv[2], "w").write("connected %d\n" % (200 - len(pending)))
time.sleep(60)
EOF
flood=$!
waitfor "$tmp/flood" connected 15
expect_line "$tmp/flood" "connected 200"
t=$(curl -sS -o "$tmp/body" -w '%{http_code} %{time_total}' --max-time 2 --cacert "$pki/site-ca.pem" \
	--cert "$pki/op.pem" --key "$pki/op.key" "https://127.0.0.1:$port/v1/services" 2>"$tmp/curl.err") ||
	{ cat "$tmp/curl.err" "$tmp/log"; fail "under the flood, no answer within 2 s"; }
[ "${t% *}" = 200 ] || { cat "$tmp/body" "$tmp/log"; fail "under the flood: $t"; }
t0=$t
expect_line "$tmp/body" "containerd   up"
expect_line "$tmp/log" "refused: 8 connections from its address are open, the most one source may hold"
kill "$flood"

# An operator verified before the wide flood, whose request is still
# being answered through it: the first initctl waits for held.go.
cat >"$tmp/bin/initctl" <<SH
#!/bin/sh
if mkdir "$tmp/held.lock" 2>/dev/null; then
	echo running >"$tmp/held.running"
	while [ ! -e "$tmp/held.go" ]; do sleep 0.05; done
fi
[ "\$1" = status ] && echo "containerd   up    pid 10"
SH
curl -sS -o "$tmp/held.body" -w '%{http_code}' --max-time 60 --cacert "$pki/site-ca.pem" --cert "$pki/op.pem" \
	--key "$pki/op.key" "https://127.0.0.1:$port/v1/services" >"$tmp/held.code" 2>"$tmp/held.err" &
held=$!
waitfor "$tmp/held.running" running 10
# The wide flood: 8 idle connections from each of 127.0.0.10 to .49.
# It says how many the API took, and how many it closed: once it has
# taken them all, 64 hold every place and the rest were ended (the old
# API took 64 and left the rest waiting their turn).
python3 - "$port" "$tmp/wide" <<'EOF' &
import select, socket, sys, time
socks = []
for a in range(10, 50):
    for i in range(8):
        s = socket.socket()
        s.bind(("127.0.0.%d" % a, 0))
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", int(sys.argv[1])))
        socks.append(s)
pending, end = set(socks), time.time() + 10
while pending and time.time() < end:
    _, w, _ = select.select([], list(pending), [], 1)
    pending -= set(w)
live, end = set(socks) - pending, time.time() + 15
connected = len(live)
while len(live) > 64 and time.time() < end:
    r, _, _ = select.select(list(live), [], [], 1)
    for s in r:
        try:
            if s.recv(1) == b"":
                live.discard(s)
        except OSError:
            live.discard(s)
open(sys.argv[2], "w").write("connected %d, closed %d\n" % (connected, connected - len(live)))
time.sleep(60)
EOF
wide=$!
waitfor "$tmp/wide" connected 30
t=$(curl -sS -o "$tmp/body" -w '%{http_code} %{time_total}' --max-time 2 --cacert "$pki/site-ca.pem" \
	--cert "$pki/op.pem" --key "$pki/op.key" "https://127.0.0.1:$port/v1/services" 2>"$tmp/curl.err") ||
	{ cat "$tmp/wide" "$tmp/curl.err" "$tmp/log"; fail "under 320 idle connections from 40 addresses, no answer within 2 s"; }
[ "${t% *}" = 200 ] || { cat "$tmp/body" "$tmp/log"; fail "under the wide flood: $t"; }
expect_line "$tmp/log" "places taken: the oldest connection not verified yet"
: >"$tmp/held.go"
wait "$held" || { cat "$tmp/held.err"; fail "the operator verified before the flood lost the connection"; }
[ "$(cat "$tmp/held.code")" = 200 ] || fail "the operator verified before the flood: $(cat "$tmp/held.code")"
expect_line "$tmp/held.body" "containerd   up"
kill "$wide"
api_stop
echo "agent api privsep: helper root, network side and a connection's process nobody with no capability and no MUNGE key; under 200 idle connections from one address an operator answered in ${t0#* } s, under 320 from 40 addresses in ${t#* } s, one verified before kept"
