#!/bin/sh
# A hostile https:// repository that never refuses and never finishes
# (doc/pkg-repo.md, HTTPS): it trickles a file a byte at a time, well
# inside the 60 s that count as a stall; or sends a package steadily but
# slowly, for ever; or sends more index than the release signs.  pkg holds
# its lock (and os-update the OS's) while it reads, so each transfer must
# end: the minimum rate ends the trickle (the defaults, then
# --fetch-min-rate), the deadline the slow package (--fetch-timeout), and
# the signed size the index.  The test waits for pkg's exit; `timeout`
# only bounds a failure.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"
. "$(dirname "$0")/tlslib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/big/usr/share"
head -c 2000000 /dev/urandom >"$tmp/t/big/usr/share/blob"
mkpkg big 1.0 "$tmp/t/big"
keyset
publish 1
ca site-ca
cert server site-ca "DNS:localhost,IP:127.0.0.1"

# The server: the repository's files as they are, except NAME in
# $tmp/mode ("NAME KIND ARG"): trickle (a byte every ARG s, for ever),
# steady (ARG bytes a second, for ever) or tail (the file, then 80 MiB
# more as fast as it goes); no Content-Length, the end is the close.  It
# forks once listening; its port and pid come back on stdout.
set -- $(python3 - "$repo" "$pki/server.pem" "$pki/server.key" "$tmp/mode" <<'EOF'
import http.server, os, ssl, sys, time
d, cert, key, modefile = sys.argv[1:5]

class Hostile(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=d, **k)

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.lstrip("/")
        try:
            mode = open(modefile).read().split()
        except FileNotFoundError:
            mode = []
        if len(mode) != 3 or mode[0] != name:
            return super().do_GET()
        kind, arg = mode[1], float(mode[2])
        self.send_response(200)
        self.end_headers()
        try:
            if kind == "trickle":
                while True:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(arg)
            elif kind == "steady":
                while True:
                    self.wfile.write(b"x" * int(arg))
                    self.wfile.flush()
                    time.sleep(1)
            else:
                with open(os.path.join(d, name), "rb") as f:
                    data = f.read()
                self.wfile.write(data)
                for i in range(80 * 16):
                    self.wfile.write(b"\n" * 65536)
        except OSError:
            pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
pid = os.fork()
if pid:
    print(srv.server_address[1], pid, flush=True)
    os._exit(0)
fd = os.open(os.devnull, os.O_RDWR)
for i in (0, 1):
    os.dup2(fd, i)
srv.serve_forever()
EOF
)
[ $# -eq 2 ] || fail "the hostile server did not start"
port=$1
server=$2
url=https://localhost:$port/

# hostile NAME KIND ARG WANT PKG-OPTIONS...: pkg install big, with NAME
# served that way, refused with WANT; nothing installed.
hostile() {
	echo "$1 $2 $3" >"$tmp/mode"
	want=$4
	shift 4
	refuse "$want" timeout 120 "$pkg" --root "$root" --trust "$keys/root" --repo "$url" \
		--ca "$pki/site-ca.pem" "$@" install big
	[ ! -e "$root/usr/share/blob" ] || fail "a refused transfer installed big"
}

# A byte every 2 s: never a stall, never an end.  The defaults end it.
hostile release trickle 2 "bytes in 30 s, slower than the 4096 bytes a second a transfer must keep: refused"
hostile release trickle 0.2 "bytes in 2 s, slower than the 64 bytes a second a transfer must keep: refused" \
	--fetch-min-rate 64/2
# 2000 bytes a second, well above the minimum asked, of a 2 MB package:
# the deadline ends it.
hostile big-1.0.x86_64.pkg steady 2000 "big-1.0.x86_64.pkg: not done after 3 s: refused" --fetch-timeout 3 \
	--fetch-min-rate 500/2
[ ! -e "$root/var/cache/pkg/big-1.0.x86_64.pkg" ] || fail "a package cut off by the deadline is in the cache"
# The index to its signed size, not to the 64 MiB an index may be.
size=$(wc -c <"$repo/index")
hostile index tail 0 "index: does not match the signed release (longer than its $size bytes): refused"

# Honest again: installed.
: >"$tmp/mode"
p --root "$root" --repo "$url" --ca "$pki/site-ca.pem" --fetch-timeout 60 --fetch-min-rate 1024/10 install big ||
	{ cat "$tmp/err" >&2; fail "install big from the honest server"; }
cmp -s "$root/usr/share/blob" "$tmp/t/big/usr/share/blob" || fail "big not installed"
echo "pkg https: a trickle, a slow package and an endless index each ended; then installed"
