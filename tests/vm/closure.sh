#!/bin/sh
# Every glibc program and library in the image finds every library it links
# (DT_NEEDED) in the image itself: the loader's search path, its own
# RUNPATH, or a library the image's glibc provides.  Debian's builds come
# with their closure listed by hand (pkg/recipes); this catches a library
# left out, or a plugin new to a pin that links one the image lacks.
# No boot: it reads the initramfs and the layers the other tests boot.
. "$(dirname "$0")/vmlib"

command -v objdump >/dev/null || { echo "objdump (binutils) not installed"; exit 77; }
r0=$vm/rootfs
mkdir -p "$r0"
initramfs_root "$OUT/initramfs.cpio.zst" "$r0"
[ -x "$r0/sbin/initd" ] || fail "the initramfs's root did not unpack"

# find_lib NAME RUNPATH: the tree $r has NAME where the loader looks.
find_lib() {
	for d in $(echo "$2" | tr ':' ' ') /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib /lib64; do
		[ -e "$r$d/$1" ] && return 0
	done
	return 1
}

# check TREE WHAT: every dynamic ELF file of TREE finds its libraries in
# TREE; adds to n, bad and the list $vm/files.
check() {
	r=$1
	find "$r" -type f \( -perm -u+x -o -name '*.so*' \) >"$vm/tree"
	while read -r f; do
		head -c 4 "$f" 2>/dev/null | grep -q 'ELF' || continue
		objdump -p "$f" >"$vm/dyn" 2>/dev/null || continue
		grep -q ' NEEDED ' "$vm/dyn" || continue	# static, or no libraries
		n=$((n + 1))
		echo "${f#"$r"}" >>"$vm/files"
		runpath=$(awk '$1 == "RUNPATH" || $1 == "RPATH" { print $2 }' "$vm/dyn")
		for lib in $(awk '$1 == "NEEDED" { print $2 }' "$vm/dyn"); do
			find_lib "$lib" "$runpath" && continue
			echo "${f#"$r"}: needs $lib, which $2 does not have"
			bad=$((bad + 1))
		done
	done <"$vm/tree"
}

n=0 bad=0
: >"$vm/files"
check "$r0" "the netbooted root"
# Each of the board's layers (doc/netboot.md, "Layers") with the root
# alone: a layer's program finds its libraries in the root or its own
# layer, never in another layer a node may not have.
for l in "$OUT"/layer-*.cpio; do
	[ -f "$l" ] || continue
	name=${l##*/layer-} && name=${name%.cpio}
	rm -rf "$vm/with" && cp -a "$r0" "$vm/with"
	layer_root "$l" "$vm/with"
	check "$vm/with" "the root with the layer $name"
done
[ "$bad" -eq 0 ] || fail "$bad libraries missing"
[ "$n" -gt 20 ] || fail "only $n dynamic ELF files found: the image's glibc programs are missing"
# The slurm profile's programs are among those checked.
for p in /usr/sbin/slurmd-wlm /usr/sbin/slurmstepd-wlm /usr/sbin/munged /usr/bin/scontrol /usr/bin/containerd; do
	grep -qx "$p" "$vm/files" || fail "$p is not in the image"
done
echo "closure: $n dynamic ELF files (the root, and with each layer), every library they link is in the image"
