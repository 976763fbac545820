#!/bin/sh
# pkg os-install (the installer's one write) from a bundle this test makes:
# a small cairn-os whose table, ESP and slot land byte for byte where the
# table says, every other partition's first MiB zeroed; and each bad input
# refused with its reason before anything is written: a target that is
# not blank (unless --force), too small, a tampered bundle, a release
# signed by a key the root does not list, an OS whose table has no ESP or
# whose package lacks an image.  A bundle whose bytes change between
# pkg's reads fails the install and leaves the disk wiped.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"
command -v sfdisk >/dev/null || PATH=$PATH:/usr/sbin
command -v sfdisk >/dev/null || { echo "skipped: no sfdisk (make hostdeps)"; exit 77; }

root=$tmp/root
mkdir -p "$root"
keyset

# os TREE LAYOUT-LINES...: a cairn-os tree with a 3 MiB ESP image and a
# 6 MiB slot image; the table's partitions as given.
os() {
	t=$1
	shift
	mkdir -p "$t/boot"
	head -c 3145728 /dev/urandom >"$t/boot/esp.img"
	head -c 6291456 /dev/urandom >"$t/boot/slot.img"
	{
		printf 'label: gpt\nlabel-id: 4503f114-ae80-4d3a-8888-188d83dae4ce\nunit: sectors\nfirst-lba: 2048\n'
		printf '%s\n' "$@"
	} >"$t/boot/gpt.sfdisk"
}
esp='start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=675cbe77-b1b9-4fdd-8900-2b0495d69b28, name="ESP"'
slota='start=10240, size=16384, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=4d0cb15f-51f7-4fee-88bf-082a31114257, name="cairn-a"'
slotb='start=26624, size=16384, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=b8a2564e-11c5-40d5-8f50-a9f68cab01a8, name="cairn-b"'
data='start=43008, size=8192, type=4D21B016-B534-45C2-A9FB-5C16E091FD2D, uuid=707c42ae-7ef9-4ac1-81ec-93b8aa657261, name="cairn-data"'
os "$tmp/os" "$esp" "$slota" "$slotb" "$data"
mkpkg cairn-os 1.0 "$tmp/os"
publish 1
bundle=$tmp/site.bundle
p bundle -o "$bundle" "$repo" || { cat "$tmp/err" >&2; fail "pkg bundle"; }

inst() {	# inst BUNDLE TARGET [--force]: pkg os-install as the installer runs it
	"$pkg" --root "$root" --trust "$keys/root" --repo "$1" os-install ${3:-} "$2"
}
region() {	# region FILE SECTOR BYTES: the bytes there
	dd if="$1" bs=512 skip="$2" count=$(( ($3 + 511) / 512 )) status=none | head -c "$3"
}
zeroes() {	# zeroes FILE SECTOR: the MiB from there is zeroes
	[ "$(region "$1" "$2" 1048576 | tr -d '\000' | wc -c)" -eq 0 ]
}

# 1. A blank disk (a file here; a whole disk on a node).
truncate -s 32M "$tmp/disk"
inst "$bundle" "$tmp/disk" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "os-install onto a blank disk"; }
expect_line "$tmp/out" "os-install: cairn-os 1.0"
expect_line "$tmp/out" "checked against the signed index"
expect_line "$tmp/out" ": done"
sfdisk -d "$tmp/disk" >"$tmp/table" 2>/dev/null || fail "no partition table written"
for n in ESP cairn-a cairn-b cairn-data; do
	grep -q "name=\"$n\"" "$tmp/table" || { cat "$tmp/table" >&2; fail "partition $n missing"; }
done
grep -q 'start= *10240, size= *16384, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=4D0CB15F' "$tmp/table" ||
	{ cat "$tmp/table" >&2; fail "slot A is not where the table says"; }
region "$tmp/disk" 2048 3145728 | cmp -s - "$tmp/os/boot/esp.img" || fail "the ESP's bytes differ from esp.img"
region "$tmp/disk" 10240 6291456 | cmp -s - "$tmp/os/boot/slot.img" || fail "slot A's bytes differ from slot.img"
zeroes "$tmp/disk" 26624 && zeroes "$tmp/disk" 43008 || fail "slot B or the data partition is not zeroed"
echo "installed: table, ESP and slot A in place"

# 2. The same disk again: not blank, refused untouched; --force takes it
#    and zeroes what the data partition held.
sum=$(sha256sum <"$tmp/disk")
refuse "not blank" inst "$bundle" "$tmp/disk"
[ "$(sha256sum <"$tmp/disk")" = "$sum" ] || fail "a refused install changed the disk"
printf 'old data' | dd of="$tmp/disk" bs=512 seek=43008 conv=notrunc status=none
inst "$bundle" "$tmp/disk" --force >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "os-install --force"; }
zeroes "$tmp/disk" 43008 || fail "--force left the old data partition's bytes"

