#!/bin/sh
# A repository whose files are FIFOs (doc/pkg-repo.md): whoever can write
# the repository (a stick, a shared directory) puts a FIFO where the
# release, a root or a package belongs, or passes one as the bundle.
# Opening a FIFO for reading waits for a writer, and pkg would wait
# forever holding its lock.  Each is refused at once, naming the file and
# what it is; the next pkg finds the lock free.  `timeout` only bounds a
# failure: a pkg that passes exits long before it.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/lib/bin"
echo "libc v1" >"$tmp/t/lib/bin/libc"
mkpkg lib 1.0 "$tmp/t/lib"
keyset
publish 1

# fifo_refused WHY ARGS...: pkg ARGS refused with WHY, not left waiting.
fifo_refused() {
	want=$1
	shift
	refuse "$want" timeout 60 "$pkg" --root "$root" --trust "$keys/root" "$@"
}

cp -a "$repo" "$tmp/r1"
rm "$tmp/r1/release"
mkfifo "$tmp/r1/release"
fifo_refused "release: not a regular file (a FIFO): refused" --repo "$tmp/r1" install lib

cp -a "$repo" "$tmp/r2"
mkdir -p "$tmp/r2/root"
mkfifo "$tmp/r2/root/2.root"
fifo_refused "root/2.root: not a regular file (a FIFO): refused" --repo "$tmp/r2" install lib

cp -a "$repo" "$tmp/r3"
rm "$tmp/r3/lib-1.0.x86_64.pkg"
mkfifo "$tmp/r3/lib-1.0.x86_64.pkg"
fifo_refused "lib-1.0.x86_64.pkg: not a regular file (a FIFO): refused" --repo "$tmp/r3" install lib

mkfifo "$tmp/bundle"
fifo_refused "$tmp/bundle: not a file or a block device" --repo "$tmp/bundle" install lib

[ ! -e "$root/bin/libc" ] || fail "a refused repository installed files"
p --root "$root" --repo "$repo" install lib || { cat "$tmp/err" >&2; fail "install after the refusals"; }
[ "$(cat "$root/bin/libc")" = "libc v1" ] || fail "lib not installed"
echo "pkg: FIFOs as release, root, package and bundle: refused at once"
