#!/bin/sh
# scripts/lock-update.sh: pin what Debian's archive has now.
#
# usage: lock-update.sh LOCK
#
# For every src entry taken from Debian, the suite's current version
# replaces the pinned one: version, file name, upstream URL and sha256 (the
# new file is fetched into DL_DIR and hashed).  The host lines take this
# host's versions.  The lock is rewritten only when everything succeeded;
# review the diff and commit it.
. "$(dirname "$0")/lib.sh"

lock=${1:?usage: lock-update.sh LOCK}
[ -f "$lock" ] || die "$lock: no such lock file"
"$(dirname "$0")/apt-setup.sh" --refresh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$lock" "$work/new"

# upstream_of DEBVER: 1:1.37.0-6 -> 1.37.0; 6.12.117-1~deb12u1 -> 6.12.117
upstream_of() {
	v=${1#*:}
	echo "${v%-*}"
}

lock_lines src "$lock" | while read -r _ name ver file sum where; do
	spec=
	for w in $where; do
		case $w in debian:*|debian-src:*) spec=$w ;; esac
	done
	[ -n "$spec" ] || continue
	kind=${spec%%:*} pkgver=${spec#*:}
	pkg=${pkgver%%=*} old=${pkgver#*=}; old=${old%/*} suite=${pkgver##*/}
	if [ "$kind" = debian ]; then
		cur=$(cairn_apt_cache madison "$pkg" | awk -F'|' -v s=" $suite/" \
			'$3 ~ s && $3 !~ /Sources/ { gsub(/ /, "", $2); print $2; exit }')
	else
		cur=$(cairn_apt_cache madison "$pkg" | awk -F'|' -v s=" $suite/" \
			'$3 ~ s && $3 ~ /Sources/ { gsub(/ /, "", $2); print $2; exit }')
	fi
	[ -n "$cur" ] || die "$name: Debian's $suite has no $pkg any more: pick another source by hand"
	if [ "$cur" = "$old" ]; then
		say SAME "$name $ver ($pkg $cur)"
		continue
	fi
	newver=$(upstream_of "$cur")
	rm -rf "$work/dl" && mkdir "$work/dl"
	if [ "$kind" = debian ]; then
		(cd "$work/dl" && cairn_apt_get download "$pkg=$cur") >"$work/log" 2>&1 ||
			{ cat "$work/log" >&2; die "$name: cannot download $pkg=$cur"; }
		got=$(find "$work/dl" -name '*.deb' | head -n 1)
		newfile=${got##*/}
	else
		(cd "$work/dl" && cairn_apt_get source --download-only "$pkg=$cur") >"$work/log" 2>&1 ||
			{ cat "$work/log" >&2; die "$name: cannot download source $pkg=$cur"; }
		got=$(find "$work/dl" -name '*.orig.tar.*' ! -name '*.asc' | head -n 1)
		newfile=$(echo "$file" | sed "s/$ver/$newver/g")
	fi
	[ -n "$got" ] || die "$name: $pkg=$cur gave no file"
	newsum=$(sha256_of "$got")
	mkdir -p "$DL_DIR"
	mv "$got" "$DL_DIR/$newfile"
	newwhere=$(echo "$where" | sed -e "s|$pkg=$old/|$pkg=$cur/|" -e "s|/$ver/|/$newver/|g" -e "s|-$ver\.|-$newver.|g")
	say PIN "$name $ver -> $newver ($pkg $cur)"
	awk -v n="$name" -v line="src $name $newver $newfile $newsum $newwhere" \
		'$1 == "src" && $2 == n { print line; next } { print }' "$work/new" >"$work/new.tmp"
	mv "$work/new.tmp" "$work/new"
done

lock_lines host "$lock" | while read -r _ pkg want; do
	have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || continue
	[ "$have" = "$want" ] && continue
	say PIN "host $pkg $want -> $have"
	awk -v p="$pkg" -v line="host $pkg $have" \
		'$1 == "host" && $2 == p { print line; next } { print }' "$work/new" >"$work/new.tmp"
	mv "$work/new.tmp" "$work/new"
done

if cmp -s "$work/new" "$lock"; then
	echo "  $lock already pins what the archive has"
else
	cp "$work/new" "$lock.tmp" && mv "$lock.tmp" "$lock"
	echo "  $lock updated: review 'git diff $lock' and commit it"
fi
