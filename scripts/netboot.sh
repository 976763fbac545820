#!/bin/sh
# scripts/netboot.sh: a board's netboot set (doc/netboot.md): the kernel
# and the initramfs that holds the root (the node runs from RAM), an iPXE
# script that boots them from beside itself, the guide, and their sha256
# sums.  For each of the board's layers (OUT/layer-NAME.cpio), the layer
# and boot-NAME.ipxe, which loads it after the initramfs: the nodes a site
# gives the layer boot that script.  With two layers or more, boot-all.ipxe
# loads them all.
#
# usage: netboot.sh OUT DEST [CONFIG_URL [CONFIG_CA]]
#
# CONFIG_URL: where each node's config is (cairn.config=), an https:// URL
# in which {mac} becomes iPXE's ${mac:hexhyp}, the booting NIC's MAC
# (52-54-00-12-34-56);
# CONFIG_CA: the CA on the node that its server's certificate must chain
# to (default /etc/cairn/site-ca.pem, what make SITE_CA= bakes in).
# Without CONFIG_URL the node takes its config from a CAIRNCFG medium or
# the image (node.conf(5), SOURCES).
#
# env UKI_STUB (systemd's linuxx64.efi.stub; x86_64 boards) and OSREL: the
# set gains cairn.efi, one Unified Kernel Image of the kernel, the
# initramfs and the command line, for UEFI HTTP Boot (the firmware fetches
# it by the URL its DHCP answer names; no iPXE), and cairn-NAME.efi for
# each layer, the same with the layer's initrd after the initramfs (and
# cairn-all.efi with every layer, as boot-all.ipxe).  They
# carry CONFIG_URL only when the URL has no {mac}, which iPXE alone fills
# in.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: netboot.sh OUT DEST [CONFIG_URL [CONFIG_CA]]}
dest=${2:?usage: netboot.sh OUT DEST [CONFIG_URL [CONFIG_CA]]}
url=${3:-}
ca=${4:-/etc/cairn/site-ca.pem}
for f in vmlinuz initramfs.cpio.zst cmdline; do
	[ -f "$out/$f" ] || die "$out/$f: missing; build it with 'make'"
done
case $url in
'' | https://*) ;;
*) die "NETBOOT_CONFIG=$url: the node takes its config by https:// only (node.conf(5))" ;;
esac
case $url$ca in
*[[:space:]\"\']*) die "NETBOOT_CONFIG and NETBOOT_CONFIG_CA may not hold spaces or quotes" ;;
esac

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
layers=
for f in "$out"/layer-*.cpio; do
	[ -f "$f" ] || continue
	f=${f##*/} && f=${f#layer-} && layers="$layers ${f%.cpio}"
done
for f in vmlinuz initramfs.cpio.zst $(for l in $layers; do echo "layer-$l.cpio"; done); do
	ln -f "$out/$f" "$dest.tmp/$f" 2>/dev/null || cp "$out/$f" "$dest.tmp/$f"
done
# cairn.dhcp: initd's DHCP client, so the node config can be fetched;
# initrd=: what a UEFI iPXE's kernel (EFI stub) needs to find the initrd.
args="initrd=initramfs.cpio.zst $(cat "$out/cmdline") cairn.dhcp"
# shellcheck disable=SC2016
[ -z "$url" ] || args="$args cairn.config=$(printf '%s' "$url" | sed 's/{mac}/${mac:hexhyp}/g') cairn.config.ca=$ca"
# ipxe_script [LAYER...]: the boot script, with each LAYER's initrd after
# the initramfs; the kernel's command line names each initrd too, which is
# how a UEFI iPXE's EFI stub finds them.
ipxe_script() {
	echo '#!ipxe'
	echo "# Cairn netboot: $(basename "$out"), $(sed -n 's/^epoch /source epoch /p' "$out/manifest" 2>/dev/null)"
	echo '# The kernel and initramfs are beside this script: fetched from where'
	echo '# it was fetched (HTTP: relative URLs).  The node runs from RAM.'
	[ $# -eq 0 ] || echo "# With the layers:" "$@" "(doc/netboot.md, \"Layers\")."
	[ -z "$url" ] || echo '# Each node'"'"'s config: cairn.config (${mac:hexhyp}: its MAC, 52-54-00-12-34-56).'
	echo "kernel vmlinuz $args$(for _m in "$@"; do printf ' initrd=layer-%s.cpio' "$_m"; done)"
	echo 'initrd initramfs.cpio.zst'
	for _m in "$@"; do echo "initrd layer-$_m.cpio"; done
	echo 'boot'
}
# The sets beside the base: each layer alone, and with two layers or
# more, all of them (boot-all.ipxe, cairn-all.efi); set_layers SET: its layers.
sets=$layers
# shellcheck disable=SC2086
[ "$(echo $layers | wc -w)" -lt 2 ] || sets="$sets all"
set_layers() {
	if [ "$1" = all ]; then echo "$layers"; else echo "$1"; fi
}
ipxe_script >"$dest.tmp/boot.ipxe"
scripts=boot.ipxe
for l in $sets; do
	# shellcheck disable=SC2046
	ipxe_script $(set_layers "$l") >"$dest.tmp/boot-$l.ipxe"
	scripts="$scripts boot-$l.ipxe"
done
efi=
if [ -n "${UKI_STUB:-}" ]; then
	: "${OSREL:?OSREL: the os-release for the UKI}" "${SOURCE_DATE_EPOCH:?}"
	uargs="$(cat "$out/cmdline") cairn.dhcp"
	case $url in
	'') ;;
	*'{mac}'*) echo "$prog: cairn.efi: NETBOOT_CONFIG has {mac}, which only iPXE fills in: the UKI carries no cairn.config" >&2 ;;
	*) uargs="$uargs cairn.config=$url cairn.config.ca=$ca" ;;
	esac
	printf '%s' "$uargs" >"$dest.tmp/.cmdline"
	uki_build "$UKI_STUB" "$dest.tmp/cairn.efi" "$SOURCE_DATE_EPOCH" osrel:"$OSREL" cmdline:"$dest.tmp/.cmdline" \
		linux:"$out/vmlinuz" initrd:"$out/initramfs.cpio.zst"
	efi=cairn.efi
	# A set's UKI: its layers' initrds after the initramfs.
	for l in $sets; do
		# shellcheck disable=SC2046
		initrd_cat "$dest.tmp/.initrd" "$out/initramfs.cpio.zst" $(for m in $(set_layers "$l"); do echo "$out/layer-$m.cpio"; done)
		uki_build "$UKI_STUB" "$dest.tmp/cairn-$l.efi" "$SOURCE_DATE_EPOCH" osrel:"$OSREL" \
			cmdline:"$dest.tmp/.cmdline" linux:"$out/vmlinuz" initrd:"$dest.tmp/.initrd"
		efi="$efi cairn-$l.efi"
	done
	rm -f "$dest.tmp/.cmdline" "$dest.tmp/.initrd"
fi
cp "$(dirname "$0")/../doc/netboot.md" "$dest.tmp/README.md"
# shellcheck disable=SC2086
(cd "$dest.tmp" && sha256sum vmlinuz initramfs.cpio.zst $(for l in $layers; do echo "layer-$l.cpio"; done) \
	$scripts $efi README.md) >"$dest.tmp/SHA256SUMS"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
say NETBOOT "$dest"
