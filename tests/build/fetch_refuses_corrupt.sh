#!/bin/sh
# A file in DL_DIR whose sha256 differs from the lock is refused with a
# message naming it, and is left as it was (nothing lost, nothing replaced).
. "$(dirname "$0")/testlib"

mkdir -p "$tmp/dl"
printf 'the real source\n' >"$tmp/src.tar.gz"
sum=$(sha256sum "$tmp/src.tar.gz" | cut -d' ' -f1)
printf 'epoch 1\nsrc demo 1.0 demo-1.0.tar.gz %s file://%s\n' "$sum" "$tmp/src.tar.gz" >"$tmp/lock"

# A good copy is fetched from the listed place.
DL_DIR=$tmp/dl scripts/fetch.sh -l "$tmp/lock" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "fetch of a good file failed"; }
cmp -s "$tmp/dl/demo-1.0.tar.gz" "$tmp/src.tar.gz" || fail "fetched file differs"

# One flipped byte: refused, named, kept.
printf 'the real sourcE\n' >"$tmp/dl/demo-1.0.tar.gz"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/lock"
expect_line "$tmp/out" "$tmp/dl/demo-1.0.tar.gz: sha256"
expect_line "$tmp/out" "delete it to fetch it again"
[ "$(cat "$tmp/dl/demo-1.0.tar.gz")" = "the real sourcE" ] || fail "corrupt file was replaced silently"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || { cat "$tmp/out"; fail "expected one line"; }

# The real lock's entries are checked the same way: corrupt a copy of the
# smallest pinned file in a private DL_DIR.
name=$(awk '$1 == "src" { print $2; exit }' sources.lock)
file=$(awk '$1 == "src" { print $4; exit }' sources.lock)
mkdir -p "$tmp/dl2"
printf 'not %s\n' "$file" >"$tmp/dl2/$file"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl2" scripts/fetch.sh "$name"
expect_line "$tmp/out" "$tmp/dl2/$file: sha256"
expect_line "$tmp/out" "for $name"
