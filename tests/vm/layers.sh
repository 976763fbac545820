#!/bin/sh
# Layers of the netbooted root (scripts/initramfs.sh, initd/ramroot.c;
# doc/netboot.md "Layers"), with the board's own packages:
#   - the build: the board's layer slurm (Makefile, LAYER_PKGS_slurm):
#     its files are in the layer's image and not in the netbooted root's,
#     the command line names the hashes, the root lists the layer; a layer
#     holding a package the rest needs (glibc) is refused;
#   - named and brought: opened through dm-verity (cairn-layer-NAME), its
#     files under the root's, the image's own file winning where both
#     have one (a second, small layer of the test's own has one);
#     pkg verify checks the layer's packages;
#   - named, not brought: the node boots without it, says so, and pkg
#     verify checks only that none of the layer's files are there (one
#     brought another way, through /cairn/extra, fails it);
#   - brought, not named: left out, said, the boot goes on;
#   - attacks, none of which boots: one byte changed in the layer (found
#     when it is mounted), the name given twice with another image's hash.
. "$(dirname "$0")/vmlib"

: "${PKG:?PKG (the build host's pkg) not set}" "${KEYS_DIR:?KEYS_DIR not set}"
gen=$(dirname "$PKG")/gen_init_cpio
rootfs=$(dirname "$OUT")/build/$(basename "$OUT")/rootfs
[ -x "$gen" ] || fail "$gen: not built"
[ -d "$rootfs" ] || fail "$rootfs: the board's root tree is not there"
pkgs=$("$PKG" --root "$rootfs" list | awk '{ print $1 }' | tr '\n' ' ')
[ -f "$OUT/layer-slurm.cpio" ] || { echo "skipped: $(basename "$OUT") has no layer slurm"; exit 77; }
: "${SOURCE_DATE_EPOCH:=1700000000}"
export SOURCE_DATE_EPOCH

# A layer the rest of the root needs is refused before anything is made.
# shellcheck disable=SC2086
if LAYERS="bad=glibc" ZSTD_LEVEL=3 "$top/scripts/initramfs.sh" "$vm/refused.cpio.zst" "$vm/refused" "$OUT/repo" \
	"$gen" $pkgs >"$vm/refused.log" 2>&1; then
	fail "a layer of glibc was made"
fi
grep -q 'LAYERS: glibc (layer bad), which .* needs: a node without that layer would lack it' "$vm/refused.log" ||
	fail "refused, but not for the reason: $(cat "$vm/refused.log")"
[ ! -e "$vm/layer-bad.cpio" ] || fail "the refused layer's initrd was written"
# Nor a layer called all: that name is the netboot set's boot with every layer.
# shellcheck disable=SC2086
if LAYERS="all=zlib" ZSTD_LEVEL=3 "$top/scripts/initramfs.sh" "$vm/refused.cpio.zst" "$vm/refused" "$OUT/repo" \
	"$gen" $pkgs >"$vm/refused.log" 2>&1; then
	fail "a layer called all was made"
fi
grep -q "LAYERS: 'all' names the netboot set's boot with every layer" "$vm/refused.log" ||
	fail "a layer called all refused, but not for the reason: $(cat "$vm/refused.log")"
rm -rf "$vm/refused" "$vm/refused.img"

# The board's build, with its layer slurm.
img=$rootfs.img
cp "$OUT/initramfs.cpio.zst" "$OUT/layer-slurm.cpio" "$vm/"
grep -Eq '^cairn\.root=verity:[0-9]+:[0-9a-f]{64}:[0-9a-f]+( cairn\.layer=[a-z0-9-]+:verity:[0-9]+:[0-9a-f]{64}:[0-9a-f]+)+$' \
	"$img/cmdline" || fail "the command line: $(cat "$img/cmdline")"
