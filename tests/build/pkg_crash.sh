#!/bin/sh
# pkg's transactions are all-or-nothing (doc/pkg-db.md).  For install,
# upgrade and remove, each of a transaction's write, rename and sync points
# in turn (a) fails with EIO and (b) kills pkg with SIGKILL there.  After
# each, the next pkg run (verify recovers first) leaves the root exactly in
# the old state or the new one, pkg verify passes, and the transaction run
# again succeeds.  Prints the number of crash points exercised.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

t=$tmp/t
mkdir -p "$t/lib/lib" "$t/lib/etc" "$t/app/usr/bin" "$t/app/usr/share/app"
echo "lib 1" >"$t/lib/lib/libx.so"
echo "conf 1" >"$t/lib/etc/x.conf"
echo "gone in 2" >"$t/lib/lib/old.so"
echo "app" >"$t/app/usr/bin/app"
ln "$t/app/usr/bin/app" "$t/app/usr/bin/app-hard"
ln -s app "$t/app/usr/bin/app-sym"
echo "data" >"$t/app/usr/share/app/data"
mkpkg lib 1.0 "$t/lib"
mkpkg app 1.0 "$t/app" "depends lib
"
echo "lib 2, longer" >"$t/lib/lib/libx.so"
echo "conf 2" >"$t/lib/etc/x.conf"
rm "$t/lib/lib/old.so"
mkdir "$t/lib/lib/new"
echo "new in 2" >"$t/lib/lib/new/new.so"
mkpkg lib 2.0 "$t/lib"
keyset
publish 1

# The three starting points and the operation run from each.
mkdir "$tmp/empty" && p --root "$tmp/empty" --repo "$repo" --trust "$keys/root" install lib=1.0 >/dev/null ||
	{ cat "$tmp/err" >&2; fail "setup"; }
rm -f "$repo/lib-2.0.x86_64.pkg"
publish 2
cp -a "$tmp/empty" "$tmp/v1"
p --root "$tmp/v1" --repo "$repo" install app || { cat "$tmp/err" >&2; fail "setup v1"; }
mkpkg lib 2.0 "$t/lib"
publish 3

total=0
# crash NAME FROM OP...: every fault point of OP run on a copy of FROM.
crash() {
	name=$1 from=$2
	shift 2
	rm -rf "$tmp/new" && cp -a "$from" "$tmp/new"
	p --root "$tmp/new" --repo "$repo" "$@" || { cat "$tmp/err" >&2; fail "$name without faults"; }
	snap "$from" >"$tmp/old.snap"
	snap "$tmp/new" >"$tmp/new.snap"
	cmp -s "$tmp/old.snap" "$tmp/new.snap" && fail "$name changes nothing: no test"
	for mode in fail kill; do
		n=1
		while :; do
			rm -rf "$tmp/r" && cp -a "$from" "$tmp/r"
			set +e
			if [ $mode = kill ]; then
				PKG_FAULT_AT=$n PKG_FAULT_KILL=1 "$pkg" --root "$tmp/r" --repo "$repo" "$@" >/dev/null 2>"$tmp/err"
			else
				PKG_FAULT_AT=$n "$pkg" --root "$tmp/r" --repo "$repo" "$@" >/dev/null 2>"$tmp/err"
			fi
			rc=$?
			set -e
			if [ $rc -eq 0 ] && grep -q "fault points: " "$tmp/err" &&
				[ "$(sed -n 's/.*fault points: //p' "$tmp/err")" -lt $n ]; then
				break	# past the last point: nothing was injected
			fi
			# The next run recovers; the root is old or new, and consistent.
			p --root "$tmp/r" verify >"$tmp/verify" || { cat "$tmp/verify" "$tmp/err" >&2;
				fail "$name, $mode at point $n: pkg verify after recovery"; }
			snap "$tmp/r" >"$tmp/r.snap"
			if cmp -s "$tmp/r.snap" "$tmp/old.snap"; then
				state=old
			elif cmp -s "$tmp/r.snap" "$tmp/new.snap"; then
				state=new
			else
				diff -u "$tmp/old.snap" "$tmp/r.snap" >&2 || true
				fail "$name, $mode at point $n: the root is neither the old state nor the new"
			fi
			[ $mode = kill ] || [ $rc -ne 0 ] || [ $state = new ] ||
				fail "$name, $mode at point $n: pkg said done and the root is old"
			# And the same transaction goes through now.
			if [ $state = old ]; then
				p --root "$tmp/r" --repo "$repo" "$@" || { cat "$tmp/err" >&2;
					fail "$name, $mode at point $n: the retry failed"; }
				snap "$tmp/r" >"$tmp/r.snap"
				cmp -s "$tmp/r.snap" "$tmp/new.snap" || fail "$name, $mode at point $n: the retry's state differs"
			fi
			n=$((n + 1))
			total=$((total + 1))
		done
		[ $n -gt 5 ] || fail "$name: only $((n - 1)) fault points: the injection is not working"
	done
	echo "  $name: $((n - 1)) points, each failed and killed"
}
crash install "$tmp/empty" install app
crash upgrade "$tmp/v1" upgrade
crash remove "$tmp/v1" remove app
echo "pkg: $total crash points exercised (install, upgrade, remove; EIO and SIGKILL at each): old or new state every time"
