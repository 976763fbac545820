# scripts/lib.sh: shell helpers every build step sources.
# Steps print one short progress line per action (Kbuild style) and stop at
# the first error with one line saying what failed and how to fix it.

set -eu
# What a step makes (a root tree and the directories pkg creates in it,
# images, the netboot set) has the modes it asks for, never the
# builder's umask: under umask 077 the image's / and /lib came out 0700
# (make repro-check, issue 25).  keys.sh narrows its own.
umask 022

prog=${0##*/}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

# say TAG WHAT: a progress line such as "  FETCH   musl-1.2.5.tar.gz".
say() {
	printf '  %-7s %s\n' "$1" "$2"
}

: "${CAIRN_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cairn}"
: "${DL_DIR:=$CAIRN_CACHE/dl}"

# cpio_pad FILE: NULs up to a 4-byte boundary, where the kernel looks for
# the next archive of an initramfs.
cpio_pad() {
	head -c $(( (4 - $(stat -c %s "$1") % 4) % 4 )) /dev/zero >>"$1"
}

# root_verity DIR KEY: KEY's value (blocks, roothash, salt) from
# rootimg.sh's DIR/root.verity.
root_verity() {
	awk -v k="$2" '$1 == k { print $2 }' "$1/root.verity"
}

# initrd_overlay IMAGE DIR OUT: IMAGE (a compressed initramfs) with DIR's
# files appended as a second cpio archive, which the kernel unpacks over
# the first; it finds that archive only at a 4-byte boundary: NULs pad.
initrd_overlay() {
	cp "$1" "$3"
	cpio_pad "$3"
	# Under /cairn/extra, which initd lays over the verified root (initd(8),
	# cairn.root).  The top layer's directories give their modes to the
	# root's: /cairn/extra itself is "/", 0755 whatever DIR's mode.
	_ov=$(mktemp -d)
	mkdir -p "$_ov/cairn"
	cp -a "$2" "$_ov/cairn/extra"
	chmod 0755 "$_ov/cairn" "$_ov/cairn/extra"
	(cd "$_ov" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >>"$3" ||
		{ rm -rf "$_ov"; die "$3: the overlay archive was not written"; }
	rm -rf "$_ov"
}

# initramfs_root_at IMAGE: the offset of the cpio member /cairn/root.img's
# name in IMAGE, where a newc header (magic 070701, 110 bytes) precedes
# it; nothing when there is none.  The name alone may appear elsewhere
# (initd itself says it, compressed or not).
initramfs_root_at() {
	grep -obUa 'cairn/root\.img' "$1" | cut -d: -f1 | while read -r _o; do
		[ "$_o" -ge 110 ] && [ "$(tail -c +$((_o - 110 + 1)) "$1" | head -c 6)" = 070701 ] &&
			{ echo "$_o"; break; }
	done
}

# initramfs_root IMAGE DIR: the root the initramfs IMAGE carries
# (/cairn/root.img, initramfs.sh), its files unpacked into DIR.  The image
# is the plain cpio archive after the zstd one: found by its member's name.
initramfs_root() {
	_at=$(initramfs_root_at "$1")
	[ -n "$_at" ] || die "$1: carries no cairn/root.img"
	# newc: a 110-byte header, then the name.
	tail -c +$((_at - 110 + 1)) "$1" | (cd "$2" && cpio -id --quiet cairn/root.img) ||
		die "$1: cairn/root.img does not unpack"
	unsquashfs -n -f -d "$2" "$2/cairn/root.img" >/dev/null || die "$1: the root image does not unpack"
	rm -rf "$2/cairn"
}

# initrd_cat DEST INITRAMFS [LAYER_CPIOS]: INITRAMFS and after it each
# layer's cpio (OUT/layer-NAME.cpio), each at a 4-byte boundary, as DEST:
# what the kernel gets from iPXE's several initrds or a UKI's one.
initrd_cat() {
	_d=$1 _i=$2
	shift 2
	cp "$_i" "$_d"
	for _l in "$@"; do
		cpio_pad "$_d"
		cat "$_l" >>"$_d"
	done
}

# initrd_all OUT: the path of OUT's initramfs with each of OUT's layers
# after it, as boot-all.ipxe boots a node; the initramfs alone when OUT
# has no layer.  Kept as OUT/.initrd-all, made again when any part's name,
# inode, size or time differs from what OUT/.initrd-all.key recorded.  Call
# it in a command substitution: it sets an EXIT trap while it writes.
initrd_all() {
	_k=$(stat -c '%n %i %s %.9Y' "$1/initramfs.cpio.zst" "$1"/layer-*.cpio 2>/dev/null) || true
	case $_k in
	*layer-*) ;;
	*) echo "$1/initramfs.cpio.zst"; return ;;
	esac
	if ! [ -f "$1/.initrd-all" ] || [ "$(cat "$1/.initrd-all.key" 2>/dev/null)" != "$_k" ]; then
		[ -w "$1" ] || die "$1: not writable, so the initramfs with its layers cannot be made: give --initrd"
		_t=$1/.initrd-all.$$
		trap 'rm -f "$_t"' EXIT
		initrd_cat "$_t" "$1/initramfs.cpio.zst" "$1"/layer-*.cpio
		rm -f "$1/.initrd-all.key"
		mv "$_t" "$1/.initrd-all"
		trap - EXIT
		printf '%s\n' "$_k" >"$1/.initrd-all.key"
	fi
	echo "$1/.initrd-all"
}

