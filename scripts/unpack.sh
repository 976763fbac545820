#!/bin/sh
# scripts/unpack.sh: unpack one pinned source into a fresh directory.
#
# usage: unpack.sh [-l LOCK] NAME DIR
#
# The file is checked against the lock again (DL_DIR may have changed since
# the fetch), unpacked beside DIR, and renamed into place only when whole,
# so an interrupted unpack is never mistaken for a finished one.
. "$(dirname "$0")/lib.sh"

lock=sources.lock
[ "${1:-}" = -l ] && { lock=$2; shift 2; }
[ $# -eq 2 ] || die "usage: unpack.sh [-l LOCK] NAME DIR"
name=$1 dir=$2

set -- $(lock_lines src "$lock" | awk -v n="$name" '$2 == n { print $4, $5; exit }')
[ $# -eq 2 ] || die "$lock: no source named $name"
file=$DL_DIR/$1 sum=$2
[ -f "$file" ] || die "$file: missing; run 'make fetch'"
[ "$(sha256_of "$file")" = "$sum" ] || die "$file: sha256 differs from $lock; delete it and run 'make fetch'"

say UNPACK "$name"
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
case $file in
*/linux-source-*.deb)
	# Debian's linux-source-* carries the patched tree as one tarball.
	dpkg-deb --fsys-tarfile "$file" | tar -xO --wildcards './usr/src/*.tar.xz' |
		tar -xJ -C "$dir.tmp" --strip-components=1 ;;
*.deb)
	# A binary package as Debian ships it: its files, as installed.
	dpkg-deb -x "$file" "$dir.tmp" ;;
*.tar.gz|*.tgz) tar -xzf "$file" -C "$dir.tmp" --strip-components=1 ;;
*.tar.bz2) tar -xjf "$file" -C "$dir.tmp" --strip-components=1 ;;
*.tar.xz) tar -xJf "$file" -C "$dir.tmp" --strip-components=1 ;;
*) die "$file: unknown archive type" ;;
esac
mv "$dir.tmp" "$dir"
