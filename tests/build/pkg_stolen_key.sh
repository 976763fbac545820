#!/bin/sh
# A stolen signing key, and the rotation that recovers from it
# (doc/pkg-repo.md, TRUST): the thief signs a release numbered far beyond
# any real one and a node trusts it.  The owner rotates the root to a new
# key; the node follows the rotation, forgets the release the new keys do
# not sign, and takes the owner's next release, though its number is
# lower.  The thief's key then counts for nothing; rollback protection
# holds again from the new release on, and a rotation that keeps the keys
# keeps the floor.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/lib/bin"
echo "libc v1" >"$tmp/t/lib/bin/libc"
mkpkg lib 1.0 "$tmp/t/lib"
keyset
publish 1
p --root "$root" --repo "$repo" --trust "$keys/root" install lib || { cat "$tmp/err" >&2; fail "install lib"; }

# The thief, with k1, on a mirror the node reads: release 9000000000000.
cp -a "$repo" "$tmp/mirror"
p release --version 9000000000000 --expires +7d "$tmp/mirror" && p sign --key "$keys/k1.key" "$tmp/mirror/release" ||
	fail "the thief's release"
p --root "$root" --repo "$tmp/mirror" upgrade || { cat "$tmp/err" >&2; fail "the node did not take the thief's release"; }
grep -q '^version 9000000000000$' "$root/lib/pkg/trust/release" || fail "the thief's release is not what the node trusts"

# The owner: root 2 lists k2 only (k1 revoked), signed by k1 and k2;
# release 2, with lib 2.0, signed by k2.
p key new "$keys" k2 || fail "key k2"
mkdir -p "$repo/root"
p root --version 2 --expires +30d --threshold 1 -o "$repo/root/2.root" "$keys/k2.pub" || fail "root 2"
p sign --key "$keys/k1.key" "$repo/root/2.root" && p sign --key "$keys/k2.key" "$repo/root/2.root" || fail "sign root 2"
echo "libc v2" >"$tmp/t/lib/bin/libc"
mkpkg lib 2.0 "$tmp/t/lib"
p index "$repo" && p release --version 2 --expires +7d "$repo" && p sign --key "$keys/k2.key" "$repo/release" ||
	fail "release 2"
p --root "$root" --repo "$repo" upgrade || { cat "$tmp/err" >&2; fail "after the rotation, release 2 was refused"; }
expect_line "$tmp/err" "the release trusted before (version 9000000000000) has 0 valid signatures by the keys of root version 2, 1 needed: forgotten"
[ "$(cat "$root/bin/libc")" = "libc v2" ] || fail "lib 2.0 not installed after the rotation"

# The thief again, with the revoked key: refused.
cp -a "$repo" "$tmp/mirror2"
p release --version 9000000000001 --expires +7d "$tmp/mirror2" && p sign --key "$keys/k1.key" "$tmp/mirror2/release" ||
	fail "the thief's second release"
refuse "release: 0 valid signatures by trusted keys, 1 needed" "$pkg" --root "$root" --repo "$tmp/mirror2" upgrade

# Rollback protection from the new release on: release 3, then release 2
# replayed, is refused; so it is after root 3, which keeps k2.
cp -a "$repo" "$tmp/old2"
p release --version 3 --expires +7d "$repo" && p sign --key "$keys/k2.key" "$repo/release" || fail "release 3"
p --root "$root" --repo "$repo" upgrade || { cat "$tmp/err" >&2; fail "release 3"; }
refuse "release version 2 is older than version 3, trusted before" "$pkg" --root "$root" --repo "$tmp/old2" upgrade
mkdir -p "$tmp/old2/root"
p root --version 3 --expires +60d --threshold 1 -o "$tmp/old2/root/3.root" "$keys/k2.pub" &&
	p sign --key "$keys/k2.key" "$tmp/old2/root/3.root" || fail "root 3"
refuse "release version 2 is older than version 3, trusted before" "$pkg" --root "$root" --repo "$tmp/old2" upgrade
echo "pkg: a stolen key's release forgotten at the rotation; rollback protection kept"
