#!/bin/sh
# The booted image was installed by pkg: `pkg list` in the guest names
# every package of the board's set, `pkg verify` finds every file as its
# package says, and the root trusts the build's repository key.
. "$(dirname "$0")/vmlib"

vm_start ""
vm_run 'pkg list | sed "s/^/pkg-list: /"; pkg verify; echo "pkg-verify: rc=$?"'
vm_run 'pkg key list | sed "s/^/pkg-keys: /"; pkg sbom | grep -c SPDXRef-Package- | sed "s/^/pkg-sbom: /"'
vm_run 'poweroff'
vm_end
for p in base-files busybox initd pkg linux musl openssl zstd board-; do
	expect "pkg-list: $p"
done
expect 'pkg-verify: rc=0'
expect 'pkg: verify: [0-9]+ packages, [0-9]+ entries, 0 differ'
expect 'pkg-keys: root version 1, expires [0-9]+, threshold 1 of 1'
expect 'pkg-keys: ed25519 [0-9a-f]{64}'
echo "pkg in the image: $(grep -c '^pkg-list: ' "$vm/log") packages listed, verify clean"
