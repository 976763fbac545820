#!/bin/sh
# scripts/oci-image.sh: an OCI image archive (an OCI image layout in one
# tar, as `ctr images import` and `podman load` read it) of one directory
# as its single layer.  Deterministic: the same tree, name and command
# give the same bytes (SOURCE_DATE_EPOCH, sorted members, owner 0).
#
# usage: oci-image.sh NAME:TAG ROOTDIR OUT.tar CMD...
. "$(dirname "$0")/lib.sh"
[ $# -ge 4 ] || die "usage: oci-image.sh NAME:TAG ROOTDIR OUT.tar CMD..."
ref=$1 root=$2 out=$3
shift 3
: "${SOURCE_DATE_EPOCH:?}"
# The layout's own files and directories: the same modes under any umask.
umask 022
case $ref in *:*) ;; *) die "$ref: not NAME:TAG" ;; esac
[ -d "$root" ] || die "$root: not a directory"

w=$(mktemp -d "${TMPDIR:-/tmp}/oci.XXXXXX")
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/blobs/sha256"
tarit() {
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime "$@"
}
# blob FILE: into the layout under its digest; prints "DIGEST SIZE".
blob() {
	d=$(sha256sum "$1" | cut -c1-64)
	mv "$1" "$w/blobs/sha256/$d"
	echo "$d $(stat -c %s "$w/blobs/sha256/$d")"
}
tarit -C "$root" -cf "$w/layer" .
cmd=$(printf '"%s",' "$@")
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
read -r ld ls <<EOF2
$(blob "$w/layer")
EOF2
printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"Env":["PATH=/bin:/sbin:/usr/bin:/usr/sbin"],"Cmd":[%s]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$created" "${cmd%,}" "$ld" >"$w/config"
read -r cd cs <<EOF2
$(blob "$w/config")
EOF2
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
	"$cd" "$cs" "$ld" "$ls" >"$w/manifest"
read -r md ms <<EOF2
$(blob "$w/manifest")
EOF2
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
	"$md" "$ms" "$ref" "${ref##*:}" >"$w/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
mkdir -p "$(dirname "$out")"
tarit -C "$w" -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
