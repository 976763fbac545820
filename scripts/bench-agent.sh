#!/bin/sh
# scripts/bench-agent.sh: the node agent as the image runs it (the static
# musl build), on this machine, with baselines from the same run:
#
#  - the control API: REQS requests over mutual TLS on loopback, each on
#    a new connection (the API answers one request per connection), to
#    GET /v1/health, /metrics and /v1/inventory, beside the same number
#    of requests for a static file from `openssl s_server -WWW` with the
#    same certificates (the TLS handshake alone, what any mTLS server pays);
#  - the agent's memory while serving (VmRSS of its helper and network
#    side together) beside s_server's;
#  - `cairn-agent setup` from a config on disk, `net plan` and
#    `inventory`, each beside `cat` of the same config (a process start
#    and a read: the least any tool can do).
# Medians of N runs.
#
# usage: bench-agent.sh AGENT N
. "$(dirname "$0")/lib.sh"

agent=${1:?usage: bench-agent.sh AGENT N}
n=${2:?usage: bench-agent.sh AGENT N}
reqs=${REQS:-100}
command -v curl >/dev/null && command -v openssl >/dev/null || die "bench-agent needs curl and openssl"
tmp=$(mktemp -d)
srv=
trap '[ -z "$srv" ] || kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
pki=$tmp/pki
mkdir -p "$pki" "$tmp/www" "$tmp/run" "$tmp/scratch"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null || die "openssl: CA"
# leaf NAME SUBJECT [SAN]: a certificate from the bench CA.
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null || die "openssl: $1"
	if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\n' "$3" >"$pki/$1.ext"; else : >"$pki/$1.ext"; fi
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
		-extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null || die "openssl: sign $1"
}
leaf node /CN=node IP:127.0.0.1
leaf monitor /OU=cairn-monitor/CN=monitor
cat >"$tmp/node.conf" <<CONF
[node]
hostname = bench
[net lan]
match = name lo
[api]
listen = 127.0.0.1:0
cert-file = $pki/node.pem
key-file = $pki/node.key
client-ca = $pki/ca.pem
CONF
echo "static file of the same order as a health answer" >"$tmp/www/health"

# The agent's API, and s_server -WWW beside it, each on a free port.
# As root the API's network side becomes its own user (cairn-api on a
# node, nobody here), who reads the bench's files.
chmod 755 "$tmp"
TMPDIR=$tmp/scratch "$agent" serve --config "$tmp/node.conf" --user nobody >"$tmp/api.log" 2>&1 &
api=$!
srv=$api
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp/www" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$port" -cert "$pki/node.pem" \
	-key "$pki/node.key" -CAfile "$pki/ca.pem" -Verify 2 >"$tmp/ssrv.log" 2>&1) &
ssrv=$!
srv="$api $ssrv"
for i in $(seq 100); do
	aport=$(sed -n 's/^api: listening on .* (port \([0-9]*\)).*/\1/p' "$tmp/api.log")
	[ -n "$aport" ] && break
	sleep 0.1
done
[ -n "$aport" ] || { cat "$tmp/api.log"; die "the agent's API did not start"; }
sleep 0.5

# seconds BASE PATH: REQS GETs of BASE/PATH in one curl, a connection each.
seconds() {
	set -- "$1" "$2"
	urls=
	i=0
	while [ $i -lt "$reqs" ]; do urls="$urls -o /dev/null $1$2"; i=$((i + 1)); done
	t0=$(now)
	# shellcheck disable=SC2086
	curl -sS --fail --cacert "$pki/ca.pem" --cert "$pki/monitor.pem" --key "$pki/monitor.key" \
		-H 'Connection: close' $urls || { tail -n 5 "$tmp/api.log" "$tmp/ssrv.log" >&2; die "curl $1$2 failed"; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
ms_per() { awk -v r="$reqs" '{ printf "%.2f", $1 * 1000 / r }'; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

: >"$tmp/h" ; : >"$tmp/m" ; : >"$tmp/i" ; : >"$tmp/b"
k=0
while [ $k -lt "$n" ]; do
	k=$((k + 1))
	seconds "https://127.0.0.1:$port" /health >>"$tmp/b"
	seconds "https://127.0.0.1:$aport" /v1/health >>"$tmp/h"
	seconds "https://127.0.0.1:$aport" /metrics >>"$tmp/m"
	seconds "https://127.0.0.1:$aport" /v1/inventory >>"$tmp/i"
done
api_rss=$(rss "$api")
net=$(sed -n 's/^api: the network side (pid \([0-9]*\)).*/\1/p' "$tmp/api.log")
[ -z "$net" ] || api_rss=$((api_rss + $(rss "$net")))
ssrv_rss=$(pgrep -P "$ssrv" openssl | head -n 1)
ssrv_rss=$(rss "${ssrv_rss:-$ssrv}")
kill $srv 2>/dev/null
wait 2>/dev/null || true
srv=

# once CMD...: seconds for one run of CMD (output dropped).
once() {
	t0=$(now)
	"$@" >/dev/null 2>&1 || die "$* failed"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
printf 'cairn.config=%s\n' "$tmp/node.conf" >"$tmp/cmdline"
: >"$tmp/s" ; : >"$tmp/p" ; : >"$tmp/v" ; : >"$tmp/c"
k=0
while [ $k -lt "$n" ]; do
	k=$((k + 1))
	once "$agent" setup --no-system --cmdline "$tmp/cmdline" --out "$tmp/run" >>"$tmp/s"
	once "$agent" net plan --config "$tmp/node.conf" >>"$tmp/p"
	once "$agent" inventory >>"$tmp/v"
	once cat "$tmp/node.conf" >>"$tmp/c"
done

echo "bench-agent: $n runs, medians; $reqs requests a run, each a new mutual-TLS connection (loopback)"
printf '  %-34s %10s   %s\n' "" "ms/request" "baseline: openssl s_server -WWW, static file, same TLS"
printf '  %-34s %10s   %s\n' "GET /v1/health" "$(median <"$tmp/h" | ms_per)" "$(median <"$tmp/b" | ms_per)"
printf '  %-34s %10s   %s\n' "GET /metrics" "$(median <"$tmp/m" | ms_per)" "$(median <"$tmp/b" | ms_per)"
printf '  %-34s %10s   %s\n' "GET /v1/inventory" "$(median <"$tmp/i" | ms_per)" "$(median <"$tmp/b" | ms_per)"
printf '  %-34s %10s   %s\n' "memory while serving (VmRSS, kB)" "$api_rss" "$ssrv_rss"
printf '  %-34s %10s   %s\n' "" "ms" "baseline: cat of the config"
for f in s:setup p:"net plan" v:inventory; do
	printf '  %-34s %10s   %s\n' "cairn-agent ${f#*:}" \
		"$(median <"$tmp/${f%%:*}" | awk '{ printf "%.2f", $1 * 1000 }')" \
		"$(median <"$tmp/c" | awk '{ printf "%.2f", $1 * 1000 }')"
done
