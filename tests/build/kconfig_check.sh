#!/bin/sh
# kconfig-check names every option Kconfig dropped and every clash between
# fragments, and passes a config that has all of them.
. "$(dirname "$0")/testlib"

printf 'CONFIG_A=y\nCONFIG_B=m\nCONFIG_S="x y"\n# CONFIG_C is not set\n' >"$tmp/f1"
printf 'CONFIG_D=y\n' >"$tmp/f2"
printf 'CONFIG_A=y\nCONFIG_B=m\nCONFIG_S="x y"\nCONFIG_D=y\n' >"$tmp/good"
scripts/kconfig-check.sh "$tmp/good" "$tmp/f1" "$tmp/f2" || fail "good config refused"

printf 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\n' >"$tmp/bad"
expect_fail "$tmp/out" scripts/kconfig-check.sh "$tmp/bad" "$tmp/f1" "$tmp/f2"
expect_line "$tmp/out" "CONFIG_B=m (from f1) is not in the final config (it has y)"
expect_line "$tmp/out" "CONFIG_C=n (from f1) is not in the final config (it has y)"
expect_line "$tmp/out" "CONFIG_D=y (from f2) is not in the final config (it has n)"

printf 'CONFIG_A=m\n' >"$tmp/f3"
expect_fail "$tmp/out" scripts/kconfig-check.sh "$tmp/good" "$tmp/f1" "$tmp/f3"
expect_line "$tmp/out" "CONFIG_A is y in f1 but m in f3"
