#!/bin/sh
# pkg --extensions (doc/pkg.md, EXTENSIONS): a site's package goes into
# ROOT/var/lib/extensions with a database of its own, trusting the keys the
# image trusts; a package with a file outside /usr and /opt is refused
# before anything is written.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/base/etc" "$tmp/t/tool/usr/bin" "$tmp/t/tool/opt/tool" "$tmp/t/bad/usr/bin" "$tmp/t/bad/etc"
echo "base" >"$tmp/t/base/etc/os"
printf '#!/bin/sh\necho tool\n' >"$tmp/t/tool/usr/bin/tool"
chmod 755 "$tmp/t/tool/usr/bin/tool"
echo "data" >"$tmp/t/tool/opt/tool/data"
echo "x" >"$tmp/t/bad/usr/bin/bad"
echo "x" >"$tmp/t/bad/etc/bad.conf"
mkpkg base 1.0 "$tmp/t/base"
mkpkg tool 1.0 "$tmp/t/tool"
mkpkg bad 1.0 "$tmp/t/bad"
keyset
publish 1

p --root "$root" --repo "$repo" --trust "$keys/root" install base || { cat "$tmp/err" >&2; fail "install base"; }
# No --trust: the image's own trusted root serves the extensions area too.
p --root "$root" --extensions --repo "$repo" install tool || { cat "$tmp/err" >&2; fail "install tool as an extension"; }
ext=$root/var/lib/extensions
[ "$(cat "$ext/usr/bin/tool")" = "$(cat "$tmp/t/tool/usr/bin/tool")" ] || fail "tool not in the extensions area"
[ -f "$ext/opt/tool/data" ] || fail "opt/ not in the extensions area"
[ ! -e "$root/usr/bin/tool" ] || fail "an extension was written into the root itself"
p --root "$root" --extensions list >"$tmp/list"
expect_line "$tmp/list" "tool"
p --root "$root" list >"$tmp/list"
grep -q '^tool ' "$tmp/list" && fail "the root's database lists an extension"
p --root "$root" --extensions verify || { cat "$tmp/err" >&2; fail "verify the extensions area"; }

before=$(snap "$root")
refuse "bad-1.0: /etc: an extension holds files under /usr and /opt only: refused" \
	"$pkg" --root "$root" --extensions --repo "$repo" install bad
[ "$(snap "$root")" = "$before" ] || fail "a refused extension changed the root"
p --root "$root" --extensions remove tool || { cat "$tmp/err" >&2; fail "remove the extension"; }
[ ! -e "$ext/usr/bin/tool" ] || fail "tool still there after remove"
echo "pkg --extensions: installed beside the root with its trust, /etc refused, removed"