tr ' ' '\n' <"$img/cmdline" | grep -Eq '^cairn\.layer=slurm:' || fail "the command line names no layer slurm: $(cat "$img/cmdline")"
unsquashfs -l -n "$img/layer-slurm/root.img" >"$vm/layer.list" 2>/dev/null || fail "the layer does not list"
unsquashfs -l -n "$img/net/root.img" >"$vm/net.list" 2>/dev/null || fail "the root does not list"
grep -q '/usr/sbin/slurmd$' "$vm/layer.list" || fail "slurmd is not in the layer"
grep -q '/lib/pkg/layers.d/slurm$' "$vm/layer.list" || fail "the layer does not say it is there"
! grep -q '/usr/sbin/slurmd$' "$vm/net.list" || fail "slurmd is still in the netbooted root"
grep -q '/usr/bin/containerd$' "$vm/net.list" || fail "containerd is not in the netbooted root"
! grep -q '/usr/bin/containerd$' "$vm/layer.list" || fail "containerd is in the layer"
grep -q "^slurm slurmd " "$rootfs/lib/pkg/layers" || fail "the root does not list the layer"
[ -f "$vm/layer-slurm.cpio" ] || fail "no layer-slurm.cpio"
cpio -it --quiet <"$vm/layer-slurm.cpio" | grep -qx 'cairn/layers/slurm.img' || fail "layer-slurm.cpio holds no cairn/layers/slurm.img"
echo "ok: the layer slurm: $(grep -c . "$vm/layer.list") entries, $(stat -c %s "$img/layer-slurm/root.img") bytes; the root $(stat -c %s "$img/net/root.img") bytes (whole: $(stat -c %s "$img/root.img"))"
# The board's command line with this build's root and layer.
{ tr ' ' '\n' <"$OUT/cmdline" | grep -v '^cairn\.root=' | grep -v '^cairn\.layer=' | tr '\n' ' '; cat "$img/cmdline"; } \
	>"$vm/cmdline"
sed 's/ cairn\.layer=slurm:[^ ]*//' "$vm/cmdline" >"$vm/nolayer"

# A second layer, the test's own: a file of its own, and one the image has.
mkdir -p "$vm/small/usr/share/cairn-layer-test" "$vm/small/etc"
echo "from-the-layer" >"$vm/small/usr/share/cairn-layer-test/hello"
echo "ID=not-cairn" >"$vm/small/etc/os-release"
"$top/scripts/rootimg.sh" "$vm/small" "$vm/small.img" >/dev/null || fail "rootimg.sh made no layer"
small="cairn.layer=test:verity:$(root_verity "$vm/small.img" blocks):$(root_verity "$vm/small.img" roothash)"
small="$small:$(root_verity "$vm/small.img" salt)"
printf '%s %s\n' "$(cat "$vm/cmdline")" "$small" >"$vm/cmdline2"

