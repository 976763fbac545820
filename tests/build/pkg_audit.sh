#!/bin/sh
# pkg audit (doc/pkg.md, AUDIT): an OSV feed written here, read against a
# repository, a root installed from it and a bundle of it.  A Debian 12
# advisory of a package's source with its fix above the package's Debian
# version (matched, with its fix), one fixed below it (not), one withdrawn,
# one for another release, one by purl, one with no fix; exit 1 with
# matches, 0 with none.  The feed is untrusted: a malformed file, one too
# big, one that takes too much memory to parse, one nested too deep, a
# FIFO and a link out of the feed directory are each refused by name,
# with exit 2, never a crash and never 0; a terminal escape in a summary
# or a file name never reaches the terminal.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

# audit RC ARGS...: pkg ARGS exits RC; stdout in $tmp/out, stderr in $tmp/err.
audit() {
	want=$1
	shift
	set +e
	"$pkg" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "'pkg $*' exited $rc, not $want"; }
}

# Three packages: a Debian 12 binary of source foo (its Debian version has
# an epoch), an upstream tarball of Debian 13's busybox source, one with no
# purl but its implicit pkg:generic/plain@1.0.
mkdir -p "$tmp/t/foo/usr/lib" "$tmp/t/bb/bin" "$tmp/t/plain/etc"
echo foo >"$tmp/t/foo/usr/lib/libfoo.so.1"
echo bb >"$tmp/t/bb/bin/busybox"
echo plain >"$tmp/t/plain/etc/plain"
mkpkg libfoo 2.0-1 "$tmp/t/foo" "purl pkg:deb/debian/libfoo1@1:2.0-1?arch=amd64&distro=debian-12&upstream=foo
"
mkpkg busybox 1.37.0 "$tmp/t/bb" "purl pkg:deb/debian/busybox@1%3A1.37.0-6?arch=source&distro=debian-13
"
mkpkg plain 1.0 "$tmp/t/plain"
keyset
publish 1

# deb ID ECOSYSTEM NAME EVENTS [MORE]: a Debian advisory.
deb() {
	printf '{"id":"%s","aliases":["%s"],"summary":"%s in %s",%s"affected":[{"package":{"ecosystem":"%s","name":"%s"},"ranges":[{"type":"ECOSYSTEM","events":[%s]}]}]}\n' \
		"$1" "CVE-${1#*CVE-}" "flaw" "$3" "${5:-}" "$2" "$3" "$4"
}
feed=$tmp/feed
mkdir -p "$feed" "$tmp/outside" "$tmp/r0" "$tmp/r1" "$tmp/root" "$tmp/nothing-installed"
deb DEBIAN-CVE-2024-1001 Debian:12 foo '{"introduced":"0"},{"fixed":"1:2.0-2"}' >"$feed/DEBIAN-CVE-2024-1001.json"
deb DEBIAN-CVE-2024-1002 Debian:12 foo '{"introduced":"0"},{"fixed":"1:1.9-1"}' >"$feed/DEBIAN-CVE-2024-1002.json"
deb DEBIAN-CVE-2024-1003 Debian:12 foo '{"introduced":"0"}' '"withdrawn":"2024-05-01T00:00:00Z",' \
	>"$feed/DEBIAN-CVE-2024-1003.json"
deb DEBIAN-CVE-2024-1006 Debian:11 foo '{"introduced":"0"}' >"$feed/DEBIAN-CVE-2024-1006.json"
# By purl (the package's own version, 1.37.0), and an array of two: busybox
# on Debian 13 with no fix (last_affected), and a package not here.
cat >"$feed/OSV-2024-1004.json" <<'EOF'
{"id":"OSV-2024-1004","aliases":["CVE-2024-1004"],"summary":"overflow\u001b[2J in busybox",
 "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"busybox","purl":"pkg:generic/busybox@1.36?x=1"},
  "ranges":[{"type":"SEMVER","events":[{"introduced":"1.36.0"},{"fixed":"1.37.1"}]},
            {"type":"GIT","repo":"https://git.example/busybox","events":[{"introduced":"0"},{"fixed":"abc"}]}]}]}
