#!/bin/sh
# scripts/source-bundle.sh: one tarball holding every input sources.lock
# pins, for a machine with no network at all.  There:
#   mkdir -p ~/.cache/cairn/dl && tar -xf cairn-sources.tar -C ~/.cache/cairn/dl
#   make            # or DL_DIR=/media/usb/dl make
#
# usage: source-bundle.sh OUT_TAR
. "$(dirname "$0")/lib.sh"

out=${1:?usage: source-bundle.sh OUT_TAR}
lock=$(dirname "$0")/../sources.lock
files=$(lock_lines src "$lock" | awk '{ print $4 }')
sums=$(mktemp)
trap 'rm -f "$sums" "$out.tmp"' EXIT
lock_lines src "$lock" | awk '{ print $5 "  " $4 }' >"$sums"
# A check's reference file goes in when DL_DIR has it intact.
# (if, not &&: a missing last one must not end the loop, and the script, false.)
files="$files $(lock_lines check "$lock" | while read -r _ _ _ f s _; do
	if [ -f "$DL_DIR/$f" ] && [ "$(sha256_of "$DL_DIR/$f")" = "$s" ]; then echo "$f"; fi; done)"
(cd "$DL_DIR" && sha256sum --quiet -c "$sums") ||
	die "DL_DIR ($DL_DIR) does not hold every pinned file intact: run 'make fetch'"
# Sorted names, fixed owner and times: the same lock gives the same bundle.
# shellcheck disable=SC2086
tar -C "$DL_DIR" --sort=name --owner=0 --group=0 --numeric-owner --mode=a+r,u+w,go-w \
	--mtime="@$(lock_epoch "$lock")" -cf "$out.tmp" $files
mv "$out.tmp" "$out"
say BUNDLE "$out ($(du -h "$out" | cut -f1), $(echo "$files" | wc -l) files)"
