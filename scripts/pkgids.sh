#!/bin/sh
# scripts/pkgids.sh: the identifiers a vulnerability scanner matches, as
# package spec lines (pkg-format(5): purl, cpe, download), for a recipe
# built from the lock's sources (doc/pkg.md "Identifiers").
#
# usage: pkgids.sh LOCK SOURCES [CPES]
#   SOURCES: lock entry names or shell patterns (`nvidia nvidia-*`); every
#            entry that matches one, in the lock's order
#   CPES:    PART:VENDOR:PRODUCT names of the upstream (`a:busybox:busybox`),
#            versioned with the first source's upstream version
# env: DL_DIR (a Debian binary package's .deb is read for its source name)
#
# For each source: a Debian binary package (debian:BIN=VER/SUITE) is
#   purl pkg:deb/debian/BIN@VER?arch=ARCH&distro=debian-N[&upstream=SRC]
# ARCH from the .deb's name, SRC its Source field where it differs from
# BIN (Syft's convention).  An upstream tarball (a URL, or the orig
# tarball of a Debian source package: debian-src:SRC=VER/SUITE) is built
# without Debian's patches, so it is named as upstream's, never as
# Debian's source package (a scanner would credit it with Debian's fixes):
#   purl pkg:generic/NAME@UPVER
# and the first upstream http(s) URL of all is `download URL`.  Debian's
# archive gets no download line: its URL would name a mirror.
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: pkgids.sh LOCK SOURCES [CPES]"
lock=$1 patterns=$2 cpes=${3:-}
[ -f "$lock" ] || die "$lock: no such lock file"

# distro SUITE: the purl's distro qualifier of a Debian suite.
distro() {
	case $1 in
	bookworm | bookworm-*) echo debian-12 ;;
	trixie | trixie-*) echo debian-13 ;;
	*) die "$lock: suite '$1' is neither bookworm nor trixie: say which Debian release it is in pkgids.sh" ;;
	esac
}

# purl_version VER: a Debian version in a purl ('+' percent-encoded, the
# epoch's ':' kept as the purl specification's deb examples do).
purl_version() {
	printf '%s' "$1" | sed 's/+/%2B/g'
}

# upstream_version VER: the upstream release a CPE names: no epoch, no
# Debian revision, no repack suffix (+dfsg, +ds, .dfsg, ~...).
upstream_version() {
	printf '%s' "$1" | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//' -e 's/[+.~]dfsg.*$//' \
		-e 's/[+~]ds.*$//' -e 's/~.*$//'
}

# source_of DEB BIN: the Debian source package of a binary one, when its
# name differs ("Source: NAME (VERSION)" gives NAME).
source_of() {
	[ -f "$1" ] || die "$1: missing: the upstream= of $2's purl is read from it (make fetch)"
	src=$(dpkg-deb -f "$1" Source) || die "$1: dpkg-deb cannot read its control file"
	src=${src%% *}
	[ -n "$src" ] && [ "$src" != "$2" ] && printf '&upstream=%s' "$src"
	return 0
}

# one_source FILE WHERE...: the purls of one lock entry; its first URL in $url.
one_source() {
	file=$1
	shift
	for where in "$@"; do
		case $where in
		debian:*=*/* | debian-src:*=*/*)
			spec=${where#*:} suite=${where##*/}
			pkg=${spec%%=*} ver=${spec#*=} ver=${ver%/*}
			d=$(distro "$suite")
			[ "${where%%:*}" = debian ] || { tarball=1; continue; }
			arch=${file##*_} arch=${arch%.deb}
			case $file in *_*.deb) ;; *) die "$lock: $file: not NAME_VERSION_ARCH.deb" ;; esac
			up=$(source_of "$DL_DIR/$file" "$pkg")
			echo "purl pkg:deb/debian/$pkg@$(purl_version "$ver")?arch=$arch&distro=$d$up" ;;
		http://* | https://*)
			tarball=1
			[ -n "$url" ] || url=$where ;;
		esac
	done
}

url= first= n=0
entries=$(mktemp "${TMPDIR:-/tmp}/pkgids.XXXXXX")
trap 'rm -f "$entries"' EXIT
lock_lines src "$lock" >"$entries"
while read -r _ name ver file _ where; do
	hit=
	for p in $patterns; do
		# shellcheck disable=SC2254
		case $name in $p) hit=1 ;; esac
	done
	[ -n "$hit" ] || continue
	[ -n "$first" ] || first=$ver
	n=$((n + 1))
	tarball=
	# shellcheck disable=SC2086
	one_source "$file" $where
	[ -z "$tarball" ] || echo "purl pkg:generic/$name@$(upstream_version "$ver")"
done <"$entries"
[ "$n" -gt 0 ] || die "$lock: no src entry matches '$patterns'"
for c in $cpes; do
	case $c in
	*[!a-z0-9_.:-]* | *:*:*:*) die "cpe '$c': not PART:VENDOR:PRODUCT in NVD's lowercase letters, digits, '_', '.', '-'" ;;
	[aho]:?*:?*) ;;
	*) die "cpe '$c': not PART:VENDOR:PRODUCT (PART a, o or h)" ;;
	esac
	v=$(upstream_version "$first")
	case $v in
	'' | *[!A-Za-z0-9._]*) die "cpe '$c': upstream version '$v' (from '$first') is not one a CPE names plainly" ;;
	esac
	echo "cpe cpe:2.3:$c:$v:*:*:*:*:*:*:*"
done
[ -z "$url" ] || echo "download $url"
