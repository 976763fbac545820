#!/bin/sh
# scripts/initramfs.sh: the root file system, installed by pkg from the
# board's signed repository into STAGE, made a verified image
# (rootimg.sh: STAGE.img/root.img, root.verity, and cmdline, the
# cairn.root= the kernel's command line needs), and the initramfs that
# boots it: the root's initd as /init and the image, newc cpio, every time
# the lock's epoch.  The same inputs give the same bytes on any machine.
#
# usage: initramfs.sh OUT STAGE REPO GEN_INIT_CPIO PACKAGE...
# env:   PKG (pkg for the build host), KEYS_DIR (the root document the
#        repository is checked against), SOURCE_DATE_EPOCH,
#        LAYERS: the board's layers, "NAME=PKG,PKG... NAME=..." (may be
#        empty).
#
# Layers (doc/netboot.md): the packages of each are installed with the
# rest (STAGE is the whole root: its database, the SBOM and a disk slot
# hold them all), then their files are taken out of the netbooted root
# into an image of their own, STAGE.img/layer-NAME/root.img with its
# root.verity, and OUT's directory gets layer-NAME.cpio, a plain cpio of
# /cairn/layers/NAME.img that a node given the layer loads after the
# initramfs.  The command line names each layer's hash (cairn.layer=);
# the netbooted root, STAGE.img/net/root.img, is then the rest.  The
# layers' packages are listed in the root, /lib/pkg/layers (pkg verify
# leaves out a layer the node was not given).
. "$(dirname "$0")/lib.sh"

[ $# -ge 5 ] || die "usage: initramfs.sh OUT STAGE REPO GEN_INIT_CPIO PACKAGE..."
out=$1 stage=$2 repo=$3 gen=$4
shift 4
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}" "${PKG:?}" "${KEYS_DIR:?}"

rm -rf "$stage" "$stage.net" "$stage.layers" "$(dirname "$out")"/layer-*.cpio
mkdir -p "$stage"
# The layers: names as initd takes them (cairn.layer=, initd/ramroot.c),
# each once, each package in one layer only.  $stage.owner: "PKG LAYER".
lpkgs= names= n=0
: >"$stage.owner"
for l in ${LAYERS:-}; do
	name=${l%%=*}
	case $name in
	'' | -* | *[!a-z0-9-]*) die "LAYERS: '$name': a layer's name is a-z, 0-9 and '-', not first" ;;
	all) die "LAYERS: 'all' names the netboot set's boot with every layer (boot-all.ipxe), not a layer" ;;
	esac
	[ "${#name}" -le 32 ] || die "LAYERS: '$name': longer than 32"
	case " $names " in *" $name "*) die "LAYERS: '$name' given twice" ;; esac
	case $l in *=?*) ;; *) die "LAYERS: '$l' is not NAME=PKG,PKG..." ;; esac
	names="$names $name" n=$((n + 1))
	for p in $(echo "${l#*=}" | tr , ' '); do
		case " $lpkgs " in *" $p "*) die "LAYERS: $p is in two layers" ;; esac
		lpkgs="$lpkgs $p"
		echo "$p $name" >>"$stage.owner"
	done
done
[ "$n" -le 8 ] || die "LAYERS: $n layers; initd takes 8 at most"
# shellcheck disable=SC2086
"$PKG" --root "$stage" --repo "$repo" --trust "$KEYS_DIR/root" install "$@" $lpkgs 2>"$stage.log" ||
	{ cat "$stage.log" >&2; die "pkg install into the root failed"; }
