#!/bin/sh
# pkg end to end on a signed repository made here (doc/pkg.md,
# doc/pkg-repo.md): build, index, sign, install with dependencies, list,
# owner, verify, upgrade (a changed config file kept), remove; a root
# rotated to new keys with a 2-of-3 threshold (Ed25519 and ECDSA P-256);
# and the dependency solver explaining what it cannot do.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/lib/bin" "$tmp/t/lib/etc" "$tmp/t/app/usr/bin" "$tmp/t/app/etc"
echo "libc v1" >"$tmp/t/lib/bin/libc"
echo "greeting=hi" >"$tmp/t/lib/etc/lib.conf"
echo "app v1" >"$tmp/t/app/usr/bin/app"
chmod 755 "$tmp/t/app/usr/bin/app"
ln -s app "$tmp/t/app/usr/bin/app-link"
mkpkg lib 1.0 "$tmp/t/lib"
mkpkg app 1.0 "$tmp/t/app" "depends lib>=1.0
"
keyset
publish 1

# The same tree and spec give the same bytes: another copy of the tree, in
# another place, at another time, gives an identical package.
sleep 1
cp -a "$tmp/t/app" "$tmp/app-copy"
mkspec "$tmp/spec" app 1.0 "depends lib>=1.0
"
TZ=Asia/Kolkata p build -o "$tmp/again.pkg" "$tmp/spec" "$tmp/app-copy" || fail "build again"
cmp -s "$tmp/again.pkg" "$repo/app-1.0.x86_64.pkg" || fail "the same tree and spec gave another package"

# Install pulls in the dependency; the root is exactly the packages' files.
p --root "$root" --repo "$repo" --trust "$keys/root" install app || { cat "$tmp/err" >&2; fail "install app"; }
[ "$(cat "$root/usr/bin/app")" = "app v1" ] || fail "app not installed"
[ "$(readlink "$root/usr/bin/app-link")" = app ] || fail "symlink not installed"
[ "$(stat -c %a "$root/usr/bin/app")" = 755 ] || fail "mode not the package's"
p --root "$root" list >"$tmp/list"
expect_line "$tmp/list" "app                      1.0"
expect_line "$tmp/list" "lib                      1.0"
p --root "$root" list --world >"$tmp/world"
[ "$(cat "$tmp/world")" = app ] || fail "world is not what was asked for: $(cat "$tmp/world")"
p --root "$root" owner /bin/libc >"$tmp/owner"
expect_line "$tmp/owner" "/bin/libc lib 1.0"
p --root "$root" verify || { cat "$tmp/err"; fail "verify of a fresh install"; }
"$pkg" --root "$root" --json list | python3 -c 'import json,sys; l=json.load(sys.stdin); assert [p["name"] for p in l]==["app","lib"]'

# A file changed behind pkg's back is found.
echo "libc v9" >"$root/bin/libc"
refuse "lib: /bin/libc: contents differ (sha256)" "$pkg" --root "$root" verify
echo "libc v1" >"$root/bin/libc"

# Upgrade: new versions in; a changed config file is kept, the new one beside it.
echo "greeting=hello" >"$root/etc/lib.conf"
echo "libc v2" >"$tmp/t/lib/bin/libc"
echo "greeting=hey" >"$tmp/t/lib/etc/lib.conf"
echo "new" >"$tmp/t/lib/bin/extra"
mkpkg lib 2.0 "$tmp/t/lib"
publish 2
p --root "$root" --repo "$repo" upgrade || { cat "$tmp/err" >&2; fail "upgrade"; }
expect_line "$tmp/err" "/etc/lib.conf changed here: kept"
[ "$(cat "$root/bin/libc")" = "libc v2" ] || fail "upgrade did not replace /bin/libc"
[ "$(cat "$root/etc/lib.conf")" = "greeting=hello" ] || fail "the local config was not kept"
[ "$(cat "$root/etc/lib.conf.pkg-new")" = "greeting=hey" ] || fail "the new config is not beside it"
p --root "$root" list >"$tmp/list"
expect_line "$tmp/list" "lib                      2.0"
p --root "$root" verify >/dev/null || true
expect_line "$tmp/err" "0 differ, 1 configuration files changed"

# Remove: refused while another needs it; then both go, the kept config stays.
refuse "lib: app 1.0 needs it" "$pkg" --root "$root" remove lib
p --root "$root" remove app lib || { cat "$tmp/err" >&2; fail "remove"; }
[ ! -e "$root/bin/libc" ] && [ ! -e "$root/usr/bin/app" ] && [ ! -e "$root/usr" ] || fail "files left after remove"
[ -e "$root/etc/lib.conf" ] || fail "a locally changed config was removed"
[ -z "$("$pkg" --root "$root" list)" ] || fail "packages listed after remove"

# The solver says why it cannot.
refuse "nope: not in the repository" "$pkg" --root "$root" --repo "$repo" install nope
refuse "lib>=3: not in the repository for x86_64 (it has: x86_64 1.0, x86_64 2.0)" \
	"$pkg" --root "$root" --repo "$repo" install 'lib>=3'
