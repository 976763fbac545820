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

# -r: the hardening items.  A fragment edit that drops a line (here
# CONFIG_A=y, gone from hardening.config) leaves a config the fragments
# alone accept; the items list stops it unless a fragment says why.
printf 'CONFIG_A=y\n# CONFIG_C is not set\nCONFIG_E=y\nCONFIG_G=y\nCONFIG_K=y\n' >"$tmp/items"
printf '# CONFIG_C is not set\n# not taken: CONFIG_E, CONFIG_F: a reason\n# absent in 6.12: G (gone)\n' \
	>"$tmp/hardening.config"
printf '# not taken (moot): CONFIG_K: another reason\n' >"$tmp/board.config"
printf 'CONFIG_A=y\nCONFIG_B=m\n' >"$tmp/full"
scripts/kconfig-check.sh -r "$tmp/items" "$tmp/full" "$tmp/hardening.config" "$tmp/board.config" ||
	fail "a config with every item taken or excused refused"
printf 'CONFIG_B=m\n' >"$tmp/lost"
scripts/kconfig-check.sh "$tmp/lost" "$tmp/hardening.config" || fail "without -r the fragments alone refused it"
expect_fail "$tmp/out" scripts/kconfig-check.sh -r "$tmp/items" "$tmp/lost" "$tmp/hardening.config" "$tmp/board.config"
expect_line "$tmp/out" 'CONFIG_A=y (a hardening item of items) is not in the final config (it has n), and no fragment says why: set it, or add "# not taken: CONFIG_A: why" to hardening.config'
# An excuse from the fragments of another board does not count.
expect_fail "$tmp/out" scripts/kconfig-check.sh -r "$tmp/items" "$tmp/full" "$tmp/hardening.config"
expect_line "$tmp/out" 'CONFIG_K=y (a hardening item of items) is not in the final config'
# "absent" holds only while the kernel has no such symbol.
printf 'CONFIG_A=y\n# CONFIG_G is not set\n' >"$tmp/has-g"
expect_fail "$tmp/out" scripts/kconfig-check.sh -r "$tmp/items" "$tmp/has-g" "$tmp/hardening.config" "$tmp/board.config"
expect_line "$tmp/out" 'CONFIG_G: hardening.config says it is absent from this kernel, but the final config has it (n): take it (y) or say why not'
# An item set the other way is lost too.
printf 'CONFIG_A=y\nCONFIG_C=y\n' >"$tmp/has-c"
expect_fail "$tmp/out" scripts/kconfig-check.sh -r "$tmp/items" "$tmp/has-c" "$tmp/board.config"
expect_line "$tmp/out" 'CONFIG_C=n (a hardening item of items) is not in the final config (it has y)'
expect_fail "$tmp/out" scripts/kconfig-check.sh -r "$tmp/nothing" "$tmp/full" "$tmp/hardening.config"
expect_line "$tmp/out" "nothing: cannot be read"
