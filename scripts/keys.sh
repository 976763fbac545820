#!/bin/sh
# scripts/keys.sh: make the build's signing keys once, outside the checkout.
#
# Keys are inputs, not products: every build with the same KEYS_DIR signs
# with the same keys, so its artifacts are identical.  A site brings its own
# by pointing KEYS_DIR at them.
. "$(dirname "$0")/lib.sh"

: "${KEYS_DIR:=${XDG_DATA_HOME:-$HOME/.local/share}/cairn/keys}"
mkdir -p "$KEYS_DIR"
chmod 700 "$KEYS_DIR"

key=$KEYS_DIR/module-signing.pem
if [ ! -s "$key" ]; then
	say KEYGEN "$key"
	umask 077
	cat >"$KEYS_DIR/.x509.genkey" <<'CNF'
[ req ]
default_bits = 4096
distinguished_name = req_distinguished_name
prompt = no
string_mask = utf8only
x509_extensions = myexts

[ req_distinguished_name ]
O = Cairn
CN = Cairn kernel module signing key

[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
CNF
	openssl req -new -nodes -utf8 -sha512 -days 36500 -batch -x509 \
		-config "$KEYS_DIR/.x509.genkey" -outform PEM \
		-out "$key.tmp" -keyout "$key.tmp" 2>/dev/null ||
		die "openssl could not make $key"
	mv "$key.tmp" "$key"
fi
echo "$KEYS_DIR"