mkdir -p "$tmp/t/old/x"
echo x >"$tmp/t/old/x/old"
mkpkg old 1.0 "$tmp/t/old" "depends lib<2
"
mkdir -p "$tmp/t/rival/y"
echo y >"$tmp/t/rival/y/rival"
mkpkg rival 1.0 "$tmp/t/rival" "conflicts lib
"
publish 3
refuse "rival 1.0 conflicts with lib" "$pkg" --root "$root" --repo "$repo" install rival lib
echo "other" >"$tmp/t/rival/bin-libc"
mkdir -p "$tmp/t/thief/bin"
echo "stolen" >"$tmp/t/thief/bin/libc"
mkpkg thief 1.0 "$tmp/t/thief"
publish 4
p --root "$root" --repo "$repo" install lib || { cat "$tmp/err" >&2; fail "install lib again"; }
refuse "/bin/libc of thief belongs to the installed lib" "$pkg" --root "$root" --repo "$repo" install thief

# Key rotation: root 2 names three keys (one ECDSA P-256) with threshold
# 2; it must carry 2 signatures of its own and 1 of the old root's.
p key new "$keys" k2 || fail "key k2"
p key new --alg ecdsa-p256 "$keys" k3 || fail "key k3 (P-256)"
mkdir -p "$repo/root"
p root --version 2 --expires +30d --threshold 2 -o "$repo/root/2.root" "$keys/k2.pub" "$keys/k3.pub" "$keys/k1.pub" ||
	{ cat "$tmp/err" >&2; fail "root 2"; }
p sign --key "$keys/k2.key" "$repo/root/2.root"
p sign --key "$keys/k3.key" "$repo/root/2.root"
p index "$repo" && p release --version 5 --expires +7d "$repo"
p sign --key "$keys/k2.key" "$repo/release"
# Not signed by the old root: refused.
refuse "root/2.root: 0 valid signatures by trusted keys, 1 needed" "$pkg" --root "$root" --repo "$repo" install old
p sign --key "$keys/k1.key" "$repo/root/2.root"
# Release with one signature under a threshold of 2: refused.
refuse "release: 1 valid signature by trusted keys, 2 needed" "$pkg" --root "$root" --repo "$repo" install old
p sign --key "$keys/k3.key" "$repo/release"
p --root "$root" --repo "$repo" install old 2>"$tmp/err" && fail "old needs lib<2 and lib 2.0 is in"
expect_line "$tmp/err" "old 1.0 needs lib<2"
p --root "$root" key list >"$tmp/keys.txt"
expect_line "$tmp/keys.txt" "root version 2, expires"
expect_line "$tmp/keys.txt" "threshold 2 of 3"
expect_line "$tmp/keys.txt" "ecdsa-p256 "
# The same repository as one bundle file, as a stick carries it: the
# rotation inside it is followed too, and a byte changed in it is caught.
p bundle -o "$tmp/repo.bundle" "$repo" || { cat "$tmp/err" >&2; fail "pkg bundle"; }
mkdir "$tmp/root2"
p --root "$tmp/root2" --repo "$tmp/repo.bundle" --trust "$keys/root" install app ||
	{ cat "$tmp/err" >&2; fail "install from a bundle"; }
[ "$(cat "$tmp/root2/usr/bin/app")" = "app v1" ] || fail "app from the bundle not installed"
p --root "$tmp/root2" key list >"$tmp/keys2.txt"
expect_line "$tmp/keys2.txt" "root version 2"
python3 - "$tmp/repo.bundle" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(b"app v1")
b[i] ^= 1
open(sys.argv[1], "wb").write(b)
PY
mkdir "$tmp/root3"
refuse "sha256 does not match the signed index" "$pkg" --root "$tmp/root3" --repo "$tmp/repo.bundle" --trust "$keys/root" install app
[ ! -e "$tmp/root3/usr" ] || fail "a refused bundle install wrote files"
# evil TABLE-LINE: a bundle of one entry and 64 bytes of data.
evil() {
	printf '%s\n' "$1" >"$tmp/toc"
	{ printf 'cairn-bundle 1 1 %s\n' "$(wc -c <"$tmp/toc")"; cat "$tmp/toc"; head -c 64 /dev/zero; } >"$tmp/evil.bundle"
}
evil "40 5 ../etc/passwd"
refuse "'../etc/passwd' is not a repository file name" "$pkg" --root "$tmp/root3" --repo "$tmp/evil.bundle" --trust "$keys/root" install app
evil "30 99 release"
refuse "release lies outside the bundle's data" "$pkg" --root "$tmp/root3" --repo "$tmp/evil.bundle" --trust "$keys/root" install app
evil "0 5 release"
refuse "release lies outside the bundle's data" "$pkg" --root "$tmp/root3" --repo "$tmp/evil.bundle" --trust "$keys/root" install app
echo "pkg: install, upgrade, remove, verify, solver errors, a 2-of-3 key rotation, a bundle file"