EOF
cat >"$feed/more.json" <<'EOF'
[{"id":"DEBIAN-CVE-2024-1005","aliases":["CVE-2024-1005"],"summary":"busybox in Debian 13",
  "affected":[{"package":{"ecosystem":"Debian:13","name":"busybox"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1:1.36.0-1"},{"last_affected":"1:1.37.0-6"}]}]}]},
 {"id":"DEBIAN-CVE-2024-1007","affected":[{"package":{"ecosystem":"Debian:12","name":"bar"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}]
EOF
echo "not an advisory" >"$feed/README"
cat >"$tmp/want" <<'EOF'
busybox 1.37.0 DEBIAN-CVE-2024-1005 CVE-2024-1005 no fix: busybox in Debian 13
busybox 1.37.0 OSV-2024-1004 CVE-2024-1004 fixed 1.37.1: overflow [2J in busybox
libfoo 2.0-1 DEBIAN-CVE-2024-1001 CVE-2024-1001 fixed 1:2.0-2: flaw in foo
EOF
same() {	# same WHAT: $tmp/out is the report wanted
	cmp -s "$tmp/want" "$tmp/out" || { diff "$tmp/want" "$tmp/out" >&2 || true; fail "$1: not the report wanted"; }
}

# 1. The repository, a directory.
audit 1 --root "$tmp/r0" --repo "$repo" --trust "$keys/root" audit --feed "$feed"
same "the repository"
expect_line "$tmp/err" "audit: 3 packages, 7 advisories (1 withdrawn) in 6 files: 3 matched"

# 2. A root installed from it.
root=$tmp/root
p --root "$root" --repo "$repo" --trust "$keys/root" install libfoo busybox plain ||
	{ cat "$tmp/err" >&2; fail "install"; }
audit 1 --root "$root" audit --feed "$feed"
same "the installed root"
"$pkg" --root "$root" --json audit --feed "$feed" 2>/dev/null | python3 -c '
import json, sys
l = json.load(sys.stdin)
got = [(m["package"], m["version"], m["id"], m["aliases"], m["fixed"]) for m in l]
assert got == [("busybox", "1.37.0", "DEBIAN-CVE-2024-1005", ["CVE-2024-1005"], None),
               ("busybox", "1.37.0", "OSV-2024-1004", ["CVE-2024-1004"], "1.37.1"),
               ("libfoo", "2.0-1", "DEBIAN-CVE-2024-1001", ["CVE-2024-1001"], "1:2.0-2")], got
assert l[1]["summary"] == "overflow\u001b[2J in busybox"
' || fail "audit --json: not the matches wanted"

# 3. A bundle of the repository.
p bundle -o "$tmp/site.bundle" "$repo" || { cat "$tmp/err" >&2; fail "pkg bundle"; }
audit 1 --root "$tmp/r1" --repo "$tmp/site.bundle" --trust "$keys/root" audit --feed "$feed"
same "the bundle"

# 4. Nothing matches: exit 0, no line; one file as the feed.
mkdir -p "$tmp/quiet"
cp "$feed/DEBIAN-CVE-2024-1002.json" "$feed/DEBIAN-CVE-2024-1003.json" "$feed/DEBIAN-CVE-2024-1006.json" "$tmp/quiet/"
audit 0 --root "$root" audit --feed "$tmp/quiet"
[ ! -s "$tmp/out" ] || fail "a feed that matches nothing printed: $(cat "$tmp/out")"
audit 0 --root "$root" audit --feed "$tmp/quiet/DEBIAN-CVE-2024-1002.json"
audit 1 --root "$root" audit --feed "$feed/more.json"
[ "$(cat "$tmp/out")" = "busybox 1.37.0 DEBIAN-CVE-2024-1005 CVE-2024-1005 no fix: busybox in Debian 13" ] ||
	fail "one array file as the feed: $(cat "$tmp/out")"
"$pkg" --root "$root" --json audit --feed "$tmp/quiet" 2>/dev/null | python3 -c 'import json,sys; assert json.load(sys.stdin) == []' ||
	fail "audit --json with no match is not []"

# 5. What cannot be read is never "nothing matched".
mkdir -p "$tmp/empty"
audit 2 --root "$root" audit --feed "$tmp/empty"
expect_line "$tmp/err" "no .json file in it: not an OSV feed"
audit 2 --root "$root" audit --feed "$tmp/nowhere"
audit 2 --root "$tmp/nothing-installed" audit --feed "$feed"
expect_line "$tmp/err" "no package database (lib/pkg): nothing to audit"
audit 100 --root "$root" audit
expect_line "$tmp/err" "audit needs --feed PATH"
audit 0 --root "$root" audit --help
expect_line "$tmp/out" "Exit status: 0 none, 1 some, 2 the feed or the packages could not be read"

# 6. Attacks, each beside the good files: refused by name, exit 2, the
#    matches of the files that could be read still reported.
# attack NAME WANT: $feed/NAME is refused with WANT, then removed
attack() {
	audit 2 --root "$root" audit --feed "$feed"
	expect_line "$tmp/err" "pkg: audit: $feed/$1: $2"
	expect_line "$tmp/err" "1 of 7 feed files refused: the report is incomplete"
	same "the report beside $1"
	rm -f "$feed/$1"
}
printf '{"id":"OSV-X","affected":[{"package":' >"$feed/malformed.json"
attack malformed.json "not JSON: line 1, column 37"
deb OSV-Y Other plain '{"introduced":"0"}' >"$feed/nopurl.json"
sed -i 's/"aliases":\["CVE-OSV-Y"\]/"aliases":"CVE-1"/' "$feed/nopurl.json"
attack nopurl.json "OSV-Y: 'aliases' is not an array"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$feed/big.json"
attack big.json "bigger than 16 MiB: refused"
python3 -c 'import sys; sys.stdout.write("[" * 100000)' >"$feed/deep.json"
attack deep.json "not JSON: line 1, column 2049: maximum parsing depth reached"
python3 -c 'import sys; n = 8 << 20; sys.stdout.write("[" + ",".join(["[]"] * (n // 3)) + "]")' >"$feed/bomb.json"
attack bomb.json "needs more than 256 MiB to parse: refused"
mkfifo "$feed/fifo.json"
attack fifo.json "not a regular file (a FIFO): refused"
# A name with a terminal escape in it: said with the escape as a space.
esc=$(printf '\033')
printf '[' >"$feed/x$esc[2J.json"
audit 2 --root "$root" audit --feed "$feed"
expect_line "$tmp/err" "pkg: audit: $feed/x [2J.json: not JSON"
! grep -q "$esc" "$tmp/err" || fail "a control byte of a feed file's name reached stderr"
rm -f "$feed/x$esc[2J.json"
# A link out of the feed to an advisory that would match plain: not followed.
printf '{"id":"OSV-EVIL","affected":[{"package":{"ecosystem":"x","name":"plain","purl":"pkg:generic/plain"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}' \
	>"$tmp/outside/evil.json"
audit 1 --root "$root" audit --feed "$tmp/outside"
expect_line "$tmp/out" "plain 1.0 OSV-EVIL - no fix"
ln -s "$tmp/outside/evil.json" "$feed/evil.json"
attack evil.json "a symbolic link: refused"
ln -s "$tmp/outside" "$feed/sub.json"
attack sub.json "a symbolic link: refused"
! grep -q OSV-EVIL "$tmp/out" || fail "an advisory outside the feed was read through a link"

# A feed of nothing but bad files: exit 2, never 0.
mkdir -p "$tmp/bad"
printf '[' >"$tmp/bad/a.json"
audit 2 --root "$root" audit --feed "$tmp/bad"
expect_line "$tmp/err" "1 of 1 feed files refused"
[ ! -s "$tmp/out" ] || fail "a feed of bad files reported matches"

echo "pkg audit: a repository, an installed root and a bundle against a written OSV feed (Debian source and release with epochs, purl, withdrawn, no fix); malformed, big, deep, memory-hungry, FIFO and linked feed files refused with exit 2"
