#!/bin/sh
# scripts/gpu-kit.sh: the GPU host kit tests/gpu/run.sh runs with.
#
# usage: gpu-kit.sh KIT CAIRN-CDI CAIRN-RUNTIME CAIRN-AGENT
#
#   KIT/bin/        cairn-cdi, cairn-runtime, cairn-agent (static musl), runc (Debian 12's;
#                   it needs only the glibc every Linux host has)
#   KIT/rootfs/     a container root: ld-linux, libc, libm, libdl, libpthread,
#                   librt and the static /sbin/ldconfig of Debian 12's glibc
#   KIT/config.json the bundle template (tests/gpu/config.json)
#   KIT/SOURCES     where each file came from
#
# The .deb files are the ones sources.lock pins, checked again here.
. "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || die "usage: gpu-kit.sh KIT CAIRN-CDI CAIRN-RUNTIME CAIRN-AGENT"
kit=$1 cdi=$2 runtime=$3 agent=$4
top=$(cd "$(dirname "$0")/.." && pwd)
lock=$top/sources.lock

# deb NAME: the checked path of the lock's file for NAME.
deb() {
	set -- $(lock_lines src "$lock" | awk -v n="$1" '$2 == n { print $4, $5; exit }')
	[ $# -eq 2 ] || die "$lock: no source named $1"
	[ -f "$DL_DIR/$1" ] || die "$DL_DIR/$1: missing; run 'make fetch'"
	[ "$(sha256_of "$DL_DIR/$1")" = "$2" ] || die "$DL_DIR/$1: sha256 differs from $lock; delete it and run 'make fetch'"
	echo "$DL_DIR/$1"
}

say KIT "$kit"
work=$kit.tmp
rm -rf "$work" && mkdir -p "$work/bin" "$work/x" "$work/rootfs"
trap 'rm -rf "$work"' EXIT

runc_deb=$(deb runc-bookworm)
libc_deb=$(deb libc6-bookworm)
bin_deb=$(deb libc-bin-bookworm)
for d in "$runc_deb" "$libc_deb" "$bin_deb"; do
	dpkg-deb -x "$d" "$work/x"
done

install -m 755 "$cdi" "$work/bin/cairn-cdi"
install -m 755 "$runtime" "$work/bin/cairn-runtime"
install -m 755 "$agent" "$work/bin/cairn-agent"
install -m 755 "$work/x/usr/sbin/runc" "$work/bin/runc"

# The container root: the dynamic loader and the five libraries of the
# driver's tools, and ldconfig (static in Debian), as images that carry
# libc-bin have it: the CDI ld hook never runs it (doc/cairn-cdi.md).
r=$work/rootfs
mkdir -p "$r/lib64" "$r/lib/x86_64-linux-gnu" "$r/sbin" "$r/etc/ld.so.conf.d" \
	"$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/usr/bin" "$r/root" "$r/var/cache/ldconfig"
ml=$work/x/lib/x86_64-linux-gnu
[ -d "$ml" ] || ml=$work/x/usr/lib/x86_64-linux-gnu
for f in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1; do
	[ -e "$ml/$f" ] || die "$libc_deb: no $f"
	cp -L "$ml/$f" "$r/lib/x86_64-linux-gnu/$f"
done
# A copy, not a link: the kit travels as plain files.
cp "$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$r/lib64/ld-linux-x86-64.so.2"
ldc=$work/x/sbin/ldconfig
[ -f "$ldc" ] || ldc=$work/x/usr/sbin/ldconfig
install -m 755 "$ldc" "$r/sbin/ldconfig"
printf 'include /etc/ld.so.conf.d/*.conf\n' >"$r/etc/ld.so.conf"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$r/etc/ld.so.conf.d/x86_64-linux-gnu.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
# The cache of the root's own libraries, as the container's ldconfig makes it.
"$r/sbin/ldconfig" -r "$r" 2>/dev/null || true

install -m 644 "$top/tests/gpu/config.json" "$work/config.json"
{
	echo "bin/cairn-cdi bin/cairn-runtime bin/cairn-agent: Cairn $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown), static musl"
	echo "bin/runc: ${runc_deb##*/} (Debian 12)"
	echo "rootfs/lib: ${libc_deb##*/} (Debian 12)"
	echo "rootfs/sbin/ldconfig: ${bin_deb##*/} (Debian 12)"
} >"$work/SOURCES"
rm -rf "$work/x"
rm -rf "$kit"
mv "$work" "$kit"
trap - EXIT
say KIT "$(du -sh "$kit" | cut -f1) in $kit"
