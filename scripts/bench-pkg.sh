#!/bin/sh
# scripts/bench-pkg.sh: pkg install against dpkg -i, in the same run, on
# the same file system: the wall time and peak resident memory to install
# NPKGS packages (one transaction) into a fresh empty root, and the time
# to verify the installed files afterwards.  Medians of BENCH_RUNS runs.
# Beside them, the floor: tar -x of the same files as one plain tar, then
# one sync, on the same disk.
#
# usage: bench-pkg.sh PKG_BINARY [NPKGS] [NFILES_PER_PKG]
#        (defaults 300 x 100; env BENCH_RUNS, default 3; TMPDIR)
#
# Why the comparison is fair:
#   - the same files: one generated payload (sizes 0..16 KiB, half hex
#     text that compresses about 2:1, half random bytes that do not, five
#     directories and two symbolic links per package, every package
#     sharing /usr and /usr/share) is packed both ways;
#   - the same compression: .pkg payloads are zstd at pkg build's level
#     19, and the .debs are built with dpkg-deb -Zzstd -z19 (xz -z9 only
#     where this dpkg-deb lacks zstd, and the script says so);
#   - the same durability: dpkg keeps its fsyncs (no --force-unsafe-io),
#     as pkg keeps its syncfs barriers; a sync before every timed command
#     leaves neither to flush the generator's or the other's dirty pages;
#   - the same check afterwards: dpkg --verify (md5sums, which the .debs
#     carry as real Debian packages do) against pkg verify (sha256);
#   - the same disk: payload, repositories and roots share one temporary
#     directory, and every step starts from an empty root on a file system
#     of its own (as root; see fresh below).
# The content is pseudo-random from a fixed seed: the same bytes on every
# host and every run.  Peak RSS is the largest single process of each
# command's tree (wait4's ru_maxrss), so dpkg's dpkg-deb children count
# only where they are larger than dpkg itself.
. "$(dirname "$0")/lib.sh"

usage='usage: bench-pkg.sh PKG_BINARY [NPKGS] [NFILES_PER_PKG]  (env PKG_BUILD: the pkg that makes and signs)'
pkg=${1:?$usage}
# The image's pkg only installs and verifies: the repository is made with
# the build host's (PKG_BUILD; default PKG_BINARY itself).
pkgb=${PKG_BUILD:-$pkg}
npkgs=${2:-300}
nfiles=${3:-100}
runs=${BENCH_RUNS:-3}
case $npkgs$nfiles$runs in *[!0-9]*) die "$usage (counts are numbers)" ;; esac
{ [ -f "$pkg" ] && [ -x "$pkg" ]; } || die "$pkg: not an executable (make image builds out/build/obj/pkg/pkg)"
for t in dpkg dpkg-deb python3; do
	command -v "$t" >/dev/null || die "$t not found (scripts/hostdeps.sh)"
done
umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# A copy: a rebuild during the run cannot change the binary under test.
cp "$pkg" "$tmp/pkg"
pkg=$tmp/pkg
[ -x "$pkgb" ] || die "$pkgb: not an executable (PKG_BUILD)"
# The host pkg (out/build/host/pkg) is the tests' ASan+UBSan build: its
# time and memory are the sanitizers' as much as pkg's.
asan=no
if grep -q -a __asan_init "$pkg"; then
	asan=yes
	say NOTE "$1 is an ASan build; the image's pkg is out/build/obj/pkg/pkg"
fi

# must WHAT CMD...: an untimed step; its output is shown only on failure,
# with the exact command.
must() {
	what=$1
	shift
	"$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "$what failed: $*"; }
}

# timed NAME CMD...: run CMD once, after a sync, and append its wall time
# (s) to $tmp/NAME.s and its peak RSS (kB) to $tmp/NAME.kb.
timed() {
	name=$1
	shift
	sync
	rc=0
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/log" 2>&1 || rc=$?
	else
		python3 -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$tmp/rss" "$@" >"$tmp/log" 2>&1 || rc=$?
	fi
	t1=$(now)
	[ "$rc" = 0 ] || { tail -n 40 "$tmp/log" >&2; die "$name failed (exit $rc): $*"; }
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$tmp/$name.s"
	tail -n 1 "$tmp/rss" >>"$tmp/$name.kb"
}

# The payload, the pkg specs and the Debian control files.
say GEN "$npkgs packages x $nfiles files"
python3 - "$tmp" "$npkgs" "$nfiles" "$(dpkg --print-architecture)" <<'PY'
import hashlib, os, random, sys

