#!/bin/sh
# scripts/fetch.sh: fill DL_DIR with every input sources.lock pins.
#
# usage: fetch.sh [-l LOCK] [NAME...]
#
# A file is looked for in DL_DIR first (an air-gapped site copies it there),
# then at each place the lock names in order: an upstream URL, then Debian's
# archive ("debian:PKG=VER/SUITE" is a binary package, "debian-src:..." the
# upstream tarball of a source package).  Nothing enters DL_DIR unless its
# sha256 is the one the lock pins.
. "$(dirname "$0")/lib.sh"

lock=sources.lock
[ "${1:-}" = -l ] && { lock=$2; shift 2; }
[ -f "$lock" ] || die "$lock: no such lock file"
mkdir -p "$DL_DIR" || die "cannot create DL_DIR $DL_DIR"

work=$(mktemp -d "$DL_DIR/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# try_url URL OUT
try_url() {
	curl -fsSL --connect-timeout 10 --retry 1 -o "$2" "$1" 2>"$work/err"
}

# try_debian KIND SPEC OUT: KIND is debian or debian-src, SPEC PKG=VER/SUITE.
try_debian() {
	pkgver=${2%/*}
	"$(dirname "$0")/apt-setup.sh" || return 1
	rm -rf "$work/apt" && mkdir "$work/apt"
	if [ "$1" = debian ]; then
		(cd "$work/apt" && cairn_apt_get download "$pkgver") >"$work/err" 2>&1 || return 1
		got=$(find "$work/apt" -name '*.deb' | head -n 1)
	else
		(cd "$work/apt" && cairn_apt_get source --download-only "$pkgver") >"$work/err" 2>&1 || return 1
		got=$(find "$work/apt" -name '*.orig.tar.*' ! -name '*.asc' | head -n 1)
	fi
	[ -n "$got" ] && mv "$got" "$3"
}

# newer_in_archive SPEC: the suite's current version when it differs from
# the pinned one (the archive has moved on), else nothing.
newer_in_archive() {
	pkg=${1%%=*}; ver=${1#*=}; ver=${ver%/*}; suite=${1##*/}
	cur=$(cairn_apt_cache madison "$pkg" 2>/dev/null |
		awk -F'|' -v s=" $suite/" '$3 ~ s { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$cur" ] && [ "$cur" != "$ver" ] && echo "$cur"
	return 0
}

fetch_one() {
	name=$1 file=$3 sum=$4
	shift 4
	dest=$DL_DIR/$file
	if [ -e "$dest" ]; then
		have=$(sha256_of "$dest")
		[ "$have" = "$sum" ] && return 0
		die "$dest: sha256 $have, but $lock pins $sum for $name: the file is damaged or not the pinned one; delete it to fetch it again"
	fi
	moved=
	for where in "$@"; do
		rm -f "$work/file"
		case $where in
		http://*|https://*|file://*)
			say FETCH "$file ($where)"
			try_url "$where" "$work/file" || continue ;;
		debian:*|debian-src:*)
			say FETCH "$file (Debian ${where#*:})"
			try_debian "${where%%:*}" "${where#*:}" "$work/file" || {
				cur=$(newer_in_archive "${where#*:}")
				[ -n "$cur" ] && moved="$moved ${where#*:} (archive now has $cur)"
				continue; } ;;
		*)
			die "$lock: $name: unknown source kind '$where'" ;;
		esac
		have=$(sha256_of "$work/file")
		if [ "$have" != "$sum" ]; then
			printf '%s: %s from %s refused: sha256 %s, but %s pins %s\n' \
				"$prog" "$file" "$where" "$have" "$lock" "$sum" >&2
			continue
		fi
		mv "$work/file" "$dest"
		return 0
	done
	[ -n "$moved" ] && die "$name: the pinned version is no longer in Debian's archive:$moved; run 'make lock-update' and commit $lock"
	die "$name: $file cannot be had from DL_DIR ($DL_DIR) or any source in $lock; copy it into DL_DIR"
}

want=" $* "
found=0
{ lock_lines src "$lock"; lock_lines check "$lock"; } >"$work/entries"
while read -r kind name ver file sum where; do
	[ $# -eq 0 ] || case $want in *" $name "*) ;; *) continue ;; esac
	found=$((found + 1))
	[ -n "$where" ] || die "$lock: $name: no source given"
	# A check's reference file is not a build input: without it the
	# build goes on, and the check says it was not made.
	# shellcheck disable=SC2086
	if [ "$kind" = check ]; then
		(fetch_one "$name" "$ver" "$file" "$sum" $where) ||
			say SKIP "$file: not fetched; the checks that read it will say so"
	else
		fetch_one "$name" "$ver" "$file" "$sum" $where
	fi
done <"$work/entries"
[ $# -eq 0 ] || [ "$found" -eq $# ] || die "$lock: no entry named in: $*"