# 3. A medium that answers otherwise when read again: pkg checks the
#    package whole, then reads it a second time as it writes the images.
#    Between the two it runs sfdisk; a wrapper on PATH (standing in for a
#    lying stick) inverts one byte of the bundle there: in the ESP's image,
#    then in slot A's.  Each install fails and wipes the disk: no
#    partition table, the ESP's and slot A's first MiB zeroes, so nothing
#    unverified can boot.
mkdir -p "$tmp/bin"
{
	echo '#!/bin/sh'
	echo 'python3 -c "import sys; f = open(sys.argv[1], \"r+b\"); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xFF]))" "$LIE_FILE" "$LIE_AT" || exit 1'
	echo 'echo "$LIE_AT" >>"$LIE_FILE.lied"'
	printf 'exec %s "$@"\n' "$(command -v sfdisk)"
} >"$tmp/bin/sfdisk"
chmod 755 "$tmp/bin/sfdisk"
off=$(awk '/cairn-os-1.0.x86_64.pkg/ { print $1; exit }' "$bundle")
[ -n "$off" ] || fail "no cairn-os in the bundle's table"
# The payload holds esp.img (3 MiB), gpt.sfdisk, slot.img (6 MiB), in that
# order, as zstd's raw blocks (random bytes do not compress).
for at in $((off + 1048576 + 4096)) $((off + 5000000)); do
	cp "$bundle" "$tmp/lying.bundle"
	rm -f "$tmp/lie" "$tmp/lying.bundle.lied"
	truncate -s 32M "$tmp/lie"
	refuse "contents do not match the package's sha256" env PATH="$tmp/bin:$PATH" LIE_FILE="$tmp/lying.bundle" \
		LIE_AT=$at "$pkg" --root "$root" --trust "$keys/root" --repo "$tmp/lying.bundle" os-install "$tmp/lie"
	[ "$(cat "$tmp/lying.bundle.lied")" = "$at" ] || fail "the medium did not lie (sfdisk not run from PATH)"
	if sfdisk -d "$tmp/lie" >/dev/null 2>&1; then
		fail "a medium that lied (byte $at) left a partition table on the disk"
	fi
	zeroes "$tmp/lie" 2048 || fail "a medium that lied (byte $at) left an ESP on the disk"
	zeroes "$tmp/lie" 10240 || fail "a medium that lied (byte $at) left slot A's start on the disk"
	expect_line "$tmp/err" "wiped (no partition table, ESP or slot)"
done
echo "a medium that lied on its second read: refused, the disk wiped"

# blank_refused WHY BUNDLE [SIZE]: onto a fresh blank disk, refused with
# WHY, and the disk still all zeroes.
blank_refused() {
	rm -f "$tmp/blank"
	truncate -s "${3:-32M}" "$tmp/blank"
	refuse "$1" inst "$2" "$tmp/blank"
	[ "$(tr -d '\000' <"$tmp/blank" | wc -c)" -eq 0 ] || fail "refused ($1), yet the disk was written"
}

# 4. Too small: the table ends at 24 MiB, and the backup GPT after it.
blank_refused "too small" "$bundle" 24M

# 5. A tampered bundle: one byte of the OS package changed.
off=$(awk '/cairn-os-1.0.x86_64.pkg/ { print $1; exit }' "$bundle")
[ -n "$off" ] || fail "no cairn-os in the bundle's table"
cp "$bundle" "$tmp/tampered"
printf 'X' | dd of="$tmp/tampered" bs=1 seek=$((off + 5000000)) conv=notrunc status=none
blank_refused "sha256 does not match the signed index" "$tmp/tampered"

# 6. Signed by a key the root does not list.
mkdir -p "$tmp/k2" && p key new "$tmp/k2" k2 || fail "pkg key new k2"
cp -r "$repo" "$tmp/repo2"
p release --version 2 --expires +7d "$tmp/repo2" && p sign --key "$tmp/k2/k2.key" "$tmp/repo2/release" ||
	fail "the second release"
p bundle -o "$tmp/badsig.bundle" "$tmp/repo2" || fail "pkg bundle (bad signature)"
blank_refused "release: 0 valid signatures by trusted keys, 1 needed" "$tmp/badsig.bundle"

# 7. An OS whose table has no ESP: the disk could not boot.
rm -f "$repo"/cairn-os-*.pkg
os "$tmp/noesp" "$slota" "$slotb" "$data"
mkpkg cairn-os 1.1 "$tmp/noesp"
publish 3
p bundle -o "$tmp/noesp.bundle" "$repo" || fail "pkg bundle (no ESP)"
blank_refused "no EFI system partition" "$tmp/noesp.bundle"

# 8. A package without the ESP's image.
rm -f "$repo"/cairn-os-*.pkg "$tmp/os/boot/esp.img"
mkpkg cairn-os 1.2 "$tmp/os"
publish 4
p bundle -o "$tmp/noimg.bundle" "$repo" || fail "pkg bundle (no esp.img)"
blank_refused "not an OS package" "$tmp/noimg.bundle"

# 9. A repository without the OS at all.
rm -f "$repo"/cairn-os-*.pkg
mkdir -p "$tmp/other/etc" && echo x >"$tmp/other/etc/x"
mkpkg other 1.0 "$tmp/other"
publish 5
p bundle -o "$tmp/noos.bundle" "$repo" || fail "pkg bundle (no OS)"
blank_refused "has no cairn-os package" "$tmp/noos.bundle"
echo "refused, nothing written: not blank, too small, tampered, bad signature, no ESP, no image, no OS"
