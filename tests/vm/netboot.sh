#!/bin/sh
# PXE end to end with the netboot set (doc/netboot.md), as a site runs it:
# in a network namespace the test makes (a bridge, a tap that is the
# guest's only NIC), dnsmasq answers DHCP and serves a chain script by
# TFTP, nginx serves the set by HTTP and the node configs by HTTPS.  QEMU
# boots from the network (no kernel given): its NIC's iPXE ROM gets DHCP,
# loads the chain script by TFTP, then boot.ipxe, the kernel and the
# initramfs by HTTP, and the node fetches its config by the URL in
# boot.ipxe, one per MAC, checked against the site CA in the image.  Two
# nodes with different MACs get different host names, and the second,
# tagged by its MAC, is given the layers (doc/netboot.md, Layers: the set
# made with the board's and a small one of the test's own; boot-all.ipxe
# loads them all, one initrd each), the first none.  Then UEFI HTTP Boot (x86_64 boards, OVMF, no iPXE): the
# firmware's DHCP request (client architecture 16) is answered with
# cairn-test.efi's URL, and the UKI, the layer inside, boots with its
# site-wide config URL.
. "$(dirname "$0")/vmlib"
[ "$(id -u)" = 0 ] || { echo "skipped: a network namespace needs root"; exit 77; }
PATH=$PATH:/usr/sbin
for t in dnsmasq nginx openssl; do
	command -v "$t" >/dev/null || { echo "skipped: $t not installed (scripts/hostdeps.sh)"; exit 77; }
done

ns=cairn-nb-$$
pids=
cleanup_ns() {
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_ns EXIT
vm_bridge_ns "$ns" 10.80.0.1/24

# The set, as make SITE_CA=... NETBOOT_CONFIG=... would make it: the
# image with the site's CA at /etc/cairn/site-ca.pem.
chmod 0711 "$vm"
pki=$vm/pki
vm_pki "$pki" site-ca
vm_cert "$pki" site-ca config-server 10.80.0.1
mkdir -p "$vm/root/etc/cairn" "$vm/out"
cp "$pki/site-ca.pem" "$vm/root/etc/cairn/site-ca.pem"
initrd_overlay "$OUT/initramfs.cpio.zst" "$vm/root" "$vm/out/initramfs.cpio.zst"
cp "$OUT/vmlinuz" "$OUT/cmdline" "$vm/out/"
# And a layer (doc/netboot.md, Layers), as a board with one has: the
# second node is given it (boot-test.ipxe), the UEFI node too (cairn-test.efi).
mkdir -p "$vm/layer/usr/share/cairn-layer-test"
echo "from-the-layer" >"$vm/layer/usr/share/cairn-layer-test/hello"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0} "$top/scripts/rootimg.sh" "$vm/layer" "$vm/layer.img" >/dev/null ||
	fail "rootimg.sh made no layer"
