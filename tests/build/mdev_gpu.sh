#!/bin/sh
# The image's BusyBox mdev with the image's mdev.conf, over a fake sysfs of
# a GPU node (in a chroot): DRM card and render nodes land under /dev/dri
# with the video and render groups, /dev/kfd with render, all 0660, and
# the ordinary rules still apply (null stays 0666).
. "$(dirname "$0")/testlib"

: "${BUSYBOX:?BUSYBOX: the image's static BusyBox}"
[ "$(id -u)" = 0 ] || { echo "needs root (chroot, mknod)"; exit 77; }
r=$tmp/root
mkdir -p "$r/bin" "$r/etc" "$r/dev" "$r/proc"
cp "$BUSYBOX" "$r/bin/busybox"
cp rootfs/etc/mdev.conf rootfs/etc/group rootfs/etc/passwd "$r/etc/"

# sysfs as mdev -s reads it: /sys/dev/char/MAJOR:MINOR links to the
# device's directory, which holds dev, uevent and a subsystem link.
mkdir -p "$r/sys/dev/char"
dev() {	# dev SUBSYSTEM NAME MAJOR:MINOR DEVNAME
	d=$r/sys/devices/pci0000:00/0000:00:02.0/$1/$2
	mkdir -p "$d" "$r/sys/class/$1"
	ln -s "../../../../class/$1" "$d/subsystem"
	echo "$3" >"$d/dev"
	printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\n' "${3%:*}" "${3#*:}" "$4" >"$d/uevent"
	ln -s "../../devices/pci0000:00/0000:00:02.0/$1/$2" "$r/sys/dev/char/$3"
}
dev drm card0 226:0 dri/card0
dev drm card1 226:1 dri/card1
dev drm renderD128 226:128 dri/renderD128
dev kfd kfd 235:0 kfd
dev mem null 1:3 null

chroot "$r" /bin/busybox mdev -s 2>"$tmp/mdev.err" || { cat "$tmp/mdev.err" >&2; fail "mdev -s failed"; }

check() {	# check PATH MAJOR:MINOR MODE GID
	st=$(stat -c '%F %t:%T %a %g' "$r/dev/$1" 2>/dev/null) || { ls -lR "$r/dev" >&2; fail "/dev/$1 was not made"; }
	want="character special file $(printf '%x:%x' "${2%:*}" "${2#*:}") $3 $4"
	[ "$st" = "$want" ] || fail "/dev/$1: $st, want $want"
}
check dri/card0 226:0 660 44
check dri/card1 226:1 660 44
check dri/renderD128 226:128 660 109
check kfd 235:0 660 109
check null 1:3 666 0
[ ! -e "$r/dev/card0" ] || fail "/dev/card0 made beside /dev/dri/card0"
[ ! -e "$r/dev/renderD128" ] || fail "/dev/renderD128 made beside /dev/dri/renderD128"
grep -q '^video:x:44:' rootfs/etc/group && grep -q '^render:x:109:' rootfs/etc/group ||
	fail "rootfs/etc/group lacks video (44) or render (109)"
echo "ok: /dev/dri/card*, /dev/dri/renderD*, /dev/kfd with their groups"