top, npkgs, nfiles, debarch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(20240501)
subdirs = ["", "d0", "d1", "d2/sub", "d3"]
os.makedirs(os.path.join(top, "spec"))
total = 0
for i in range(npkgs):
    name = "bench-%03d" % i
    tree = os.path.join(top, "tree", name)
    base = os.path.join("usr", "share", name)
    for s in subdirs:
        os.makedirs(os.path.join(tree, base, s), exist_ok=True)
    sums, kib = [], 0
    for j in range(nfiles):
        size = rng.randrange(16385)
        if j % 2:
            data = rng.randbytes(size)
        else:
            data = rng.randbytes((size + 1) // 2).hex()[:size].encode()
        rel = os.path.join(base, subdirs[j % len(subdirs)], "f%04d" % j)
        with open(os.path.join(tree, rel), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(tree, rel), 0o755 if j % 10 == 9 else 0o644)
        sums.append("%s  %s\n" % (hashlib.md5(data).hexdigest(), rel))
        total += size
        kib += (size + 1023) // 1024
    os.symlink("d0", os.path.join(tree, base, "current"))
    os.symlink("../f0000", os.path.join(tree, base, "d1", "first"))
    with open(os.path.join(top, "spec", name), "w") as f:
        f.write("name %s\nversion 1.0\narch x86_64\nlicense MIT\nsource-sha256 %s\n"
                % (name, hashlib.sha256(name.encode()).hexdigest()))
    ctl = os.path.join(top, "control", name)
    os.makedirs(ctl)
    with open(os.path.join(ctl, "control"), "w") as f:
        f.write("Package: %s\nVersion: 1.0\nArchitecture: %s\n"
                "Maintainer: Cairn benchmark <bench@invalid>\nInstalled-Size: %d\n"
                "Description: generated benchmark payload\n" % (name, debarch, kib))
    with open(os.path.join(ctl, "md5sums"), "w") as f:
        f.writelines(sums)
with open(os.path.join(top, "bytes"), "w") as f:
    f.write("%d\n" % total)
PY
names=$(cd "$tmp/tree" && ls)
bytes=$(cat "$tmp/bytes")

# Debian packages.  The staging trees hard-link the payload: no two paths
# inside one package share an inode, so the .debs hold plain files.
# SOURCE_DATE_EPOCH clamps their times, so they too are the same each run.
export SOURCE_DATE_EPOCH=1
comp=zstd level=19
mkdir -p "$tmp/probe/DEBIAN"
cp "$tmp/control/bench-000/control" "$tmp/probe/DEBIAN/control"
if ! dpkg-deb --root-owner-group -Zzstd -b "$tmp/probe" "$tmp/probe.deb" >/dev/null 2>&1; then
	comp=xz level=9
	say NOTE "this dpkg-deb cannot write zstd: the .debs use xz"
fi
say DEB "$npkgs x dpkg-deb -Z$comp -z$level"
mkdir -p "$tmp/deb" "$tmp/debs"
arch=$(dpkg --print-architecture)
for n in $names; do
	cp -al "$tmp/tree/$n" "$tmp/deb/$n"
	mkdir "$tmp/deb/$n/DEBIAN"
	cp "$tmp/control/$n/control" "$tmp/control/$n/md5sums" "$tmp/deb/$n/DEBIAN/"
	must dpkg-deb dpkg-deb --root-owner-group "-Z$comp" "-z$level" -b "$tmp/deb/$n" "$tmp/debs/${n}_1.0_$arch.deb"
done
rm -rf "$tmp/deb" "$tmp/probe" "$tmp/probe.deb"

# Cairn packages, their index, a key, a root of trust and a signed release.
say PKG "$npkgs x pkg build"
repo=$tmp/repo keys=$tmp/keys
mkdir -p "$repo" "$keys"
for n in $names; do
	must "pkg build" "$pkgb" build -o "$repo/$n-1.0.x86_64.pkg" "$tmp/spec/$n" "$tmp/tree/$n"
done
expires=$(( $(date +%s) + 86400 ))
must "pkg index" "$pkgb" index "$repo"
must "pkg key new" "$pkgb" key new "$keys" bench
must "pkg root" "$pkgb" root --version 1 --expires "$expires" --threshold 1 -o "$keys/root" "$keys/bench.pub"
must "pkg sign (root)" "$pkgb" sign --key "$keys/bench.key" "$keys/root"
must "pkg release" "$pkgb" release --version 1 --expires "$expires" "$repo"
must "pkg sign (release)" "$pkgb" sign --key "$keys/bench.key" "$repo/release"

# The floor: the same files as one plain tar, unpacked by tar and then
# synced: what the disk allows for this content, with no decompression,
# no check and no crash safety.
say TAR "the floor: one tar of the same files"
set --
for n in $names; do set -- "$@" -C "$tmp/tree/$n" usr; done
must "tar -c" tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$tmp/floor.tar" "$@"
set --

# The roots.  As root, each timed step gets a file system of its own, made
# for it: ext4 in a file on the same disk, on a loop device that reads and
# writes the file directly (no second page cache; a flush reaches the
# disk as the file system's own would).  Every tool then
# starts from the same state; in a directory beside roots just removed,
# ext4 skips recently freed inodes one by one (find_inode_bit, then
# recently_deleted), and that, not the tool, decides the figure.  As a
# user, a new directory, and the figures say so.
loopfs=
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
	loopfs=$(( bytes * 3 + (512 << 20) ))
	mkdir "$tmp/mnt"
	loopdev=
	trap 'mountpoint -q "$tmp/mnt" && umount "$tmp/mnt"; [ -z "$loopdev" ] || losetup -d "$loopdev"; rm -rf "$tmp"' EXIT
else
	say NOTE "not root: the roots are directories in $tmp, not file systems of their own (noisier)"
fi
# fresh: an empty root in $root.  done_with LIST: its files listed in LIST
# (entries, types and modes under /usr), then it goes.
fresh() {
	if [ -n "$loopfs" ]; then
		rm -f "$tmp/fs.img"
		truncate -s "$loopfs" "$tmp/fs.img"
		must mkfs.ext4 mkfs.ext4 -q -F "$tmp/fs.img"
		loopdev=$(losetup --direct-io=on --find --show "$tmp/fs.img") || die "losetup $tmp/fs.img failed"
		must mount mount "$loopdev" "$tmp/mnt"
		root=$tmp/mnt/root
	else
		root=$tmp/root.$$.$i.$1
	fi
	mkdir "$root"
}
done_with() {
	(cd "$root" && find usr -printf '%y %m %p\n' | LC_ALL=C sort) >"$tmp/$1"
	if [ -n "$loopfs" ]; then
		umount "$tmp/mnt"
		losetup -d "$loopdev"
		loopdev=
		rm -f "$tmp/fs.img"
	fi
}

# The runs: a fresh empty root for each tool in each run.
notroot=
[ "$(id -u)" = 0 ] || notroot=--force-not-root
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	say RUN "$i of $runs"
	fresh floor
	timed floor sh -c 'tar -xf "$1" -C "$2" && sync' floor "$tmp/floor.tar" "$root"
	done_with files3

	fresh pkg
	# shellcheck disable=SC2086
	timed pkg-install "$pkg" --root "$root" --repo "$repo" --trust "$keys/root" install $names
	timed pkg-verify "$pkg" --root "$root" verify
	done_with files1

	fresh dpkg
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
		"$root/var/lib/dpkg/triggers" "$root/var/log"
	: >"$root/var/lib/dpkg/status"
	: >"$root/var/lib/dpkg/available"
	dpkg="dpkg --root=$root --log=$root/var/log/dpkg.log --force-script-chrootless $notroot"
	# shellcheck disable=SC2086
	timed dpkg-install $dpkg -i "$tmp"/debs/*.deb
	# shellcheck disable=SC2086
	timed dpkg-verify $dpkg --verify
	# dpkg --verify reports problems on stdout but exits 0.
	[ ! -s "$tmp/log" ] || { head -n 20 "$tmp/log" >&2; die "dpkg --verify found changed files"; }
	done_with files2
done

# The roots must hold the same entries, types and modes under /usr (the
# contents are what the verify steps checked).
cmp -s "$tmp/files1" "$tmp/files2" ||
	{ diff "$tmp/files1" "$tmp/files2" | head -n 20 >&2; die "pkg's root and dpkg's differ under /usr"; }
cmp -s "$tmp/files1" "$tmp/files3" ||
	{ diff "$tmp/files1" "$tmp/files3" | head -n 20 >&2; die "pkg's root and tar's differ under /usr"; }

pi=$(median <"$tmp/pkg-install.s") di=$(median <"$tmp/dpkg-install.s") fl=$(median <"$tmp/floor.s")
fs=$(df -PT "$tmp" | awk 'NR == 2 { print $2 }')
where="a new ext4, in a file on the $fs at $tmp, on a direct-I/O loop device"
[ -n "$loopfs" ] || where="new directories in the $fs at $tmp"
echo "package install, median of $runs runs ($(nproc) host cores; each step's root on $where):"
printf '  %-26s %s\n' "packages" "$npkgs"
printf '  %-26s %s\n' "files" "$(grep -c '^f ' "$tmp/files1")"
printf '  %-26s %s\n' "total bytes" "$bytes"
printf '  %-26s %s\n' "repository: .pkg (zstd 19)" "$(cat "$repo"/*.pkg | wc -c) bytes"
printf '  %-26s %s\n' "repository: .deb ($comp $level)" "$(cat "$tmp"/debs/*.deb | wc -c) bytes"
printf '  %-26s %8s s, peak %8s kB\n' "floor: tar -x, then sync" "$fl" "$(median <"$tmp/floor.kb")"
printf '  %-26s %8s s, peak %8s kB\n' "pkg install" "$pi" "$(median <"$tmp/pkg-install.kb")"
printf '  %-26s %8s s, peak %8s kB\n' "dpkg -i" "$di" "$(median <"$tmp/dpkg-install.kb")"
printf '  %-26s %8s s, peak %8s kB\n' "pkg verify" "$(median <"$tmp/pkg-verify.s")" "$(median <"$tmp/pkg-verify.kb")"
printf '  %-26s %8s s, peak %8s kB\n' "dpkg --verify" "$(median <"$tmp/dpkg-verify.s")" "$(median <"$tmp/dpkg-verify.kb")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '  %-26s %8s\n' "ratio pkg/floor (install)" "$(ratio "$pi" "$fl")"
printf '  %-26s %8s\n' "ratio dpkg/pkg (install)" "$(ratio "$di" "$pi")"
[ "$asan" = no ] || echo "  (pkg is an ASan+UBSan build here: its time and memory include the sanitizers')"
