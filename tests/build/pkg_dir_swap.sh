#!/bin/sh
# A package's new directory swapped for a symlink by the owner of its
# parent, as pkg makes it (doc/pkg.md): the package makes srv/u for uid
# 1000, then srv/u/d (mode 0777) in it.  The attacker, uid 1000, renames d
# away as soon as it is made and puts in its place a symlink to a file
# outside the root.  pkg must set d's owner and mode on the directory it
# made, never through the link: the outside file keeps its mode, and the
# install is refused, naming the swap.
#
# The race is won on purpose: an LD_PRELOAD shim stops pkg just after its
# mkdirat of "d" and waits, through two FIFOs, for the attacker to finish,
# so the test waits for events, not for luck or time.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (chown, and an attacker of another uid)"; exit 77; }
command -v cc >/dev/null || { echo "skipped: no cc for the shim"; exit 77; }
command -v setpriv >/dev/null || { echo "skipped: no setpriv (util-linux)"; exit 77; }

cat >"$tmp/pause.c" <<'EOF'
/* After mkdirat of $PAUSE_NAME: "made" into $PAUSE_DIR/made, then wait
 * for $PAUSE_DIR/go to be written and closed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdirat(int dfd, const char *name, mode_t mode)
{
	int (*real)(int, const char *, mode_t) = (int (*)(int, const char *, mode_t))dlsym(RTLD_NEXT, "mkdirat");
	const char *want = getenv("PAUSE_NAME"), *dir = getenv("PAUSE_DIR");
	char path[4096], c;
	int rc = real(dfd, name, mode), fd;

	if (rc < 0 || want == NULL || dir == NULL || strcmp(name, want) != 0)
		return rc;
	snprintf(path, sizeof path, "%s/made", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "made\n", 5) != 5)
		abort();
	close(fd);
	snprintf(path, sizeof path, "%s/go", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		abort();
	while (read(fd, &c, 1) > 0)
		;
	close(fd);
	return rc;
}
EOF
cc -shared -fPIC -o "$tmp/pause.so" "$tmp/pause.c" -ldl || fail "the shim does not build"

# The attacker (uid 1000) must reach the root: the test's directory is
# open to all, the FIFOs too.
chmod 755 "$tmp"
root=$tmp/root
mkdir -p "$root" "$tmp/pause"
chmod 1777 "$tmp/pause"
mkfifo -m 666 "$tmp/pause/made" "$tmp/pause/go"
echo "secret" >"$tmp/victim"
chmod 600 "$tmp/victim"

# The package by hand (pkg build gives every entry owner 0).
: >"$tmp/empty"
{
	printf 'format 1\nname swap\nversion 1.0\narch x86_64\nlicense MIT\n'
	printf 'source-sha256 %s\npayload-size 0\n' "$(printf swap | sha256sum | cut -c1-64)"
	printf 'd 0755 0 0 srv\nd 0755 1000 1000 srv/u\nd 0777 1000 1000 srv/u/d\n'
} >"$tmp/meta"
zstd -q -c "$tmp/empty" >"$tmp/payload.zst"
{
	printf 'cairn-pkg 1 %s %s\n' "$(wc -c <"$tmp/meta")" "$(wc -c <"$tmp/payload.zst")"
	cat "$tmp/meta" "$tmp/payload.zst"
} >"$repo/swap-1.0.x86_64.pkg"
keyset
publish 1

# The attacker: waits for d to be made, swaps it, lets pkg go on.
setpriv --reuid 1000 --regid 1000 --clear-groups sh -c '
	read made <"$1/pause/made"
	mv "$1/root/srv/u/d" "$1/root/srv/u/d.away" &&
		ln -s "$1/victim" "$1/root/srv/u/d" && echo swapped >"$1/pause/swapped"
	echo go >"$1/pause/go"' attacker "$tmp" 2>"$tmp/attacker.err" &
attacker=$!
set +e
PAUSE_NAME=d PAUSE_DIR=$tmp/pause LD_PRELOAD=$tmp/pause.so \
	"$pkg" --root "$root" --repo "$repo" --trust "$keys/root" install swap >"$tmp/err" 2>&1
rc=$?
set -e
kill "$attacker" 2>/dev/null || true
wait "$attacker" 2>/dev/null || true
[ "$(cat "$tmp/pause/swapped" 2>/dev/null)" = swapped ] ||
	{ cat "$tmp/err" "$tmp/attacker.err" >&2; fail "the attacker never swapped srv/u/d (the shim did not stop pkg)"; }
[ "$(stat -c %a "$tmp/victim")" = 600 ] ||
	fail "pkg chmodded through the swapped-in symlink: the file outside the root is now $(stat -c %a "$tmp/victim")"
[ "$(stat -c %u "$tmp/victim")" = 0 ] || fail "pkg chowned through the swapped-in symlink"
[ "$rc" -eq 1 ] || { cat "$tmp/err" >&2; fail "pkg exited $rc, not 1"; }
expect_line "$tmp/err" "/srv/u/d: replaced by another file (a link, or someone's directory) as it was made: refused"
echo "pkg: a directory swapped for a symlink as it is made: refused, nothing outside the root changed"
