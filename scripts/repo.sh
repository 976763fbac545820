#!/bin/sh
# scripts/repo.sh: sign the board's repository: its index, and a release
# naming the index, signed with the build's repository key.
#
# usage: repo.sh REPO
# env:   PKG, KEYS_DIR, SOURCE_DATE_EPOCH; RELEASE_VERSION (default the epoch)
#
# The key (KEYS_DIR/repo.key) and the root document listing it
# (KEYS_DIR/root) are made on first use, outside the checkout; a site brings
# its own (threshold keys, a hardware token) by pointing KEYS_DIR at them.
# The release's version is the lock's epoch and it expires ten years after
# it: both follow from the inputs, so the same inputs sign the same bytes
# (Ed25519 signatures are deterministic).
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: repo.sh REPO"
repo=$1
: "${PKG:?}" "${KEYS_DIR:?}" "${SOURCE_DATE_EPOCH:?}"
expires=$((SOURCE_DATE_EPOCH + 3650 * 86400))

if [ ! -s "$KEYS_DIR/repo.key" ]; then
	say KEYGEN "$KEYS_DIR/repo.key"
	rm -f "$KEYS_DIR/repo.pub"
	"$PKG" key new "$KEYS_DIR" repo 2>/dev/null || die "pkg key new failed"
fi
if [ ! -s "$KEYS_DIR/root" ]; then
	"$PKG" root --version 1 --expires $expires --threshold 1 -o "$KEYS_DIR/root.tmp" "$KEYS_DIR/repo.pub" &&
		"$PKG" sign --key "$KEYS_DIR/repo.key" "$KEYS_DIR/root.tmp" 2>/dev/null &&
		mv "$KEYS_DIR/root.tmp" "$KEYS_DIR/root" || die "cannot make $KEYS_DIR/root"
fi
"$PKG" index "$repo" 2>/dev/null || "$PKG" index "$repo"
"$PKG" release --version "${RELEASE_VERSION:-$SOURCE_DATE_EPOCH}" --expires $expires "$repo"
"$PKG" sign --key "$KEYS_DIR/repo.key" "$repo/release" 2>/dev/null || die "cannot sign $repo/release"
say SIGN "$repo/release ($(grep -c '^package ' "$repo/index") packages)"
