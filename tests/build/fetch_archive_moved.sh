#!/bin/sh
# When Debian's archive has moved past the pinned version, the fetch stops
# and names `make lock-update`.
. "$(dirname "$0")/testlib"

scripts/apt-setup.sh >/dev/null 2>&1 || { echo "skipped: Debian's archive is unreachable"; exit 77; }
line=$(awk '$1 == "src" && $0 ~ / debian:linux-source/' sources.lock)
[ -n "$line" ] || fail "sources.lock has no debian:linux-source entry"
pkg=$(echo "$line" | sed 's/.* debian:\([^=]*\)=.*/\1/')
suite=$(echo "$line" | sed 's|.* debian:[^ ]*/\([^ ]*\).*|\1|')
zero=0000000000000000000000000000000000000000000000000000000000000000
printf 'src linux 6.12.1 old.deb %s debian:%s=6.12.1-1~deb12u1/%s\n' "$zero" "$pkg" "$suite" >"$tmp/lock"
mkdir -p "$tmp/dl"
expect_fail "$tmp/out" env DL_DIR="$tmp/dl" scripts/fetch.sh -l "$tmp/lock"
expect_line "$tmp/out" "linux: the pinned version is no longer in Debian's archive"
expect_line "$tmp/out" "run 'make lock-update' and commit"
[ -z "$(ls -A "$tmp/dl")" ] || fail "DL_DIR has leftovers"
