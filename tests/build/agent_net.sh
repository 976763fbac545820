#!/bin/sh
# cairn-agent net up (node.conf(5), [net NAME]) in a network namespace of
# its own with veth NICs: NICs renamed by MAC, MTU, static IPv4 and IPv6
# addresses, the default route, [dns] into the resolv.conf given, a DHCP
# client on the interface that asks for one (ready after --wait with no
# lease), stopped with the agent.  Bonds and VLANs too where the host's
# kernel has them (the VM test boots Cairn's own, which does).
. "$(dirname "$0")/testlib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
: "${BUSYBOX:?BUSYBOX: the image's busybox (its udhcpc)}"
[ "$(id -u)" = 0 ] || fail "needs root for a network namespace"
ns=cairn-net-$$
agent=
cleanup() {
	[ -z "$agent" ] || kill "$agent" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
mkdir -p "$tmp/bin"
ln -s "$BUSYBOX" "$tmp/bin/udhcpc"
nsip() { ip -n "$ns" "$@"; }
nsip link add eth0 address 52:54:00:aa:00:01 type veth peer name peer0
nsip link add eth1 address 52:54:00:aa:00:02 type veth peer name peer1
nsip link set peer0 up
nsip link set peer1 up

# up CONFIG: the agent up on it, in the background, until it says ready.
up() {
	rm -f "$tmp/ready"
	: >"$tmp/ready"
	ip netns exec "$ns" env PATH="$tmp/bin:$PATH" "$CAIRN_AGENT" net up --config "$1" --wait 1 \
		--notify 3 --resolv "$tmp/resolv.conf" >"$tmp/out" 2>&1 3>"$tmp/ready" &
	agent=$!
	for i in $(seq 300); do
		[ -s "$tmp/ready" ] && return 0
		kill -0 "$agent" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/out" >&2
	fail "net up did not say ready"
}
down() {
	kill "$agent"
	wait "$agent" || fail "net up did not stop cleanly on SIGTERM"
	agent=
}

cat >"$tmp/a.conf" <<'CONF'
[net lan]
match = mac 52:54:00:AA:00:01
address = 192.0.2.10/24
address = 2001:db8::10/64
gateway = 192.0.2.1
mtu = 1400
[net boot]
match = mac 52:54:00:aa:00:02
[dns]
server = 192.0.2.53
search = example.org
CONF
up "$tmp/a.conf"
nsip -o link show lan >"$tmp/link" 2>&1 || fail "no interface named lan: $(nsip -o link)"
expect_line "$tmp/link" "mtu 1400"
nsip -o link show boot >/dev/null 2>&1 || fail "no interface named boot"
nsip -o addr show dev lan >"$tmp/addr"
expect_line "$tmp/addr" "inet 192.0.2.10/24"
expect_line "$tmp/addr" "inet6 2001:db8::10/64"
nsip route show default >"$tmp/route"
expect_line "$tmp/route" "default via 192.0.2.1 dev lan"
expect_line "$tmp/resolv.conf" "nameserver 192.0.2.53"
expect_line "$tmp/resolv.conf" "search example.org"
expect_line "$tmp/out" "net: boot: no DHCP lease after 1 s; still trying"
pgrep -f "udhcpc -f -R -i boot" >/dev/null || { cat "$tmp/out" >&2; fail "no DHCP client on boot"; }
down
! pgrep -f "udhcpc -f -R -i boot" >/dev/null || fail "the DHCP client outlived net up"

# A config that names a NIC the node lacks: said, the rest applied.
printf '[net x]\nmatch = mac 52:54:00:00:00:99\n[net lan]\nmatch = name lan\naddress = 198.51.100.7/24\n' \
	>"$tmp/b.conf"
up "$tmp/b.conf"
expect_line "$tmp/out" "net: warning: [net x]: no NIC has MAC 52:54:00:00:00:99: left out"
nsip -o addr show dev lan >"$tmp/addr"
expect_line "$tmp/addr" "inet 198.51.100.7/24"
! grep -qF "192.0.2.10" "$tmp/addr" || fail "the old static address was kept"
down

if nsip link add probe0 type bond 2>/dev/null && nsip link add link probe0 name probe0.5 type vlan id 5 2>/dev/null
then
	nsip link del probe0
	cat >"$tmp/c.conf" <<'CONF'
[net p0]
match = name lan
[net p1]
match = name boot
[net bond0]
bond = p0 p1
bond-mode = active-backup
[net v100]
vlan = bond0 100
address = 10.100.0.5/24
CONF
	up "$tmp/c.conf"
	nsip -o link show p0 >"$tmp/link"
	expect_line "$tmp/link" "master bond0"
	ip netns exec "$ns" cat /sys/class/net/bond0/bonding/mode >"$tmp/mode"
	expect_line "$tmp/mode" "active-backup"
	nsip -d -o link show v100 >"$tmp/link"
	expect_line "$tmp/link" "vlan protocol 802.1Q id 100"
	down
	echo "agent net: rename, MTU, v4+v6, route, DNS, DHCP client, missing NIC; bond + VLAN"
else
	echo "agent net: rename, MTU, v4+v6, route, DNS, DHCP client, missing NIC (bond/VLAN: not in this host's kernel)"
fi
