#!/bin/sh
# scripts/pkgbuild.sh: one recipe's build output into a package of the
# board's repository, with the host build of pkg.
#
# usage: pkgbuild.sh NAME REPO [TREE]
# env:   PKG (pkg for the build host), BOARD, BOARD_ARCH, B (build dir:
#        sources are under B/src), CAIRN_PKG_VERSION and CAIRN_SOURCE_SHA256
#        (Cairn's own packages), SOURCE_DATE_EPOCH
#
# TREE holds the files the package installs (a recipe's OBJ/dest, say);
# without one the package holds only the license files.  The recipe's
# `licenses` (files of its source) go to usr/share/licenses/NAME/.  The
# tree is copied and its modes made the policy's (0755 directories and
# executables, 0644 other files, and the exceptions below), so neither the
# builder's umask nor the checkout's modes reach the package: the same
# recipe and inputs give the same bytes.
#
# A package built from the lock's sources carries what a vulnerability
# scanner matches (scripts/pkgids.sh): each source's purl, the recipe's
# `cpe` names with the upstream version, the upstream download URL.  Its
# `sources` (default: `source`) name the lock entries, patterns allowed.
# Cairn's own packages carry none: cairn-os and cairn-netboot among them,
# which nodes whose pkg predates those keys read (pkg os-update).
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: pkgbuild.sh NAME REPO [TREE]"
recipe_name=$1 repo=$2 tree=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
recipe=$top/pkg/recipes/$recipe_name
[ -f "$recipe/recipe" ] || die "no recipe $recipe/recipe"
: "${PKG:?PKG: the host build of pkg}" "${BOARD_ARCH:?}" "${B:?}"
name= source= license= summary= supplier= depends= licenses= revision=1 level=19 cpe= sources=
. "$recipe/recipe"

ids=
if [ "$source" = cairn ]; then
	[ -z "$cpe$sources" ] || die "$name: a Cairn package (source=cairn) takes no 'cpe' or 'sources'"
	version=${CAIRN_PKG_VERSION:?} sum=${CAIRN_SOURCE_SHA256:?}
	srcdir=$top
else
	ids=$("$top/scripts/pkgids.sh" "$top/sources.lock" "${sources:-$source}" "$cpe") ||
		die "$name: its identifiers (purl, cpe, download) cannot be made"
	line=$(lock_lines src "$top/sources.lock" | awk -v n="$source" '$2 == n')
	[ -n "$line" ] || die "$name: no 'src $source' in sources.lock"
	version=$(echo "$line" | awk '{ print $3 }')-r$revision
	sum=$(echo "$line" | awk '{ print $5 }')
	srcdir=$B/src/$source
fi
arch=$BOARD_ARCH
[ -n "$tree" ] || arch=noarch

stage=$(mktemp -d "${TMPDIR:-/tmp}/pkgbuild.XXXXXX")
trap 'rm -rf "$stage"' EXIT
[ -z "$tree" ] || cp -a "$tree/." "$stage/"
for l in $licenses; do
	[ -f "$srcdir/$l" ] || die "$name: license file $srcdir/$l not found"
	mkdir -p "$stage/usr/share/licenses/$name"
	cp "$srcdir/$l" "$stage/usr/share/licenses/$name/"
done
(cd "$stage" && find . -mindepth 1) | while IFS= read -r p; do
	[ -L "$stage/$p" ] && continue
	case $p in
	./root) m=0700 ;;
	./proc | ./sys) m=0555 ;;	# as the kernel shows them mounted
	./tmp) m=1777 ;;
	./etc/shadow | ./etc/cairn/node.conf) m=0600 ;;	# node.conf may carry secrets
	*) if [ -d "$stage/$p" ] || [ -x "$stage/$p" ]; then m=0755; else m=0644; fi ;;
	esac
	chmod "$m" "$stage/$p"
done
chmod 0755 "$stage"

{
	echo "name $name"
	echo "version $version"
	echo "arch $arch"
	echo "license $license"
	echo "summary $summary"
	echo "supplier ${supplier:-Organization: Cairn}"
	[ -z "$ids" ] || echo "$ids"
	echo "source-sha256 $sum"
	for d in $depends; do echo "depends $d"; done
} >"$stage.spec"
mkdir -p "$repo"
# One version of a package in the repository: the one just built.
rm -f "$repo/$name"-[0-9]*.pkg
out=$repo/$name-$version.$arch.pkg
"$PKG" build -o "$out" --level "$level" "$stage.spec" "$stage" 2>"$stage.err" ||
	{ cat "$stage.err" >&2; rm -f "$stage.spec" "$stage.err"; die "$name: pkg build failed"; }
rm -f "$stage.spec" "$stage.err"
say PKG "${out##*/}"
