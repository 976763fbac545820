#!/bin/sh
# Signing with a hardware token through OpenSSL's provider interface
# (doc/pkg.md, KEYS): an ECDSA P-256 key made inside a PKCS#11 token
# (SoftHSM, a software token) signs a root and a release by a pkcs11: URI,
# with Debian's PKCS#11 provider loaded by OPENSSL_CONF; the key never
# leaves the token.  A root with one file key and the token's key, 2 of 2,
# installs; the token's signature missing, it is refused.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"
ptok=${PKG_TOKEN:?PKG_TOKEN: the build host pkg without sanitizers (make sets it)}
for c in softhsm2-util pkcs11-tool; do
	command -v "$c" >/dev/null || fail "$c is needed (make hostdeps)"
done
module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || fail "$module: SoftHSM's PKCS#11 module is missing (make hostdeps)"
deb=$(awk '$1 == "src" && $2 == "pkcs11-provider" { print $4 }' sources.lock)
[ -f "$DL_DIR/$deb" ] || fail "$DL_DIR/$deb: not fetched (make fetch)"
dpkg-deb -x "$DL_DIR/$deb" "$tmp/provider"
provider=$(find "$tmp/provider" -name pkcs11.so)

# The token, its PIN in a file, and OpenSSL told to load the provider.
mkdir -p "$tmp/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp/tokens" >"$tmp/softhsm2.conf"
export SOFTHSM2_CONF=$tmp/softhsm2.conf
softhsm2-util --init-token --free --label cairn-test --pin 4321 --so-pin 8765 >/dev/null
pkcs11-tool --module "$module" --login --pin 4321 --keypairgen --key-type EC:prime256v1 \
	--label repo-key --id 01 >/dev/null 2>&1 || fail "pkcs11-tool: no key pair made in the token"
printf '4321' >"$tmp/pin"
cat >"$tmp/openssl.cnf" <<CONF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
pkcs11 = pkcs11_sect
[default_sect]
activate = 1
[pkcs11_sect]
module = $provider
pkcs11-module-path = $module
pkcs11-module-token-pin = file:$tmp/pin
activate = 1
CONF
tokenkey="pkcs11:token=cairn-test;object=repo-key;type=private"

# The token's public key, as a root document lists it.
pkcs11-tool --module "$module" --read-object --type pubkey --id 01 -o "$tmp/tok.der" >/dev/null 2>&1 ||
	fail "no public key from the token"
echo "key ecdsa-p256 $(od -An -v -tx1 "$tmp/tok.der" | tr -d ' \n')" >"$keys/tok.pub"

mkdir -p "$tmp/t/usr/bin"
echo hello >"$tmp/t/usr/bin/hello"
mkpkg hello 1.0 "$tmp/t"
p key new "$keys" k1 || fail "pkg key new"
p root --version 1 --expires +30d --threshold 2 -o "$keys/root" "$keys/k1.pub" "$keys/tok.pub" || fail "pkg root"
p sign --key "$keys/k1.key" "$keys/root" || fail "sign root with the file key"
OPENSSL_CONF=$tmp/openssl.cnf "$ptok" sign --key "$tokenkey" "$keys/root" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; fail "sign the root with the token"; }
expect_line "$tmp/err" "signed by ecdsa-p256 key"
p index "$repo" || fail "pkg index"
p release --version 1 --expires +7d "$repo" || fail "pkg release"
p sign --key "$keys/k1.key" "$repo/release" || fail "sign the release with the file key"

# One signature of two: refused.
mkdir -p "$tmp/root"
refuse "release: 1 valid signature by trusted keys, 2 needed: refused" \
	"$pkg" --root "$tmp/root" --repo "$repo" --trust "$keys/root" install hello
OPENSSL_CONF=$tmp/openssl.cnf "$ptok" sign --key "$tokenkey" "$repo/release" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; fail "sign the release with the token"; }
p --root "$tmp/root" --repo "$repo" --trust "$keys/root" install hello || { cat "$tmp/err" >&2; fail "install"; }
[ "$(cat "$tmp/root/usr/bin/hello")" = hello ] || fail "hello not installed"
# The token's key is not a file anywhere under the test's directory.
! grep -rqs "PRIVATE KEY" "$tmp/tokens" "$keys/tok.pub" || fail "the token's private key is in a PEM file"
echo "pkg: root and release signed in a PKCS#11 token (2 of 2 with a file key); one signature refused"
