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

# The kernel seed: RANDSTRUCT's structure layout and the latent entropy
# plugin's build-time constants come from it (pkg/recipes/linux/build).  A
# site's own, like its keys: the same seed gives the same kernel, and an
# exploit that learnt another site's layout does not fit this one.
seed=$KEYS_DIR/kernel-seed
if [ ! -s "$seed" ]; then
	say KEYGEN "$seed"
	umask 077
	od -A n -t x8 -N 32 /dev/urandom | tr -d ' \n' >"$seed.tmp" && echo >>"$seed.tmp" ||
		die "cannot make $seed"
	mv "$seed.tmp" "$seed"
fi

# Secure Boot (doc/secure-boot.md): the site's platform key, key exchange
# key and signature database key, RSA 2048 (what every firmware takes),
# each as PEM (sbsign, virt-fw-vars), DER .cer (firmware setup menus) and
# an EFI signature list signed for enrollment (.auth: systemd-boot's
# enrollment, efi-updatevar).  db signs the UKIs and systemd-boot.
sb=$KEYS_DIR/secureboot
if [ ! -s "$sb/db.auth" ]; then
	say KEYGEN "$sb (PK, KEK, db)"
	for t in cert-to-efi-sig-list sign-efi-sig-list; do
		command -v "$t" >/dev/null || die "$t not found: run 'make hostdeps' (efitools)"
	done
	umask 077
	rm -rf "$sb.tmp" && mkdir -p "$sb.tmp"
	guid=$(cat /proc/sys/kernel/random/uuid)
	echo "$guid" >"$sb.tmp/guid"
	for k in PK KEK db; do
		openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 -subj "/O=Cairn/CN=Cairn site $k/" \
			-keyout "$sb.tmp/$k.key" -out "$sb.tmp/$k.crt" 2>/dev/null &&
			openssl x509 -in "$sb.tmp/$k.crt" -outform DER -out "$sb.tmp/$k.cer" &&
			cert-to-efi-sig-list -g "$guid" "$sb.tmp/$k.crt" "$sb.tmp/$k.esl" >/dev/null ||
			die "cannot make the Secure Boot key $k"
	done
	# PK signs itself and KEK; KEK signs db.
	sign-efi-sig-list -g "$guid" -k "$sb.tmp/PK.key" -c "$sb.tmp/PK.crt" PK "$sb.tmp/PK.esl" "$sb.tmp/PK.auth" >/dev/null &&
		sign-efi-sig-list -g "$guid" -k "$sb.tmp/PK.key" -c "$sb.tmp/PK.crt" KEK "$sb.tmp/KEK.esl" "$sb.tmp/KEK.auth" >/dev/null &&
		sign-efi-sig-list -g "$guid" -k "$sb.tmp/KEK.key" -c "$sb.tmp/KEK.crt" db "$sb.tmp/db.esl" "$sb.tmp/db.auth" >/dev/null ||
		die "cannot sign the Secure Boot key lists"
	rm -rf "$sb"
	mv "$sb.tmp" "$sb"
fi
echo "$KEYS_DIR"
