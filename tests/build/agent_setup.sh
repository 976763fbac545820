#!/bin/sh
# cairn-agent setup (node.conf(5), SOURCES): the node config from an
# https:// URL on the command line, checked against the CA it names or the
# sha256 it gives, served on loopback; written root-only with its munge
# key in a file of its own.  Refused with a message and nothing written:
# another CA, a wrong sha256, an unreachable URL (after its retries), a
# config that does not check.  Then the image's own file, and none.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/tlslib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
ca site-ca
ca other-ca
cert server site-ca "IP:127.0.0.1"
cert stranger other-ca "IP:127.0.0.1"
key=$(head -c 48 /dev/urandom | base64 -w0)
mkdir -p "$tmp/www" "$tmp/root/etc/cairn"
cat >"$tmp/www/n1.conf" <<CONF
[node]
hostname = gpu-c01
profile = slurm
[slurm]
controller = 10.3.0.1
munge-key = $key
CONF
printf '[node]\nhostname = -bad-\n' >"$tmp/www/bad.conf"
sum=$(sha256sum "$tmp/www/n1.conf" | cut -c1-64)

# setup CMDLINE [WAIT]: cairn-agent setup with that kernel command line,
# into a fresh $tmp/run; its output in $tmp/out.  A source that answers
# returns at once: --wait (30 s) only bounds the tries of a busy machine.
setup() {
	rm -rf "$tmp/run"
	mkdir -p "$tmp/run"
	printf '%s\n' "$1" >"$tmp/cmdline"
	"$CAIRN_AGENT" setup --no-system --wait "${2:-30}" --cmdline "$tmp/cmdline" --root "$tmp/root" \
		--out "$tmp/run" >"$tmp/out" 2>&1
}
# refused WHY CMDLINE [WAIT]: setup fails and says WHY, in any try: what
# may be a network's trouble is tried again until --wait (10 s) runs out,
# each try given half of what is left (a busy machine needs seconds for a
# handshake, and a refused connect is tried again until then).
refused() {
	if setup "$2" "${3:-10}"; then
		cat "$tmp/out" >&2
		fail "setup with '$2' succeeded"
	fi
	expect_line "$tmp/out" "$1"
	[ ! -e "$tmp/run/node.conf" ] && [ ! -e "$tmp/run/secrets" ] || fail "'$2': refused, but wrote"
	! grep -qF "$key" "$tmp/out" || fail "the munge key appeared in a message"
}

serve server "$tmp/www"
url=https://127.0.0.1:$port
setup "cairn.config=$url/n1.conf cairn.config.ca=$pki/site-ca.pem" || { cat "$tmp/out"; fail "setup by URL"; }
expect_line "$tmp/out" "setup: config from cmdline $url/n1.conf: profile slurm, 0 interfaces"
cmp -s "$tmp/www/n1.conf" "$tmp/run/node.conf" || fail "node.conf differs from what was served"
[ "$(stat -c %a "$tmp/run/node.conf")" = 600 ] || fail "node.conf is not 0600"
[ "$(stat -c %a "$tmp/run/secrets")" = 700 ] || fail "secrets/ is not 0700"
[ "$(stat -c %a "$tmp/run/secrets/munge.key")" = 400 ] || fail "munge.key is not 0400"
[ "$(base64 -w0 <"$tmp/run/secrets/munge.key")" = "$key" ] || fail "munge.key differs from the config's"
[ "$(cat "$tmp/run/node.conf.origin")" = "cmdline $url/n1.conf" ] || fail "origin: $(cat "$tmp/run/node.conf.origin")"
! grep -qF "$key" "$tmp/out" || fail "the munge key appeared in setup's output"
# The profile's mark, which gates its services (initd's condition = file:).
[ "$(ls "$tmp/run/profile")" = slurm ] || fail "profile/ holds '$(ls "$tmp/run/profile")', not slurm"

refused "certificate verify failed" "cairn.config=$url/n1.conf cairn.config.ca=$pki/other-ca.pem"
refused "-bad-" "cairn.config=$url/bad.conf cairn.config.ca=$pki/site-ca.pem"
refused "needs cairn.config.ca=FILE or cairn.config.sha256=HEX" "cairn.config=$url/n1.conf"

# Pinned by its sha256: any certificate will do, the bytes must match.
serve stranger "$tmp/www"
url=https://127.0.0.1:$port
setup "cairn.config=$url/n1.conf cairn.config.sha256=$sum" || { cat "$tmp/out"; fail "setup pinned by sha256"; }
cmp -s "$tmp/www/n1.conf" "$tmp/run/node.conf" || fail "pinned: node.conf differs"
echo "# changed" >>"$tmp/www/n1.conf"
refused "sha256 differs from cairn.config.sha256: refused" "cairn.config=$url/n1.conf cairn.config.sha256=$sum"
refused "404" "cairn.config=$url/none.conf cairn.config.sha256=$sum"
# Cut short (fewer bytes than Content-Length, no TLS close): an error, not a shorter config.
head -c 40 "$tmp/www/n1.conf" >"$tmp/www/short.cut"
serve server "$tmp/www"
url=https://127.0.0.1:$port
refused "short.cut: the server said 78 bytes and sent 40: cut short, refused" "cairn.config=$url/short.cut cairn.config.ca=$pki/site-ca.pem"

# Unreachable: tried until --wait runs out, then refused; its first try
# (10 s) leaves time for another.
kill "$server"
wait "$server" 2>/dev/null || true
server=
refused "(try 1; again in 1 s)" "cairn.config=$url/n1.conf cairn.config.sha256=$sum" 20
expect_line "$tmp/out" "connect timeout"

# No command line source: the image's file; then nothing, every default.
printf '[node]\nhostname = imaged\n' >"$tmp/root/etc/cairn/node.conf"
setup "console=ttyS0" || { cat "$tmp/out"; fail "setup from the image"; }
expect_line "$tmp/out" "setup: config from image /etc/cairn/node.conf: profile standalone"
[ ! -e "$tmp/run/secrets/munge.key" ] || fail "a munge key out of nowhere"
[ "$(ls "$tmp/run/profile")" = standalone ] || fail "profile/ holds '$(ls "$tmp/run/profile")'"
# Run again over a slurm node's /run (initctl start node-config): one mark.
mkdir -p "$tmp/run/profile" && : >"$tmp/run/profile/slurm"
"$CAIRN_AGENT" setup --no-system --cmdline "$tmp/cmdline" --root "$tmp/root" --out "$tmp/run" >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; fail "setup run again"; }
[ "$(ls "$tmp/run/profile")" = standalone ] || fail "run again: profile/ holds '$(ls "$tmp/run/profile")'"
rm "$tmp/root/etc/cairn/node.conf"
setup "console=ttyS0" || { cat "$tmp/out"; fail "setup with no config"; }
expect_line "$tmp/out" "setup: config from none: profile standalone, 0 interfaces"
[ -f "$tmp/run/node.conf" ] && [ ! -s "$tmp/run/node.conf" ] || fail "no config: node.conf should be empty"
echo "agent setup: by URL (CA, sha256), image, none; 8 refusals (a cut-short transfer among them)"
