#!/bin/sh
# pkg against a hostile-input corpus this test makes itself: each attack
# that broke another package manager (path traversal, absolute paths,
# symlink and hardlink escapes, device nodes, setuid smuggling, tampered
# payloads and metadata, bad or missing signatures, rollback, freeze,
# oversized and decompression-bomb payloads, truncated files) is refused
# with a clear message, and the root, with a package already installed,
# is byte for byte what it was; nothing appears outside it.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
outside=$tmp/outside
mkdir -p "$root" "$outside" "$tmp/t/base/etc"
echo "base" >"$tmp/t/base/etc/base.conf"
mkpkg base 1.0 "$tmp/t/base"
keyset
rel=1
publish $rel
p --root "$root" --repo "$repo" --trust "$keys/root" install base || { cat "$tmp/err" >&2; fail "install base"; }
snap "$root" >"$tmp/before"

# craft NAME BODY PAYLOAD [SIZE]: a package by hand: BODY is the metadata
# after "format 1" and the package's keys; PAYLOAD (a file) is compressed
# as is; SIZE is the payload-size to declare (default: PAYLOAD's).  TRAIL
# (printf escapes): bytes after the compressed frame, inside the payload.
craft() {
	{
		printf 'format 1\nname %s\nversion 1.0\narch x86_64\nlicense MIT\n' "$1"
		printf 'source-sha256 %s\npayload-size %s\n' "$(printf '%s' "$1" | sha256sum | cut -c1-64)" \
			"${4:-$(wc -c <"$3")}"
		printf '%s\n' "$2"
	} >"$tmp/meta"
	zstd -q -c -19 "$3" >"$tmp/payload.zst"
	[ -z "${TRAIL:-}" ] || printf "$TRAIL" >>"$tmp/payload.zst"
	{
		printf 'cairn-pkg 1 %s %s\n' "$(wc -c <"$tmp/meta")" "$(wc -c <"$tmp/payload.zst")"
		cat "$tmp/meta" "$tmp/payload.zst"
	} >"$repo/$1-1.0.x86_64.pkg"
}
sha() {
	sha256sum "$1" | cut -c1-64
}
# The index by hand, as a hostile (or compromised) repository would write
# it: pkg index itself refuses these packages.
handindex() {
	{
		echo "cairn-index 1"
		for f in $(cd "$repo" && ls ./*.pkg | sort); do
			f=${f#./}
			n=${f%-1.0.x86_64.pkg}
			printf 'package %s 1.0 x86_64 %s %s\n' "$n" "$(wc -c <"$repo/$f")" "$(sha "$repo/$f")"
		done
	} >"$repo/index"
}
republish() {
	rel=$((rel + 1))
	handindex
	p release --version $rel --expires "${1:-+7d}" "$repo" || fail "pkg release"
	p sign --key "$keys/k1.key" "$repo/release" || fail "pkg sign release"
}
cases=0
# attack NAME WANT: installing NAME is refused with WANT, the root unchanged.
attack() {
	refuse "$2" "$pkg" --root "$root" --repo "$repo" install "$1"
	snap "$root" >"$tmp/after"
	diff -u "$tmp/before" "$tmp/after" >&2 || fail "$1: the root changed though the install was refused"
	[ -z "$(ls -A "$outside")" ] || fail "$1: something was written outside the root"
	[ ! -e "$repo/$1-1.0.x86_64.pkg" ] || rm "$repo/$1-1.0.x86_64.pkg"
	cases=$((cases + 1))
}

printf 'evil\n' >"$tmp/five"
f5=$(sha "$tmp/five")
: >"$tmp/empty"

craft trav "f 0644 0 0 5 $f5 ../escape" "$tmp/five"; republish
attack trav "'.' or '..' in path"
craft trav2 "d 0755 0 0 usr
f 0644 0 0 5 $f5 usr/../../escape" "$tmp/five"; republish
attack trav2 "'.' or '..' in path"
craft abs "f 0644 0 0 5 $f5 /etc/passwd" "$tmp/five"; republish
attack abs "absolute path"

# A symlink to a place outside the root, then a file through it: the path
# resolves inside the root (RESOLVE_IN_ROOT), where there is no such place.
craft link1 "l 0 0 $outside evil" "$tmp/empty"
craft link2 "l 0 0 ../../../../../../../../..$outside up" "$tmp/empty"
republish
p --root "$root" --repo "$repo" install link1 link2 || { cat "$tmp/err" >&2; fail "a symlink package"; }
snap "$root" >"$tmp/before"
craft via "f 0644 0 0 5 $f5 evil/pwned" "$tmp/five"; republish
attack via "/evil/pwned: No such file or directory"
craft via2 "f 0644 0 0 5 $f5 up/pwned" "$tmp/five"; republish
attack via2 "/up/pwned: No such file or directory"
craft via3 "d 0755 0 0 evil
f 0644 0 0 5 $f5 evil/pwned" "$tmp/five"; republish
attack via3 "/evil of via3 belongs to the installed link1: they conflict"

craft hard1 "h /etc/shadow stolen" "$tmp/empty"; republish
attack hard1 "absolute path"
craft hard2 "h ../../etc/shadow stolen" "$tmp/empty"; republish
attack hard2 "'.' or '..' in path"
craft hard3 "h etc/base.conf stolen" "$tmp/empty"; republish
attack hard3 "hardlink target 'etc/base.conf' is not a file listed before it"

craft dev "c 0644 0 0 1 3 dev/null" "$tmp/empty"; republish
attack dev "unknown key 'c'"
mkfifo "$tmp/fifo-tree-fifo" && mkdir "$tmp/fifo-tree" && mv "$tmp/fifo-tree-fifo" "$tmp/fifo-tree/fifo"
mkspec "$tmp/spec" fifo 1.0
refuse "fifo: device nodes, FIFOs and sockets cannot be packaged" "$pkg" build -o "$tmp/fifo.pkg" "$tmp/spec" "$tmp/fifo-tree"
[ ! -e "$tmp/fifo.pkg" ] || fail "pkg build left a package after refusing"

# Mode bits come from the metadata line alone (the payload has none); a
# setuid or setgid directory cannot even be declared.
craft suid "d 6755 0 0 bin" "$tmp/empty"; republish
attack suid "setuid or setgid on a directory"

# Tampered: contents other than the metadata's hash (the index updated, as
# a compromised build would), and a package changed after it was indexed.
printf 'EVIL\n' >"$tmp/five2"
craft tamper "f 0644 0 0 5 $f5 tampered" "$tmp/five2"; republish
attack tamper "/tampered: contents do not match the sha256 in the package's metadata"
craft late "f 0644 0 0 5 $f5 late" "$tmp/five"; republish
sed -i 's/^f 0644 0 0 5/f 4755 0 0 5/' "$repo/late-1.0.x86_64.pkg"
attack late "late: sha256 does not match the signed index"

# Oversized, a decompression bomb, truncated.
printf 'cairn-pkg 1 99999999 10\n' >"$repo/huge-1.0.x86_64.pkg"; republish
attack huge "metadata length '99999999' is not 1 to"
head -c 100 /dev/zero >"$tmp/hundred"
head -c 10000000 /dev/zero >"$tmp/bomb"
craft bomb "f 0644 0 0 100 $(sha "$tmp/hundred") bomb" "$tmp/bomb" 100
republish
attack bomb "payload inflates past its declared size (a decompression bomb)"
# After the one frame the files need: a zstd skippable frame (a place to
# carry anything), then a second frame.
TRAIL='\120\052\115\030\004\000\000\000EVIL'
craft skip "f 0644 0 0 5 $f5 skip" "$tmp/five"
zstd -q -c "$tmp/five" >"$tmp/five.zst"
TRAIL=$(od -An -v -to1 "$tmp/five.zst" | tr -s ' \n' '  ' | sed 's/ \([0-7][0-7]*\)/\\\1/g; s/ //g')
craft again "f 0644 0 0 5 $f5 again" "$tmp/five"
TRAIL=
republish
attack skip "skip: payload is not one valid zstd frame"
attack again "again: payload is not one valid zstd frame"
craft cut "f 0644 0 0 5 $f5 cut" "$tmp/five"
head -c "$(($(wc -c <"$repo/cut-1.0.x86_64.pkg") - 8))" "$repo/cut-1.0.x86_64.pkg" >"$tmp/cut" &&
	mv "$tmp/cut" "$repo/cut-1.0.x86_64.pkg"
republish
attack cut "cut: truncated: shorter than its header says"

# Signatures and versions of the repository itself.
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"; republish
# One bit of the signature flipped.
python3 - "$repo/release" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
sig = lines[-2]
lines[-2] = sig[:-1] + "%x" % (int(sig[-1], 16) ^ 1)
open(sys.argv[1], "w").write("\n".join(lines))
PY
attack ok "release: 0 valid signatures by trusted keys, 1 needed (some signatures do not verify)"
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"
handindex && p release --version $((rel + 1)) --expires +7d "$repo"
attack ok "release: 0 valid signatures by trusted keys, 1 needed"
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"; republish
printf 'package zzz 1.0 x86_64 1 %s\n' "$f5" >>"$repo/index"
attack ok "index: does not match the signed release"
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"
keep=$rel
rel=0
republish
rel=$keep
attack ok "release version 1 is older than version $rel, trusted before"
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"
republish 1000
attack ok "release version $rel expired at 1000"
# The operator's override works, and is logged.
craft ok "f 0644 0 0 5 $f5 ok" "$tmp/five"
p --root "$root" --repo "$repo" --allow-expired install ok || { cat "$tmp/err" >&2; fail "--allow-expired"; }
expect_line "$tmp/err" "accepted by --allow-expired"
expect_line "$root/lib/pkg/trust/overrides.log" "release version $rel expired at 1000"
echo "pkg: $cases hostile inputs refused, the root unchanged each time"
