#!/bin/sh
# pkg info and pkg files read a package built here by hand (doc/pkg-format.md):
# the fields and entries come out as written, --json parses as JSON, and a
# truncated file, bytes after the payload, a bad header or bad metadata
# are refused with the reason and exit 1.
. "$(dirname "$0")/testlib"

pkg=${PKG:?PKG: the host build of pkg (make sets it)}
export ASAN_OPTIONS=detect_leaks=0

sum=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# mkpkg OUT META PAYLOAD_BYTES [EXTRA]: header + metadata + payload (+ junk).
mkpkg() {
	printf '%s' "$2" >"$tmp/meta"
	head -c "$3" /dev/zero >"$tmp/payload"
	{
		printf 'cairn-pkg 1 %s %s\n' "$(wc -c <"$tmp/meta")" "$3"
		cat "$tmp/meta" "$tmp/payload"
		printf '%s' "${4:-}"
	} >"$1"
}
meta="format 1
name busybox
version 1.37.0-r1
arch x86_64
license GPL-2.0-only
summary tiny versions of common UNIX utilities
source-sha256 $sum
depends musl>=1.2.5
provides sh
payload-size 1100
d 0755 0 0 bin
f 4755 0 0 1000 $sum bin/busybox
h bin/busybox bin/ls
l 0 0 busybox bin/sh
f 0644 0 0 100 $sum etc/motd
"
mkpkg "$tmp/good.pkg" "$meta" 37

"$pkg" info "$tmp/good.pkg" >"$tmp/info" || fail "pkg info refused a good package"
for want in "name          busybox" "version       1.37.0-r1" "arch          x86_64" \
	"license       GPL-2.0-only" "source-sha256 $sum" "files         5" \
	"installed     1100 bytes" "payload       37 bytes" "depends       musl>=1.2.5" \
	"provides      sh"; do
	expect_line "$tmp/info" "$want"
done
"$pkg" files "$tmp/good.pkg" >"$tmp/files" || fail "pkg files refused a good package"
cat >"$tmp/files.want" <<WANT
d 0755 0:0 /bin
f 4755 0:0 1000 $sum /bin/busybox
h /bin/ls => /bin/busybox
l 0:0 /bin/sh -> busybox
f 0644 0:0 100 $sum /etc/motd
WANT
diff -u "$tmp/files.want" "$tmp/files" || fail "pkg files: not the entries written"
"$pkg" --json info "$tmp/good.pkg" >"$tmp/info.json"
"$pkg" --json files "$tmp/good.pkg" >"$tmp/files.json"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/info.json" "$tmp/files.json" <<'PY' || fail "pkg --json: not the JSON wanted"
import json, sys
info = json.load(open(sys.argv[1]))
files = json.load(open(sys.argv[2]))
assert info["name"] == "busybox" and info["files"] == 5 and info["installed_size"] == 1100
assert info["depends"] == [{"name": "musl", "op": ">=", "version": "1.2.5"}]
assert files[1] == {"type": "f", "path": "bin/busybox", "uid": 0, "gid": 0, "mode": "4755",
                    "size": 1000, "sha256": "0123456789abcdef" * 4}
assert files[3]["target"] == "busybox" and files[2]["target"] == "bin/busybox"
PY
fi

# refused PKG WANT: exit 1 and WANT on stderr, nothing on stdout.
refused() {
	set +e
	"$pkg" info "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	[ "$rc" -eq 1 ] || { cat "$tmp/err" >&2; fail "pkg info $1 exited $rc, not 1"; }
	[ ! -s "$tmp/out" ] || fail "pkg info $1 printed something for a bad package"
	expect_line "$tmp/err" "$2"
}
head -c 200 "$tmp/good.pkg" >"$tmp/cut.pkg"
refused "$tmp/cut.pkg" "truncated: shorter than its header says"
mkpkg "$tmp/junk.pkg" "$meta" 37 "junk"
refused "$tmp/junk.pkg" "bytes after the payload"
printf 'PK\003\004 not ours\n' >"$tmp/zip.pkg"
refused "$tmp/zip.pkg" "not a Cairn package"
mkpkg "$tmp/trav.pkg" "$(printf '%s' "$meta" | sed 's|etc/motd|../etc/motd|')
" 37
refused "$tmp/trav.pkg" "'.' or '..' in path"
mkpkg "$tmp/bomb.pkg" "$(printf '%s' "$meta" | sed 's|payload-size 1100|payload-size 100|')
" 37
refused "$tmp/bomb.pkg" "payload-size 100 is not the 1100 bytes"
mkdir "$tmp/dir.pkg"
refused "$tmp/dir.pkg" "not a regular file"

set +e
"$pkg" frob "$tmp/good.pkg" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 100 ] || fail "pkg frob exited $rc, not 100"
expect_line "$tmp/err" "usage: pkg"
echo "pkg info/files read a hand-made package and refuse 6 bad ones"
