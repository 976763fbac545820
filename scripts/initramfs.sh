#!/bin/sh
# scripts/initramfs.sh: lay out the root file system and pack it as the
# initramfs: newc cpio, members sorted, owners 0:0, every time the lock's
# epoch, zstd.  The same inputs give the same bytes on any machine.
#
# usage: initramfs.sh OUT STAGE ROOTFS BUSYBOX_DEST PROGDIR GEN_INIT_CPIO [MODULES]
# PROGDIR holds Cairn's programs: initd, initctl, logd.
# BOARD_MODULES (environment): the modules listed in /etc/modules.
. "$(dirname "$0")/lib.sh"

[ $# -ge 6 ] || die "usage: initramfs.sh OUT STAGE ROOTFS BUSYBOX_DEST PROGDIR GEN_INIT_CPIO [MODULES]"
out=$1 stage=$2 rootfs=$3 bbdest=$4 progs=$5 gen=$6 modules=${7:-}
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH not set}"

rm -rf "$stage"
mkdir -p "$stage"
for d in dev proc sys run tmp root var mnt etc bin sbin usr/bin usr/sbin lib; do
	mkdir -p "$stage/$d"
done
cp -a "$bbdest/." "$stage/"
cp -a "$rootfs/." "$stage/"
install -m 0755 "$progs/initd" "$progs/initctl" "$stage/sbin/"
mkdir -p "$stage/lib/initd"
install -m 0755 "$progs/logd" "$stage/lib/initd/logd"
ln -sf sbin/initd "$stage/init"
[ -z "$modules" ] || [ ! -d "$modules/lib/modules" ] || cp -a "$modules/lib/modules" "$stage/lib/"
# The board's module list (BOARD_MODULES in board.mk), loaded by initd.
if [ -n "${BOARD_MODULES:-}" ]; then
	{
		echo "# Modules initd loads at boot (the board's BOARD_MODULES)."
		for m in $BOARD_MODULES; do echo "$m"; done
	} >"$stage/etc/modules"
fi

# Modes come from the tree, not the umask of whoever checked it out: 0755
# for directories and executables, 0644 for other files, and these.
mode_of() {
	case $1 in
	./root) echo 0700 ;;
	./tmp) echo 1777 ;;
	./etc/shadow) echo 0600 ;;
	*) [ -d "$stage/$1" ] && echo 0755 && return
	   [ -x "$stage/$1" ] && echo 0755 || echo 0644 ;;
	esac
}

# The list names build paths, so it stays beside the stage, not in OUT.
# No pipeline into the loop: a die inside it must stop this script.
list=$stage.list
(cd "$stage" && LC_ALL=C find . -mindepth 1) | LC_ALL=C sort >"$stage.paths"
{
	while IFS= read -r p; do
		case $p in *[[:space:]]*) die "rootfs path with a space: $p" ;; esac
		name=${p#.}
		if [ -L "$stage/$p" ]; then
			echo "slink $name $(readlink "$stage/$p") 0777 0 0"
		elif [ -d "$stage/$p" ]; then
			echo "dir $name $(mode_of "$p") 0 0"
		elif [ -f "$stage/$p" ]; then
			echo "file $name $stage/$p $(mode_of "$p") 0 0"
		else
			die "$stage/$p: not a file, directory or link"
		fi
	done <"$stage.paths"
	# The kernel opens /dev/console for init before devtmpfs exists.
	echo "nod /dev/console 0600 0 0 c 5 1"
} >"$list.tmp"
mv "$list.tmp" "$list"
"$gen" -t "$SOURCE_DATE_EPOCH" "$list" >"$out.cpio.tmp"
zstd -q -19 -T1 --no-progress -f "$out.cpio.tmp" -o "$out.tmp"
rm -f "$out.cpio.tmp"
mv "$out.tmp" "$out"
