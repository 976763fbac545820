#!/bin/sh
# The node config by https:// URL at boot, on a node whose hardware clock
# reads 2000-01-01 (node.conf(5), SOURCES; cairn-agent(8) setup): the
# guest's only NIC is a tap on a bridge in a network namespace the test
# makes, where dnsmasq answers DHCP (cairn.dhcp) and an HTTPS server with
# a certificate from a CA made here (issued today, after the image was
# built) serves the config.  setup moves the clock up to the build date,
# fetches the config checked against the CA the command line names, and
# applies its host name.  Then the same with a CA that did not sign the
# server's certificate: refused, nothing written, tried again.
. "$(dirname "$0")/vmlib"
[ "$(id -u)" = 0 ] || { echo "skipped: a network namespace needs root"; exit 77; }
command -v dnsmasq >/dev/null || { echo "skipped: dnsmasq not installed"; exit 77; }
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "skipped: needs openssl, python3"; exit 77; }

ns=cairn-url-$$
pids=
cleanup_ns() {
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_ns EXIT
vm_bridge_ns "$ns" 10.78.0.1/24
ip netns exec "$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --interface=br0 \
	--bind-interfaces --dhcp-range=10.78.0.50,10.78.0.99,255.255.255.0,1h \
	--dhcp-leasefile="$vm/leases" --pid-file="$vm/dnsmasq.pid" >"$vm/dnsmasq.log" 2>&1 &
pids="$pids $!"
vm_listening "$ns" u 67 || { cat "$vm/dnsmasq.log"; fail "dnsmasq does not answer DHCP"; }

pki=$vm/pki
mkdir -p "$vm/www" "$vm/root/etc/site"
vm_pki "$pki" site-ca other-ca
vm_cert "$pki" site-ca srv 10.78.0.1
cp "$pki/site-ca.pem" "$vm/root/etc/site/ca.pem"
cp "$pki/other-ca.pem" "$vm/root/etc/site/other.pem"
printf '[node]\nhostname = from-url\n' >"$vm/www/n1.conf"
vm_https "$ns" 10.78.0.1 "$vm/www" "$pki/srv.pem" "$pki/srv.key"
pids="$pids $https_pid"

nic="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:99"
url=https://10.78.0.1:8443/n1.conf
VM_NETNS=$ns vm_start "cairn.dhcp cairn.config=$url cairn.config.ca=/etc/site/ca.pem" $nic -rtc base=2000-01-01
vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; initctl log node-config | sed "s/^/URL-SETUP /"; echo "URL-HOST $(hostname) $(cat /run/cairn/node.conf.origin)"; echo "URL-YEAR $(date +%Y)"; initctl poweroff'
vm_end
expect 'URL-SETUP .*setup: the clock read 2000-01-01 [0-9:]+ UTC, before this image was built: set to '
expect "URL-SETUP .*setup: config from cmdline $url: profile standalone"
expect "URL-HOST from-url cmdline $url"
year=$(sed -n 's/^URL-YEAR \([0-9]*\).*/\1/p' "$vm/log")
[ "${year:-0}" -ge 2025 ] || fail "the guest's clock still reads $year"

# A CA that did not sign the server's certificate: refused, nothing written.
rm -f "$vm/in" "$vm/log"
VM_NETNS=$ns vm_start "cairn.dhcp cairn.config=$url cairn.config.ca=/etc/site/other.pem" $nic -rtc base=2000-01-01
vm_run 'n=0; until initctl log node-config | grep -q "certificate verify failed"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; initctl log node-config | sed "s/^/URL-BAD /"; echo "URL-BAD-FILES $(ls /run/cairn 2>&1 | tr "\n" " ")"; echo "URL-BAD-HOST $(hostname)"; initctl poweroff'
vm_end
expect 'URL-BAD .*cairn.config=https://10.78.0.1:8443/n1.conf: .*certificate verify failed'
grep -q 'URL-BAD-FILES .*node.conf' "$vm/log" && fail "a config from an untrusted server was written"
expect 'URL-BAD-HOST cairn'
echo "config by URL: clock moved up from 2000, fetched over DHCP + HTTPS, checked by CA; another CA refused"