mkdir -p "$vm/lc/cairn/layers" && cp "$vm/layer.img/root.img" "$vm/lc/cairn/layers/test.img"
(cd "$vm/lc" && find cairn | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$vm/out/layer-test.cpio"
blayers=
for f in "$OUT"/layer-*.cpio; do
	[ -f "$f" ] || continue
	cp "$f" "$vm/out/"
	f=${f##*/layer-} && blayers="$blayers ${f%.cpio}"
done
printf '%s cairn.layer=test:verity:%s:%s:%s\n' "$(cat "$OUT/cmdline")" "$(root_verity "$vm/layer.img" blocks)" \
	"$(root_verity "$vm/layer.img" roothash)" "$(root_verity "$vm/layer.img" salt)" >"$vm/out/cmdline"
"$top/scripts/netboot.sh" "$vm/out" "$vm/www" 'https://10.80.0.1:8443/nodes/{mac}.conf' >/dev/null
grep -q 'cairn.config=https://10.80.0.1:8443/nodes/${mac:hexhyp}.conf cairn.config.ca=/etc/cairn/site-ca.pem' \
	"$vm/www/boot.ipxe" || { cat "$vm/www/boot.ipxe"; fail "boot.ipxe lacks the config URL"; }
(cd "$vm/www" && sha256sum -c --quiet SHA256SUMS) || fail "the set's SHA256SUMS do not check"
grep -q ' layer-test.cpio$' "$vm/www/SHA256SUMS" && grep -q ' boot-test.ipxe$' "$vm/www/SHA256SUMS" ||
	fail "the set's SHA256SUMS lack the layer or its script"
grep -qx 'initrd layer-test.cpio' "$vm/www/boot-test.ipxe" && ! grep -q 'initrd.layer' "$vm/www/boot.ipxe" ||
	fail "boot-test.ipxe does not load the layer, or boot.ipxe does"
for l in $blayers test; do
	grep -qx "initrd layer-$l.cpio" "$vm/www/boot-all.ipxe" || { cat "$vm/www/boot-all.ipxe"; fail "boot-all.ipxe does not load layer-$l.cpio"; }
done
mkdir -p "$vm/www/nodes" "$vm/tftp"
uefi=0
if [ -f "$OUT/disk/linuxx64.efi.stub" ] && [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ]; then
	uefi=1
	UKI_STUB=$OUT/disk/linuxx64.efi.stub OSREL=$OUT/disk/os-release SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0} \
		"$top/scripts/netboot.sh" "$vm/out" "$vm/www/uefi" 'https://10.80.0.1:8443/nodes/uefi.conf' >/dev/null
	(cd "$vm/www/uefi" && sha256sum -c --quiet SHA256SUMS) || fail "the UEFI set's SHA256SUMS do not check"
	printf '[node]\nhostname = uefi-node\n' >"$vm/www/nodes/uefi.conf"
fi
for n in 1 2; do
	printf '[node]\nhostname = nb-node-%s\n' "$n" >"$vm/www/nodes/52-54-00-80-00-0$n.conf"
done
printf '#!ipxe\nchain http://10.80.0.1:8080/boot.ipxe\n' >"$vm/tftp/chain.ipxe"
printf '#!ipxe\nchain http://10.80.0.1:8080/boot-all.ipxe\n' >"$vm/tftp/chain-test.ipxe"
chmod -R a+rX "$vm/www" "$vm/tftp"

ip netns exec "$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --interface=br0 \
	--bind-interfaces --dhcp-range=10.80.0.50,10.80.0.99,255.255.255.0,1h --log-dhcp \
	--enable-tftp --tftp-root="$vm/tftp" \
	--dhcp-match=set:efihttp,option:client-arch,16 --dhcp-option-force=tag:efihttp,60,HTTPClient \
	--dhcp-host=52:54:00:80:00:02,set:layer --dhcp-host=52:54:00:80:00:03,set:layer \
	--dhcp-boot=tag:efihttp,tag:layer,http://10.80.0.1:8080/uefi/cairn-test.efi \
	--dhcp-boot=tag:efihttp,tag:!layer,http://10.80.0.1:8080/uefi/cairn.efi \
	--dhcp-boot=tag:!efihttp,tag:layer,chain-test.ipxe --dhcp-boot=tag:!efihttp,tag:!layer,chain.ipxe \
	--dhcp-leasefile="$vm/leases" --pid-file="$vm/dnsmasq.pid" --log-facility="$vm/dnsmasq.log" &
pids="$pids $!"
mkdir -p "$vm/nginx"
cat >"$vm/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 2;
pid $vm/nginx/pid;
error_log $vm/nginx/error.log;
events { worker_connections 256; }
http {
	access_log $vm/nginx/access.log;
	client_body_temp_path $vm/nginx/body;
	proxy_temp_path $vm/nginx/proxy;
	fastcgi_temp_path $vm/nginx/fastcgi;
	uwsgi_temp_path $vm/nginx/uwsgi;
	scgi_temp_path $vm/nginx/scgi;
	default_type application/octet-stream;
	sendfile on;
	server { listen 10.80.0.1:8080; root $vm/www; }
	server {
		listen 10.80.0.1:8443 ssl;
		ssl_certificate $pki/config-server.pem;
		ssl_certificate_key $pki/config-server.key;
		location /nodes/ { root $vm/www; }
	}
}
EOF
ip netns exec "$ns" nginx -e "$vm/nginx/error.log" -p "$vm/nginx" -c "$vm/nginx.conf" &
pids="$pids $!"
# The firmware asks at once: DHCP, TFTP and both HTTP ports answer first.
for p in u67 u69 t8080 t8443; do
	vm_listening "$ns" "${p%%[0-9]*}" "${p#?}" ||
		{ cat "$vm/dnsmasq.log" "$vm/nginx/error.log" 2>/dev/null; fail "nothing listens on $p"; }
done

for n in 1 2; do
	rm -f "$vm/log"
	VM_NETNS=$ns vm_launch --netboot "$OUT" -- $QEMU_MACHINE \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:80:00:0$n
	vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; echo "NB-HOST $(hostname) $(cat /run/cairn/node.conf.origin)"; echo "NB-LAYER $(cat /usr/share/cairn-layer-test/hello 2>/dev/null || echo none)"; echo "NB-LAYERS $(ls /sys/block/*/dm/name 2>/dev/null | xargs cat | sort | tr "\n" " ")"; initctl poweroff'
	vm_end
	expect "NB-HOST nb-node-$n cmdline https://10.80.0.1:8443/nodes/52-54-00-80-00-0$n.conf"
	if [ "$n" = 2 ]; then
		expect 'NB-LAYER from-the-layer'
		for l in $blayers; do expect "NB-LAYERS .*cairn-layer-$l "; done
	else
		expect 'NB-LAYER none'
		expect 'NB-LAYERS cairn-root $'
	fi
done
# UEFI HTTP Boot: OVMF's own network stack (the NIC's iPXE ROM left
# out, PXE and IPv6 off so that it goes straight to HTTP over IPv4).
if [ "$uefi" = 1 ]; then
	rm -f "$vm/log"
	VM_NETNS=$ns vm_launch --uefi "$OUT" -- $QEMU_MACHINE \
		-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no -fw_cfg name=opt/org.tianocore/IPv6Support,string=no \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:80:00:03,romfile=
	vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; echo "NB-HOST $(hostname) $(cat /run/cairn/node.conf.origin)"; echo "NB-LAYER $(cat /usr/share/cairn-layer-test/hello 2>/dev/null || echo none)"; initctl poweroff'
	vm_end
	expect "NB-HOST uefi-node cmdline https://10.80.0.1:8443/nodes/uefi.conf"
	expect 'NB-LAYER from-the-layer'
	grep -q 'GET /uefi/cairn-test.efi HTTP/1.[01]" 200' "$vm/nginx/access.log" ||
		{ cat "$vm/nginx/access.log"; fail "nginx did not serve /uefi/cairn-test.efi"; }
	echo "UEFI HTTP Boot: OVMF fetched cairn-test.efi (the layer inside) by the URL in its DHCP answer; the node took its config and has the layer"
fi
# The path the nodes took: the chain script by TFTP, the set by HTTP.
grep -q 'sent .*chain.ipxe' "$vm/dnsmasq.log" || { cat "$vm/dnsmasq.log"; fail "no chain.ipxe sent by TFTP"; }
grep -q 'sent .*chain-test.ipxe' "$vm/dnsmasq.log" || { cat "$vm/dnsmasq.log"; fail "no chain-test.ipxe sent by TFTP"; }
for f in boot.ipxe boot-all.ipxe layer-test.cpio $(for l in $blayers; do echo "layer-$l.cpio"; done) vmlinuz initramfs.cpio.zst nodes/52-54-00-80-00-01.conf nodes/52-54-00-80-00-02.conf; do
	[ "$(grep -c "GET /$f HTTP/1.[01]\" 200" "$vm/nginx/access.log")" -ge 1 ] ||
		{ cat "$vm/nginx/access.log"; fail "nginx did not serve /$f"; }
done
echo "netboot: DHCP + TFTP (dnsmasq), iPXE, the set by HTTP and configs by HTTPS (nginx); two MACs, two host names; the second given every layer by its MAC (boot-all.ipxe:$blayers test), the first none"
