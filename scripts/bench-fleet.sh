#!/bin/sh
# scripts/bench-fleet.sh: cairnctl status (the static build, as the
# repository's package has it) against FLEET_N node APIs on this host
# (the image's static cairn-agent, one a node, each its own certificate:
# tests/build/fleetlib), beside its time for one node, and beside curl
# asking the same 200 nodes the same request (GET /v1/status, the same
# certificates) one after another and 64 at a time (xargs -P).  Medians
# of N runs; every run's answers are counted, so a failure is not fast.
#
# usage: bench-fleet.sh CAIRNCTL AGENT N
cairnctl=${1:?usage: bench-fleet.sh CAIRNCTL AGENT N}
CAIRN_AGENT_STATIC=${2:?usage: bench-fleet.sh CAIRNCTL AGENT N}
runs=${3:?usage: bench-fleet.sh CAIRNCTL AGENT N}
nodes=${FLEET_N:-200}
tests=$(cd "$(dirname "$0")/../tests/build" && pwd)
. "$tests/testlib"
. "$tests/tlslib"
. "$tests/fleetlib"
command -v curl >/dev/null || fail "bench-fleet needs curl"

opclient operator op-ca cairn-operator
echo "  FLEET   $nodes node APIs starting"
fleet "$nodes"
head -n 1 "$tmp/fleet" >"$tmp/one"
ctl() {
	"$cairnctl" --cert "$pki/operator.pem" --key "$pki/operator.key" --ca "$pki/node-ca.pem" "$@"
}
# curl_one LINE: GET /v1/status of one "NAME ADDRESS:PORT" line, its name checked.
awk '{ split($2, a, ":"); print $1, a[1], a[2] }' "$tmp/fleet" >"$tmp/targets"
cat >"$tmp/curl_one" <<SH
#!/bin/sh
curl -sS --fail -o /dev/null --cacert "$pki/node-ca.pem" --cert "$pki/operator.pem" --key "$pki/operator.key" \\
	--resolve "\$1:\$3:\$2" "https://\$1:\$3/v1/status" && echo ok
SH
chmod 755 "$tmp/curl_one"

# median CMD...: the median wall time of $runs runs, in ms; each must answer all.
median() {
	want=$1
	shift
	for r in $(seq "$runs"); do
		s=$(date +%s%N)
		got=$("$@" 2>/dev/null | grep -c 'healthy$\|^ok$' || true)
		e=$(date +%s%N)
		[ "$got" = "$want" ] || fail "$*: $got of $want answered"
		echo $(((e - s) / 1000000))
	done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}
one=$(median 1 ctl --nodes-file "$tmp/one" status)
all=$(median "$nodes" ctl --nodes-file "$tmp/fleet" status)
serial=$(median "$nodes" sh -c 'while read n a p; do "$0" "$n" "$a" "$p"; done <"$1"' "$tmp/curl_one" "$tmp/targets")
par=$(median "$nodes" sh -c 'xargs -P 64 -L 1 "$0" <"$1"' "$tmp/curl_one" "$tmp/targets")
printf '%-44s %8s\n' "GET /v1/status, mTLS, medians of $runs" "ms"
printf '%-44s %8d\n' "cairnctl status, 1 node" "$one"
printf '%-44s %8d  (%s x one node)\n' "cairnctl status, $nodes nodes (64 at a time)" "$all" \
	"$(awk -v a="$all" -v o="$one" 'BEGIN { printf "%.1f", a / (o ? o : 1) }')"
printf '%-44s %8d\n' "curl, $nodes nodes one after another" "$serial"
printf '%-44s %8d\n' "curl, $nodes nodes 64 at a time (xargs -P 64)" "$par"
