#!/bin/sh
# A download whose sha256 differs is refused and never enters DL_DIR; an
# entry no source can give stops the fetch with one line saying what to do.
. "$(dirname "$0")/testlib"

mkdir -p "$tmp/dl"
printf 'tampered\n' >"$tmp/evil.tar.gz"
good=0000000000000000000000000000000000000000000000000000000000000000
printf 'src demo 1.0 demo-1.0.tar.gz %s file://%s\n' "$good" "$tmp/evil.tar.gz" >"$tmp/lock"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/lock"
expect_line "$tmp/out" "demo-1.0.tar.gz from file://$tmp/evil.tar.gz refused: sha256"
expect_line "$tmp/out" "demo: demo-1.0.tar.gz cannot be had"
[ ! -e "$tmp/dl/demo-1.0.tar.gz" ] || fail "a refused download entered DL_DIR"
[ -z "$(ls -A "$tmp/dl")" ] || { ls -la "$tmp/dl"; fail "DL_DIR has leftovers"; }

printf 'src gone 1.0 gone-1.0.tar.gz %s file://%s/nonexistent\n' "$good" "$tmp" >"$tmp/lock"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/lock"
expect_line "$tmp/out" "gone: gone-1.0.tar.gz cannot be had from DL_DIR ($tmp/dl) or any source"

printf 'src odd 1.0 odd.tar.gz %s ftp://example.invalid/x\n' "$good" >"$tmp/lock"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/lock"
expect_line "$tmp/out" "odd: unknown source kind 'ftp://example.invalid/x'"

expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/nolock"
expect_line "$tmp/out" "$tmp/nolock: no such lock file"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh nosuchname
expect_line "$tmp/out" "no entry named in: nosuchname"
