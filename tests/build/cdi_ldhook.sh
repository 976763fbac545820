#!/bin/sh
# cairn-cdi's update-ldcache hook against the images an attacker would
# bring, and against the ones people run:
# - an image whose /sbin/ldconfig is a static program that breaks out of
#   a chroot and writes on the host: it never runs, nothing appears;
# - /etc, /etc/ld.so.conf.d and /etc/ld.so.cache as links to the host,
#   through /proc/1/root and plainly: nothing is written outside the root,
#   the host's file is unchanged;
# - under runc (the kit's), a glibc image with no ldconfig and one with
#   Debian's: the hook's cache names the libraries mounted into it, and a
#   program linked against three of them (the loader's numeric name
#   order: libhook2 before libhook10) runs.
. "$(dirname "$0")/testlib"

cdi=${CAIRN_CDI:?CAIRN_CDI: the host cairn-cdi (make sets it)}
kit=${CAIRN_GPU_KIT:?CAIRN_GPU_KIT: the kit make gpu-kit builds (make sets it)}
[ "$(id -u)" = 0 ] || { echo "skipped: the hook and runc need root"; exit 77; }
unshare -m true 2>/dev/null || { echo "skipped: no mount namespaces here"; exit 77; }
cdi=$(cd "$(dirname "$cdi")" && pwd)/${cdi##*/}
# Beside the kit, not in /tmp: the container's loader runs from its root,
# and /tmp may be mounted noexec.
work=$(mktemp -d "$(dirname "$kit")/ldhook-test.XXXXXX")
trap 'rm -rf "$work" "$tmp"' EXIT

# state ROOT: the OCI state a hook reads, for a bundle whose root is ROOT.
state() {
	b=$(dirname "$1")
	printf '{"root":{"path":"%s"}}\n' "$1" >"$b/config.json"
	printf '{"ociVersion":"1.0.2","id":"t","pid":1,"bundle":"%s"}\n' "$b"
}

# hook ROOT: the hook as runc runs it, in a mount namespace of its own
# and pid namespace of its own, where the root has its /proc: pid 1 there
# is the hook itself, whose root is the host's, as runc init's is.
hook() {
	state "$1" >"$1.state"
	unshare -m -p -f --propagation private sh -c 'mount -t proc proc "$1/proc" && exec "$2" hook update-ldcache --folder /opt/drv <"$1.state"' \
		sh "$1" "$cdi"
}

# ---- the chroot escape -----------------------------------------------------
cat >"$tmp/escape.c" <<'C'
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int i, fd;

	(void)argc;
	close(open("/ran", O_WRONLY | O_CREAT, 0644));
	mkdir("/e", 0755);
	chroot("/e");
	for (i = 0; i < 64; i++)
		chdir("..");
	chroot(".");
	fd = open(ESCAPED, O_WRONLY | O_CREAT, 0644);
	return fd < 0;
}
C
gcc -static -O2 -DESCAPED="\"$tmp/escaped\"" -o "$tmp/escape" "$tmp/escape.c" || fail "building the escape"
r=$work/escape/rootfs
mkdir -p "$r/sbin" "$r/proc" "$r/opt/drv"
cp "$tmp/escape" "$r/sbin/ldconfig"
hook "$r" >"$tmp/escape.out" 2>&1 || { cat "$tmp/escape.out"; fail "the hook failed on an image with its own ldconfig"; }
[ ! -e "$r/ran" ] || fail "the image's ldconfig ran (it left /ran in the container's root)"
[ ! -e "$tmp/escaped" ] || fail "the image's ldconfig broke out of its chroot and wrote $tmp/escaped on the host"
[ -f "$r/etc/ld.so.cache" ] || fail "no cache for an image whose ldconfig was not run"
echo "ok: a hostile ldconfig does not run; the image got a cache all the same"

# ---- links out of the root -------------------------------------------------
# mkroot NAME: a root with Debian's ldconfig (the old hook wrote only
# where one was) and a library under /opt/drv.
mkroot() {
	r=$work/$1/rootfs
	mkdir -p "$r/sbin" "$r/proc" "$r/opt/drv"
	cp "$kit/rootfs/sbin/ldconfig" "$r/sbin/ldconfig"
	cp "$kit/rootfs/lib/x86_64-linux-gnu/libm.so.6" "$r/opt/drv/"
}
mkdir -p "$tmp/host/etc" "$tmp/host/confd"
printf 'ORIGINAL\n' >"$tmp/host/cache"