# with_layers OUT IMAGE...: the initramfs, then each IMAGE (NAME=FILE) as
# /cairn/layers/NAME.img, one plain cpio.
with_layers() {
	o=$1
	shift
	rm -rf "$vm/lc" && mkdir -p "$vm/lc/cairn/layers"
	for l in "$@"; do
		cp "${l#*=}" "$vm/lc/cairn/layers/${l%%=*}.img"
	done
	cp "$vm/initramfs.cpio.zst" "$o"
	cpio_pad "$o"
	(cd "$vm/lc" && find cairn | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >>"$o"
}

# boot_with INITRD CMDLINE: boot, run the checks, power off.
boot_with() {
	rm -f "$vm/log"
	# shellcheck disable=SC2086
	vm_launch --append "cairn.shell" --initrd "$1" --cmdline "$2" "$OUT" -- $QEMU_MACHINE
	vm_run 'echo "LY-SLURMD $(test -x /usr/sbin/slurmd && echo here || echo none)"'
	vm_run 'echo "LY-FILE $(cat /usr/share/cairn-layer-test/hello 2>/dev/null || echo none)"'
	vm_run 'echo "LY-OSREL $(grep -c "^ID=not-cairn" /etc/os-release)"'
	vm_run 'echo "LY-DM $(cat /sys/block/dm-*/dm/name | sort | tr "\n" " ")"'
	vm_run 'pkg verify /etc /usr/sbin >/tmp/v.out 2>&1; echo "LY-VERIFY rc=$? $(grep -c "in the layer slurm, which this node did not load: its files must not be here" /tmp/v.out)"'
	vm_run 'echo "LY-HERE $(grep "here, but its layer slurm is not loaded" /tmp/v.out | tr "\n" " ")"'
	# ctr is in the layer k8s, which no boot here has.
	vm_run '/usr/lib/cairn/import-images 2>&1 | sed "s/^/LY-IMPORT /"'
	vm_run 'initctl poweroff'
	vm_end || true
}

# The layer as boot-slurm.ipxe loads it, and the test's own.
cp "$vm/initramfs.cpio.zst" "$vm/with"
cpio_pad "$vm/with"
cat "$vm/layer-slurm.cpio" >>"$vm/with"
with_layers "$vm/both" "slurm=$img/layer-slurm/root.img" "test=$vm/small.img/root.img"
boot_with "$vm/both" "$vm/cmdline2"
expect 'cairn.layer slurm: verified squashfs, root hash'
expect 'cairn.layer test: verified squashfs, root hash'
expect 'LY-SLURMD here'
expect 'LY-FILE from-the-layer'
expect 'LY-OSREL 0'
expect 'LY-DM cairn-layer-slurm cairn-layer-test cairn-root $'
expect 'LY-VERIFY rc=0 0'

boot_with "$vm/initramfs.cpio.zst" "$vm/cmdline"
expect 'cairn.layer slurm: not in the initramfs: not loaded'
expect 'LY-SLURMD none'
expect 'LY-DM cairn-root $'
grep -Eq 'LY-VERIFY rc=0 [1-9]' "$vm/log" || fail "pkg verify without the layer: $(grep LY-VERIFY "$vm/log")"

# A layer's file brought another way (an appended initramfs's
# /cairn/extra) on a node that did not load the layer: pkg verify says so.
mkdir -p "$vm/root/usr/sbin"
printf '#!/bin/sh\necho not-slurmd\n' >"$vm/root/usr/sbin/slurmd"
chmod 755 "$vm/root/usr/sbin/slurmd"
mkdir -p "$vm/root/usr/share/cairn/images"
echo "an archive" >"$vm/root/usr/share/cairn/images/site.tar"
initrd_overlay "$vm/initramfs.cpio.zst" "$vm/root" "$vm/planted"
rm -rf "$vm/root" && mkdir -p "$vm/root"
boot_with "$vm/planted" "$vm/cmdline"
expect 'LY-SLURMD here'
expect "LY-HERE slurmd: /usr/sbin/slurmd: here, but its layer slurm is not loaded: not the image's \$"
expect 'LY-VERIFY rc=1 [1-9]'
expect 'LY-IMPORT import-images: /usr/share/cairn/images/site.tar: not imported: no ctr here \(a netbooted node has it with the layer k8s\)'
expect 'LY-IMPORT import-images: 0 archive\(s\) imported'

boot_with "$vm/with" "$vm/nolayer"
expect 'cairn.layer: /cairn/layers/slurm.img: no cairn.layer= names it: left out'
expect 'LY-DM cairn-root $'

# One byte of the layer's first block changed, past the superblock.
cp "$img/layer-slurm/root.img" "$vm/bad.img"
flip_byte "$vm/bad.img" 2000
with_layers "$vm/bad" "slurm=$vm/bad.img"
boot_fails "a changed layer" "$vm/bad" "$vm/cmdline" "" 'device-mapper: verity: .*data block 0 is corrupted' 'Kernel panic'

# Words appended to the command line naming the layer again, with the
# hash of another image (the one they would bring): refused outright.
other=$(tr ' ' '\n' <"$img/cmdline" | grep '^cairn\.layer=slurm:' |
	awk -F: '{ h = $4; $4 = (substr(h, 1, 1) == "0" ? "1" : "0") substr(h, 2); print }' OFS=:)
printf '%s %s\n' "$(cat "$vm/cmdline")" "$other" >"$vm/twice"
boot_fails "the layer named twice" "$vm/with" "$vm/twice" "" 'cairn.layer: more than 8, a name given twice' \
	'no root to boot'
echo "layers: built from the board's packages and refused where the root needs them; a named layer verified and laid under the root (the image's files win), one not brought skipped (pkg verify leaves it out), one not named left out; no boot with a byte of the layer changed or the layer named twice"
