#!/bin/sh
# pkg from an https:// repository (doc/pkg-repo.md), served on loopback by
# Python's http.server with a CA made here (openssl req): install and verify, a cached
# package reused and a damaged one fetched again; refused with a clear
# message and nothing installed: no CA or the wrong CA, a certificate for
# another name, plain http, a tampered, truncated or missing package, a
# tampered release.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"
. "$(dirname "$0")/tlslib"

mkdir -p "$tmp/t/lib/bin" "$tmp/t/app/usr/bin"
echo "libc v1" >"$tmp/t/lib/bin/libc"
echo "app v1" >"$tmp/t/app/usr/bin/app"
mkpkg lib 1.0 "$tmp/t/lib"
mkpkg app 1.0 "$tmp/t/app" "depends lib>=1.0
"
keyset
publish 1

ca site-ca
ca other-ca
cert server site-ca "DNS:localhost,IP:127.0.0.1"
cert elsewhere site-ca "DNS:mirror.invalid"

serve server "$repo"
url=https://localhost:$port/
root=$tmp/root
mkdir -p "$root"

# Refused before anything is written: no CA that signed the server's
# certificate, another CA, plain http.
refuse "(unable to get local issuer certificate)" "$pkg" --root "$root" --repo "$url" --trust "$keys/root" \
	--ca "$pki/other-ca.pem" install app
refuse "only https://" "$pkg" --root "$root" --repo "http://localhost:$port/" --trust "$keys/root" install app
[ ! -e "$root/usr" ] && [ ! -e "$root/var/cache/pkg/lib-1.0.x86_64.pkg" ] || fail "a refused repository left files"

# Install, by name and by address; the packages are kept in the cache.
p --root "$root" --repo "$url" --trust "$keys/root" --ca "$pki/site-ca.pem" install app ||
	{ cat "$tmp/err" >&2; fail "install from $url"; }
[ "$(cat "$root/usr/bin/app")" = "app v1" ] || fail "app not installed from https"
p --root "$root" verify || { cat "$tmp/err" >&2; fail "verify after an https install"; }
cmp -s "$root/var/cache/pkg/app-1.0.x86_64.pkg" "$repo/app-1.0.x86_64.pkg" || fail "app not in the cache"
p --root "$root" --repo "https://127.0.0.1:$port" --ca "$pki/site-ca.pem" search app >"$tmp/search" ||
	{ cat "$tmp/err" >&2; fail "search by address"; }
expect_line "$tmp/search" "app"

# A damaged cached copy is not used: it is fetched again.
p --root "$root" remove app || { cat "$tmp/err" >&2; fail "remove app"; }
printf 'X' | dd of="$root/var/cache/pkg/app-1.0.x86_64.pkg" bs=1 seek=100 conv=notrunc 2>/dev/null
p --root "$root" --repo "$url" --ca "$pki/site-ca.pem" install app || { cat "$tmp/err" >&2; fail "reinstall"; }
cmp -s "$root/var/cache/pkg/app-1.0.x86_64.pkg" "$repo/app-1.0.x86_64.pkg" || fail "damaged cache kept"
p --root "$root" remove app || fail "remove app"

# The certificate must name the host in the URL.
serve elsewhere "$repo"
refuse "(hostname mismatch)" "$pkg" --root "$root" --repo "https://localhost:$port/" \
	--ca "$pki/site-ca.pem" install app

# What the server sends is trusted for nothing: the signed index decides.
cp -a "$repo" "$tmp/bad"
serve server "$tmp/bad"
url=https://localhost:$port/
rm -f "$root/var/cache/pkg/"*.pkg
before=$(snap "$root")
f=$tmp/bad/app-1.0.x86_64.pkg
printf 'X' | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null
refuse "app-1.0.x86_64.pkg: sha256 differs from the signed index: refused" \
	"$pkg" --root "$root" --repo "$url" --ca "$pki/site-ca.pem" install app
head -c 300 "$repo/app-1.0.x86_64.pkg" >"$f"
refuse "app-1.0.x86_64.pkg: the server sent 300 bytes, the signed index says" \
	"$pkg" --root "$root" --repo "$url" --ca "$pki/site-ca.pem" install app
rm "$f"
refuse "404" "$pkg" --root "$root" --repo "$url" --ca "$pki/site-ca.pem" install app
cp "$repo/app-1.0.x86_64.pkg" "$f"
sed -i 's/^version 1$/version 7/' "$tmp/bad/release"
refuse "valid signature" "$pkg" --root "$root" --repo "$url" --ca "$pki/site-ca.pem" install app
[ "$(snap "$root")" = "$before" ] || fail "a refused transfer changed the root"
ls "$root/var/cache/pkg" | grep -q . && fail "a refused transfer left a file in the cache: $(ls -A "$root/var/cache/pkg")"
echo "pkg https: served, installed, cached; 8 refusals"
