#!/bin/sh
# scripts/rootimg.sh: the root as a verified image, the one a disk slot
# holds and the netboot initramfs carries: a zstd squashfs of the
# installed root, padded to 4 KiB, then its dm-verity hash tree (4 KiB
# blocks, no superblock, sha256, the squashfs's own sha256 as the salt).
#
# usage: rootimg.sh ROOTFS DIR
#   DIR/root.img     the squashfs and its tree
#   DIR/root.verity  "blocks N" (the squashfs's 4 KiB blocks; the tree
#                    starts after them), "roothash H", "salt S"
# env: SOURCE_DATE_EPOCH (required: the image's and every file's time), JOBS.
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: rootimg.sh ROOTFS DIR"
rootfs=$1 dir=$2
epoch=${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}
export SOURCE_DATE_EPOCH
for t in mksquashfs veritysetup; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin command -v "$t" >/dev/null ||
		die "$t not found: run 'make hostdeps'"
done
PATH=$PATH:/usr/sbin
mkdir -p "$dir"
img=$dir/root.img
rm -f "$img" "$dir/root.verity"

# No xattrs: a build host's own (SELinux labels) would make other bytes;
# the root needs none (pkg sets none, and the cpio root carried none).
# 1 MiB blocks at zstd's level 19: the Go programs, two thirds of the root,
# compress best so (the qemu-x86_64 base: 34.7 MB at mksquashfs's default
# 128 KiB and level 15, 32.4 MB so), and a program's pages are read
# together as it starts.  Each mount's decompressors hold a block each:
# initd bounds their number (ramroot.c, squashfs_threads).
mksquashfs "$rootfs" "$img.tmp" -comp zstd -Xcompression-level 19 -b 1M -noappend -no-progress -quiet -no-xattrs \
	-processors "${JOBS:-2}" >/dev/null || die "mksquashfs failed"
data=$(stat -c %s "$img.tmp")
[ $((data % 4096)) -eq 0 ] || die "the squashfs is not padded to 4 KiB ($data bytes)"
salt=$(sha256sum <"$img.tmp" | cut -c1-64)
LC_ALL=C veritysetup format --no-superblock --hash-offset="$data" --data-block-size=4096 --hash-block-size=4096 \
	--salt="$salt" "$img.tmp" "$img.tmp" >"$dir/verity.txt" || die "veritysetup format failed"
roothash=$(sed -n 's/^Root hash:[[:space:]]*//p' "$dir/verity.txt")
rm -f "$dir/verity.txt"
[ "${#roothash}" -eq 64 ] || die "veritysetup gave no root hash"
touch -d "@$epoch" "$img.tmp"
printf 'blocks %s\nroothash %s\nsalt %s\n' $((data / 4096)) "$roothash" "$salt" >"$dir/root.verity.tmp"
mv "$dir/root.verity.tmp" "$dir/root.verity"
mv "$img.tmp" "$img"