mkroot etc-proc
ln -s "/proc/1/root$tmp/host/etc" "$r/etc"
mkroot confd-proc
mkdir -p "$r/etc"
ln -s "/proc/1/root$tmp/host/confd" "$r/etc/ld.so.conf.d"
mkroot cache-proc
mkdir -p "$r/etc"
ln -s "/proc/1/root$tmp/host/cache" "$r/etc/ld.so.cache"
mkroot etc-abs
ln -s "$tmp/host/etc" "$r/etc"
mkroot confd-up
mkdir -p "$r/etc"
ln -s "../../../../../../../../../../..$tmp/host/confd" "$r/etc/ld.so.conf.d"
mkroot conf-proc
mkdir -p "$r/etc"
ln -s "/proc/1/root$tmp/host/conf" "$r/etc/ld.so.conf"
for t in etc-proc confd-proc cache-proc etc-abs confd-up conf-proc; do
	r=$work/$t/rootfs
	hook "$r" >"$tmp/$t.out" 2>&1 && rc=0 || rc=$?
	left=$(find "$tmp/host" -mindepth 1 ! -path "$tmp/host/etc" ! -path "$tmp/host/confd" ! -path "$tmp/host/cache")
	[ -z "$left" ] || { cat "$tmp/$t.out"; fail "$t: the hook wrote outside the container's root: $left"; }
	[ "$(cat "$tmp/host/cache")" = ORIGINAL ] || fail "$t: the host's file behind /etc/ld.so.cache was changed"
	echo "ok: $t: nothing outside the root written (hook exit $rc: $(tail -n 1 "$tmp/$t.out"))"
done
# Where /etc leads out, the hook fails and says why.
grep -q 'not followed' "$tmp/etc-proc.out" || { cat "$tmp/etc-proc.out"; fail "etc-proc: no line saying the link is not followed"; }
# A link over the cache is replaced, not followed: the container's cache.
[ -f "$work/cache-proc/rootfs/etc/ld.so.cache" ] && [ ! -L "$work/cache-proc/rootfs/etc/ld.so.cache" ] ||
	fail "cache-proc: /etc/ld.so.cache is not the container's own file"

# ---- under runc: a program linked against the mounted libraries -------------
mkdir -p "$tmp/drv"
for n in 1 2 10; do
	printf 'int hook%s(void) { return %s; }\n' "$n" "$n" >"$tmp/h$n.c"
	gcc -shared -fPIC -O2 -Wl,-soname,libhook$n.so.1 -o "$tmp/drv/libhook$n.so.1" "$tmp/h$n.c" ||
		fail "building libhook$n"
	ln -s "libhook$n.so.1" "$tmp/drv/libhook$n.so"
done
cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
int hook1(void), hook2(void), hook10(void);
int main(void)
{
	if (hook1() + hook2() + hook10() != 13)
		return 1;
	puts("LDHOOK-PROG-RAN");
	return 0;
}
C
gcc -O2 -o "$tmp/prog" "$tmp/prog.c" -L"$tmp/drv" -lhook1 -lhook2 -lhook10 || fail "building the program"
rm "$tmp/drv"/*.so

# bundle NAME: the kit's glibc root with the program, /opt/drv bind-mounted
# from the host, the hook as cairn-cdi's spec names it.
bundle() {
	b=$work/$1
	mkdir -p "$b"
	cp -a "$kit/rootfs" "$b/rootfs"
	install -m 755 "$tmp/prog" "$b/rootfs/usr/bin/prog"
	sed -e 's|@ARGS@|["/usr/bin/prog"]|' -e 's|"@CDI_ENV@"|"LDHOOK=1"|' -e 's|@ANNOTATIONS@||' \
		"$kit/config.json" >"$b/config.tmpl"
	python3 - "$b/config.tmpl" "$b/config.json" "$tmp/drv" "$cdi" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["mounts"].append({"destination": "/opt/drv", "type": "bind", "source": sys.argv[3],
                    "options": ["rbind", "ro", "nosuid", "nodev"]})
c.setdefault("hooks", {})["createContainer"] = [{"path": sys.argv[4],
    "args": ["cairn-cdi", "hook", "update-ldcache", "--folder", "/opt/drv"]}]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
}
nopivot=
run_ctr() {
	"$kit/bin/runc" --root "$work/state" run $nopivot --bundle "$work/$1" "ldhook-$1-$$" \
		>"$work/$1.out" 2>&1 </dev/null && return 0
	rc=$?
	# A host whose root is an initramfs cannot pivot_root.
	if [ -z "$nopivot" ] && grep -q pivot_root "$work/$1.out"; then
		nopivot=--no-pivot
		"$kit/bin/runc" --root "$work/state" delete -f "ldhook-$1-$$" >/dev/null 2>&1
		run_ctr "$1"
		return
	fi
	return $rc
}

bundle noldconfig
rm -f "$work/noldconfig/rootfs/sbin/ldconfig" "$work/noldconfig/rootfs/etc/ld.so.cache"
run_ctr noldconfig || { cat "$work/noldconfig.out"; fail "runc: the image without ldconfig: the program did not run"; }
grep -q LDHOOK-PROG-RAN "$work/noldconfig.out" || { cat "$work/noldconfig.out"; fail "no line from the program"; }
echo "ok: runc: an image without ldconfig runs a program linked against the mounted libraries"

bundle withldconfig
run_ctr withldconfig || { cat "$work/withldconfig.out"; fail "runc: the image with Debian's ldconfig: the program did not run"; }
grep -q LDHOOK-PROG-RAN "$work/withldconfig.out" || { cat "$work/withldconfig.out"; fail "no line from the program"; }
# The image's own libraries are still in its cache, after the mounted ones.
grep -q libm.so.6 "$work/withldconfig/rootfs/etc/ld.so.cache" || fail "the image's own libm left out of its cache"
echo "ok: runc: an image with its own ldconfig (not run) runs the program too"
