#!/bin/sh
# scripts/apt-setup.sh: derive Cairn's private apt sources from the host's.
#
# Every Debian entry the host has (one-line .list or deb822 .sources) is
# copied with deb-src added and all four components, and the host's release
# archive is given once more for the newer suite Cairn takes some pinned
# packages from (NEXT_SUITE).  No archive host name is written anywhere: the
# addresses are the host's own.  The package lists are refreshed when older
# than a day, or when --refresh is given.
. "$(dirname "$0")/lib.sh"

: "${NEXT_SUITE:=trixie}"
refresh=0
[ "${1:-}" = --refresh ] && refresh=1

command -v apt-get >/dev/null || die "apt-get not found: Debian's archive is unreachable; put every file the lock names into DL_DIR ($DL_DIR) instead"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "/etc/os-release names no VERSION_CODENAME: cannot derive apt sources"

mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/preferences.d" \
	"$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"

# One "URI SUITE" pair per line, from every enabled host source.
host_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' "$f" | awk '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
			print $i, $(i + 1) }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no")
				{ n = split(uris, u, " "); m = split(suites, s, " ")
				  for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print u[a], s[b] }
				types = uris = suites = ""; enabled = "" }
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "uris:" { $1 = ""; uris = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { flush() }' "$f"
	done
}

tmp=$APT_DIR/sources.list.d/cairn.sources.tmp
: >"$tmp"
host_sources | awk -v c="$codename" '$2 == c || $2 ~ ("^" c "-")' | sort -u |
while read -r uri suite; do
	printf 'Types: deb deb-src\nURIs: %s\nSuites: %s\nComponents: main contrib non-free non-free-firmware\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
		"$uri" "$suite" >>"$tmp"
	if [ "$suite" = "$codename" ]; then
		printf 'Types: deb deb-src\nURIs: %s\nSuites: %s\nComponents: main contrib non-free non-free-firmware\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
			"$uri" "$NEXT_SUITE" >>"$tmp"
	fi
done
[ -s "$tmp" ] || { rm -f "$tmp"; die "the host has no apt source for Debian $codename: add one, or fill DL_DIR ($DL_DIR) by hand"; }
if ! cmp -s "$tmp" "$APT_DIR/sources.list.d/cairn.sources"; then
	mv "$tmp" "$APT_DIR/sources.list.d/cairn.sources"
	refresh=1
else
	rm -f "$tmp"
fi

stamp=$APT_DIR/lists/.updated
if [ "$refresh" = 1 ] || [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
	say APT "update (private lists in $APT_DIR)"
	cairn_apt_get update >"$APT_DIR/update.log" 2>&1 ||
		die "apt-get update failed (see $APT_DIR/update.log)"
	touch "$stamp"
fi
