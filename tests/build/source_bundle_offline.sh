#!/bin/sh
# `make source-bundle` holds every input the lock names: unpacked into an
# empty DL_DIR on a machine with no way out (no curl, no apt-get on PATH),
# the fetch finds everything and checks it.
. "$(dirname "$0")/testlib"

scripts/source-bundle.sh "$tmp/bundle.tar" >/dev/null
mkdir -p "$tmp/dl" "$tmp/bin"
tar -xf "$tmp/bundle.tar" -C "$tmp/dl"
for n in $(awk '$1 == "src" { print $4 }' sources.lock); do
	[ -f "$tmp/dl/$n" ] || fail "bundle lacks $n"
done
# Only what fetch.sh needs to read DL_DIR: no network tools at all.
for t in sh sed awk cut sha256sum mktemp rm mkdir dirname cat; do
	ln -s "$(command -v "$t")" "$tmp/bin/$t"
done
PATH=$tmp/bin DL_DIR=$tmp/dl sh scripts/fetch.sh >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "offline fetch failed"; }
# A check's reference file goes into the bundle only when DL_DIR had it
# (its URL may be out of this machine's reach): for one the bundle lacks,
# fetch tries it, says it cannot have it and goes on; nothing else.
cp "$tmp/out" "$tmp/rest"
for f in $(awk '$1 == "check" { print $4 }' sources.lock); do
	[ -f "$tmp/dl/$f" ] && continue
	grep -vF " $f" "$tmp/rest" >"$tmp/rest2" || true
	mv "$tmp/rest2" "$tmp/rest"
done
[ ! -s "$tmp/rest" ] || { cat "$tmp/out"; fail "offline fetch tried to download"; }
# The bundle is itself reproducible: same lock, same bytes.
scripts/source-bundle.sh "$tmp/again.tar" >/dev/null
cmp -s "$tmp/bundle.tar" "$tmp/again.tar" || fail "two bundles of one lock differ"
