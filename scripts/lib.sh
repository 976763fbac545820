# scripts/lib.sh: shell helpers every build step sources.
# Steps print one short progress line per action (Kbuild style) and stop at
# the first error with one line saying what failed and how to fix it.

set -eu

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

# initrd_overlay IMAGE DIR OUT: IMAGE (a compressed initramfs) with DIR's
# files appended as a second cpio archive, which the kernel unpacks over
# the first; it finds that archive only at a 4-byte boundary: NULs pad.
initrd_overlay() {
	cp "$1" "$3"
	head -c $(( (4 - $(stat -c %s "$3") % 4) % 4 )) /dev/zero >>"$3"
	(cd "$2" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >>"$3"
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