# layer_root CPIO DIR: the files of the layer CPIO (OUT/layer-NAME.cpio,
# a plain cpio of /cairn/layers/NAME.img) unpacked into DIR, as initd lays
# them under the root.
layer_root() {
	_n=${1##*/layer-} && _n=${_n%.cpio}
	(cd "$2" && cpio -id --quiet "cairn/layers/$_n.img") <"$1" || die "$1: cairn/layers/$_n.img does not unpack"
	unsquashfs -n -f -d "$2" "$2/cairn/layers/$_n.img" >/dev/null || die "$1: the layer's image does not unpack"
	rm -rf "$2/cairn"
}

# prefix_maps DIR NEW [CWD]: GCC options that write the path DIR (and what
# lies below it) as NEW in every form a compiler command line gives it:
# absolute, and relative to CWD (default: here), the directory the
# compiler runs in: ccache rewrites absolute paths under CCACHE_BASEDIR
# into that relative form, and a map for the absolute one alone would
# then miss (__FILE__, assert messages).  DIR and NEW end alike (both with
# a slash or neither).  CAIRN_REPRO_LEAK=1 leaves the maps out: the
# reproducibility check's test of itself (scripts/repro-quick.sh).
prefix_maps() {
	[ -z "${CAIRN_REPRO_LEAK:-}" ] || return 0
	_abs=$(realpath -m "$1") _rels= _cwd=${3:-.}
	case $_cwd in /*) ;; *) _cwd=$(pwd -L)/$_cwd ;; esac
	# Relative with links resolved, and as written (ccache's, when a
	# directory on the way is a symbolic link: O on another disk).
	for _r in "$(realpath -m --relative-to="$_cwd" "$1")" \
		"$(realpath -s -m --relative-to="$_cwd" "$1")"; do
		case $1 in */) _r=$_r/ ;; esac
		case " $_rels " in *" $_r "*) ;; *) _rels="$_rels $_r" ;; esac
	done
	case $1 in */) _abs=$_abs/ ;; esac
	printf -- '-ffile-prefix-map=%s=%s' "$1" "$2"
	[ "$_abs" = "$1" ] || printf -- ' -ffile-prefix-map=%s=%s' "$_abs" "$2"
	for _r in $_rels; do printf -- ' -ffile-prefix-map=%s=%s' "$_r" "$2"; done
}

# median: the median of the numbers on stdin, one a line ("n/a" for none).
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# now: seconds since the epoch, with nanoseconds (the benchmarks' clock).
now() { date +%s.%N; }

sha256_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# lock_lines KIND LOCK: the lock's lines of one kind, comments dropped.
lock_lines() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$2" | awk -v k="$1" '$1 == k'
}

# lock_epoch LOCK: SOURCE_DATE_EPOCH pinned by the lock.
lock_epoch() {
	lock_lines epoch "$1" | awk '{ print $2; exit }'
}

# Debian's archive is reached through a private apt configuration under
# the cache, derived from the host's own sources: the host's apt state is
# never touched, so nothing here can upgrade the host from another suite.
APT_DIR=$CAIRN_CACHE/apt

