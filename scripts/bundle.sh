#!/bin/sh
# scripts/bundle.sh: the air-gapped bundle (doc/install.md): one file that
# is a signed package repository (pkg-repo(5), BUNDLE): every package of
# the board's repository (the OCI image archives among them), plus
# cairn-os (the disk's partition table, ESP and verified root slot with a
# UKI for each slot: what pkg os-install and os-update write; the SBOM and
# build manifest) and cairn-netboot (the netboot set).  Its
# release is signed with the build's repository key like the board's, one
# version later, so a node that trusts the image's repository trusts it.
#
# usage: bundle.sh OUT REPO DIR
#   OUT:  the board's artifacts (disk/, netboot/, sbom.spdx.json, manifest,
#         SHA256SUMS); OUT/cairn-BOARD.bundle is written
#   REPO: the board's signed repository
#   DIR:  a scratch directory for the bundle's repository
# env: PKG, KEYS_DIR, SOURCE_DATE_EPOCH, BOARD, and pkgbuild.sh's
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: bundle.sh OUT REPO DIR"
out=$1 repo=$2 dir=$3
: "${BOARD:?}" "${SOURCE_DATE_EPOCH:?}"
for f in disk/esp.img disk/slot.img disk/gpt.sfdisk disk/cairn-a.efi disk/cairn-b.efi disk/roothash \
	netboot/boot.ipxe sbom.spdx.json manifest SHA256SUMS; do
	[ -f "$out/$f" ] || die "$out/$f: missing: run 'make' for BOARD=$BOARD first"
done
[ -f "$repo/release" ] || die "$repo/release: missing: the board's repository is not built"

rm -rf "$dir"
mkdir -p "$dir/os/boot" "$dir/os/share" "$dir/netboot" "$dir/repo"
for f in esp.img slot.img gpt.sfdisk; do
	ln "$out/disk/$f" "$dir/os/boot/$f" 2>/dev/null || cp "$out/disk/$f" "$dir/os/boot/$f"
done
cp "$out/disk/cairn-a.efi" "$out/disk/cairn-b.efi" "$out/disk/roothash" "$dir/os/boot/"
cp "$out/sbom.spdx.json" "$out/manifest" "$out/SHA256SUMS" "$dir/os/share/"
cp -r "$out/netboot" "$dir/netboot/netboot"
for p in "$repo"/*.pkg; do
	ln "$p" "$dir/repo/" 2>/dev/null || cp "$p" "$dir/repo/"
done
"$(dirname "$0")/pkgbuild.sh" cairn-os "$dir/repo" "$dir/os"
"$(dirname "$0")/pkgbuild.sh" cairn-netboot "$dir/repo" "$dir/netboot"
RELEASE_VERSION=$((SOURCE_DATE_EPOCH + 1)) "$(dirname "$0")/repo.sh" "$dir/repo"
bundle=$out/cairn-$BOARD.bundle
"$PKG" bundle -o "$bundle.tmp" "$dir/repo" || die "pkg bundle failed"
mv "$bundle.tmp" "$bundle"
say BUNDLE "$bundle ($(($(stat -c %s "$bundle") >> 20)) MiB, $(grep -c '^package ' "$dir/repo/index") packages)"
