#!/bin/sh
# An unknown BOARD stops make at once with one line naming the boards.
. "$(dirname "$0")/testlib"

expect_fail "$tmp/out" make --no-print-directory BOARD=no-such-board O="$tmp/o" image
expect_line "$tmp/out" "unknown BOARD 'no-such-board': boards are"
expect_line "$tmp/out" "qemu-x86_64"
[ ! -e "$tmp/o" ] || fail "a failed make left $tmp/o behind"