apt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::SourceList=/dev/null" \
		-o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d" \
		-o "Dir::Etc::Preferences=/dev/null" \
		-o "Dir::Etc::PreferencesParts=$APT_DIR/preferences.d" \
		-o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache=$APT_DIR/cache" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root" \
		-o "Acquire::Retries=2"
}

cairn_apt_get() {
	# shellcheck disable=SC2046
	apt-get -q $(apt_opts) "$@"
}

cairn_apt_cache() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) "$@"
}

# stable_uuid TEXT: a UUID (version 4's shape) from TEXT's sha256: the same
# image gives the same GPT and FAT ids.
stable_uuid() {
	printf '%s' "$1" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/'
}

# uki_build STUB OUT EPOCH SECTION:FILE...: a Unified Kernel Image, systemd's
# EFI stub with each FILE as the PE section .SECTION (osrel, cmdline,
# linux, initrd), one after another above the stub's own, 4 KiB aligned.
# objcopy stamps the PE header with the time and sums it: EPOCH instead,
# and no checksum (UEFI does not check one; Authenticode skips it), so the
# same inputs give the same bytes.
uki_build() {
	_stub=$1 _out=$2 _epoch=$3
	shift 3
	_end=$(objdump -h "$_stub" | awk '$1 ~ /^[0-9]+$/ { print "0x" $3, "0x" $4 }' | {
		m=0
		while read -r size at; do
			[ $((size + at)) -le "$m" ] || m=$((size + at))
		done
		echo "$m"
	})
	_vma=$(( (_end + 0xfff) / 0x1000 * 0x1000 ))
	_args=
	for _s in "$@"; do
		_name=${_s%%:*} _file=${_s#*:}
		[ -f "$_file" ] || die "$_file: missing (the UKI's .$_name)"
		_args="$_args --add-section .$_name=$_file --change-section-vma .$_name=$(printf '0x%x' "$_vma")"
		_vma=$(( (_vma + $(stat -c %s "$_file") + 0xfff) / 0x1000 * 0x1000 ))
	done
	# shellcheck disable=SC2086
	objcopy $_args "$_stub" "$_out" || die "objcopy: the UKI $_out"
	_pe=$(od -An -tu4 -j 60 -N4 "$_out" | tr -d ' ')
	[ "$(od -An -c -j "$_pe" -N2 "$_out" | tr -d ' ')" = PE ] || die "$_out is not a PE image"
	le32 "$_out" $((_pe + 8)) "$_epoch"
	le32 "$_out" $((_pe + 88)) 0
	SOURCE_DATE_EPOCH=$_epoch sb_sign "$_out"
}

# sb_sign FILE: FILE (a UKI, systemd-boot) signed in place for Secure Boot
# with the site's db key (KEYS_DIR/secureboot, scripts/keys.sh).  sbsign
# stamps the time it signs: SOURCE_DATE_EPOCH's, frozen by faketime (-f:
# without it faketime only starts the clock there, and a signing that
# began a second later stamped :01; make repro-check saw the netboot UKI
# differ so), so the same inputs and keys sign the same bytes.
sb_sign() {
	_sb=${KEYS_DIR:?KEYS_DIR not set}/secureboot
	[ -s "$_sb/db.key" ] && [ -s "$_sb/db.crt" ] || die "$_sb/db.key: missing: run 'make keys'"
	for _t in sbsign faketime; do
		command -v "$_t" >/dev/null || die "$_t not found: run 'make hostdeps'"
	done
	TZ=UTC faketime -f "$(date -u -d "@${SOURCE_DATE_EPOCH:?}" '+%Y-%m-%d %H:%M:%S')" \
		sbsign --key "$_sb/db.key" --cert "$_sb/db.crt" --output "$1.signed" "$1" >/dev/null 2>&1 ||
		{ rm -f "$1.signed"; die "sbsign $1 failed"; }
	mv "$1.signed" "$1"
	touch -d "@$SOURCE_DATE_EPOCH" "$1"
}

# le32 FILE OFFSET VALUE: VALUE written little-endian at OFFSET.
le32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) $(($3 >> 16 & 255)) \
		$(($3 >> 24 & 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