# The lock is pkg's own while it runs, not part of the image.
rm -f "$stage/lib/pkg/lock"
# A package may depend only on packages of the root or of its own layer:
# a node without a layer would lack what another part needs.
if [ -n "$lpkgs" ]; then
	"$PKG" --root "$stage" list >"$stage.pkgs" || die "pkg list failed"
	for p in $(awk '{ print $1 }' "$stage.pkgs"); do
		"$PKG" --root "$stage" info "$p" >"$stage.info" || die "pkg info $p failed"
		awk -v p="$p" '$1 == "depends" { for (i = 2; i <= NF; i++) { sub(/[<>=!].*/, "", $i); print p, $i } }' \
			"$stage.info"
	done >"$stage.deps"
	bad=$(awk 'FNR == NR { layer[$1] = $2; next }
		($2 in layer) && layer[$2] != layer[$1] {
			print $2 " (layer " layer[$2] "), which " $1 " (" ($1 in layer ? "layer " layer[$1] : "the root") ") needs"
			exit }' "$stage.owner" "$stage.deps")
	[ -z "$bad" ] || die "LAYERS: $bad: a node without that layer would lack it"
	rm -f "$stage.pkgs" "$stage.info" "$stage.deps"
fi
# Which packages each layer holds, and in each layer a file that says it
# is there (pkg verify: a layer not loaded is not checked).
if [ -n "${LAYERS:-}" ]; then
	mkdir -p "$stage/lib/pkg/layers.d"
	for l in $LAYERS; do
		echo "${l%%=*} $(echo "${l#*=}" | tr , ' ')"
		: >"$stage/lib/pkg/layers.d/${l%%=*}"
	done >"$stage/lib/pkg/layers"
	touch -d "@$SOURCE_DATE_EPOCH" "$stage/lib/pkg/layers" "$stage/lib/pkg/layers.d" "$stage/lib/pkg/layers.d"/*
fi

# The root as a verified image (rootimg.sh: squashfs and dm-verity tree),
# beside the stage: a disk slot holds it, and the initramfs too where the
# board has no layers.
img=$stage.img
rm -rf "$img"
"$(dirname "$0")/rootimg.sh" "$stage" "$img" || die "rootimg.sh failed"
net=$img
verity_arg() {
	printf 'verity:%s:%s:%s' "$(root_verity "$1" blocks)" "$(root_verity "$1" roothash)" "$(root_verity "$1" salt)"
}
args=
for l in ${LAYERS:-}; do
	name=${l%%=*}
	# The layer's files (not its directories, which the root keeps),
	# linked into a tree of their own and taken out of the netbooted root.
	: >"$stage.files"
	for p in $(echo "${l#*=}" | tr , ' '); do
		"$PKG" --root "$stage" files "$p" >>"$stage.files" || die "pkg files $p failed"
	done
	awk '$1 == "f" { print substr($6, 2) } $1 == "l" { print substr($3, 2) } $1 == "h" { print substr($2, 2) }' \
		"$stage.files" | LC_ALL=C sort -u >"$stage.list-$name"
	[ -s "$stage.list-$name" ] || die "layer $name: its packages have no files"
	echo "lib/pkg/layers.d/$name" >>"$stage.list-$name"
	if [ "$net" = "$img" ]; then
		net=$img/net
		cp -al "$stage" "$stage.net"
	fi
	mkdir -p "$stage.layers/$name"
	rsync -aH --files-from="$stage.list-$name" "$stage/" "$stage.layers/$name/" || die "layer $name: rsync failed"
	(cd "$stage.net" && tr '\n' '\0' <"$stage.list-$name" | xargs -0 rm -f) || die "layer $name: removing its files failed"
	"$(dirname "$0")/rootimg.sh" "$stage.layers/$name" "$img/layer-$name" || die "rootimg.sh failed (layer $name)"
	args="$args cairn.layer=$name:$(verity_arg "$img/layer-$name")"
	# The layer as its own initrd: the image, stored, under RAMROOT_LAYERS.
	printf 'dir /cairn 0755 0 0\ndir /cairn/layers 0755 0 0\nfile /cairn/layers/%s.img %s 0400 0 0\n' \
		"$name" "$img/layer-$name/root.img" >"$stage.list-cpio-$name"
	"$gen" -t "$SOURCE_DATE_EPOCH" "$stage.list-cpio-$name" >"$(dirname "$out")/layer-$name.cpio.tmp"
	mv "$(dirname "$out")/layer-$name.cpio.tmp" "$(dirname "$out")/layer-$name.cpio"
done
if [ "$net" != "$img" ]; then
	"$(dirname "$0")/rootimg.sh" "$stage.net" "$net" || die "rootimg.sh failed (the netbooted root)"
	rm -rf "$stage.net" "$stage.layers"
fi
# newc holds a member's size in 8 hex digits.
[ "$(stat -c %s "$net/root.img")" -lt 4294967296 ] || die "$net/root.img: 4 GiB or more: too large for a cpio member"
# What the command line must say for the initramfs to boot (initd(8),
# cairn.root, cairn.layer).
echo "cairn.root=$(verity_arg "$net")$args" >"$img/cmdline"

# The initramfs: the root's initd as /init, which opens the image with the
# command line's root hash and moves it over "/" (initd/ramroot.c); then
# the image, stored: it is compressed already, and the kernel takes a
# zstd archive followed by a plain one.  The lists name build paths, so
# they stay beside the stage, not in OUT.
[ -f "$stage/sbin/initd" ] && [ ! -L "$stage/sbin/initd" ] || die "$stage/sbin/initd: not a file"
{
	echo "dir /cairn 0755 0 0"
	echo "dir /dev 0755 0 0"
	echo "dir /proc 0555 0 0"
	# The kernel opens /dev/console for init before devtmpfs exists.
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /init $stage/sbin/initd 0755 0 0"
} >"$stage.list"
echo "file /cairn/root.img $net/root.img 0400 0 0" >"$stage.list-root"
"$gen" -t "$SOURCE_DATE_EPOCH" "$stage.list" >"$out.cpio.tmp"
zstd -q -"${ZSTD_LEVEL:-19}" -T1 --no-progress -f "$out.cpio.tmp" -o "$out.tmp"
cpio_pad "$out.tmp"
"$gen" -t "$SOURCE_DATE_EPOCH" "$stage.list-root" >>"$out.tmp"
rm -f "$out.cpio.tmp"
mv "$out.tmp" "$out"
