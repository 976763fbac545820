#!/bin/sh
# pkg --extensions (doc/pkg.md, EXTENSIONS): a site's package goes into
# ROOT/var/lib/extensions with a database of its own, trusting the keys the
# image trusts; a package with a file outside /usr and /opt, or with a
# setuid or setgid file, is refused before anything is written.  What initd
# runs at boot before it overlays a layer, `pkg --extensions verify /usr`,
# fails when a file there was changed or one was put there by hand (from
# another machine that had the data disk), and only for that layer.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

root=$tmp/root
mkdir -p "$root" "$tmp/t/base/etc" "$tmp/t/tool/usr/bin" "$tmp/t/tool/opt/tool" "$tmp/t/bad/usr/bin" "$tmp/t/bad/etc" \
	"$tmp/t/suid/usr/bin"
echo "base" >"$tmp/t/base/etc/os"
printf '#!/bin/sh\necho tool\n' >"$tmp/t/tool/usr/bin/tool"
chmod 755 "$tmp/t/tool/usr/bin/tool"
echo "data" >"$tmp/t/tool/opt/tool/data"
echo "x" >"$tmp/t/bad/usr/bin/bad"
echo "x" >"$tmp/t/bad/etc/bad.conf"
mkpkg base 1.0 "$tmp/t/base"
mkpkg tool 1.0 "$tmp/t/tool"
mkpkg bad 1.0 "$tmp/t/bad"
cp /bin/sh "$tmp/t/suid/usr/bin/rootsh"
chmod 4755 "$tmp/t/suid/usr/bin/rootsh"
mkpkg suid 1.0 "$tmp/t/suid"
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
refuse "suid-1.0: /usr/bin/rootsh: setuid or setgid (mode 4755): an extension may not raise privilege: refused" \
	"$pkg" --root "$root" --extensions --repo "$repo" install suid
[ "$(snap "$root")" = "$before" ] || fail "a refused setuid extension changed the root"

# The data disk in another machine: one file changed, one put beside it.
p --root "$root" --extensions verify /usr || { cat "$tmp/err" >&2; fail "verify /usr before any change"; }
cp "$ext/usr/bin/tool" "$tmp/tool.orig"
printf '#!/bin/sh\nid\n' >"$ext/usr/bin/tool"
refuse "tool: /usr/bin/tool: size differs" "$pkg" --root "$root" --extensions verify /usr
p --root "$root" --extensions verify /opt || { cat "$tmp/err" >&2; fail "/opt failed for a change under /usr"; }
cp "$tmp/tool.orig" "$ext/usr/bin/tool"
echo 'root::0:0::/root:/bin/sh' >"$ext/usr/bin/planted"
refuse "/usr/bin/planted: not installed by any package" "$pkg" --root "$root" --extensions verify /usr
refuse "/usr/bin/planted: not installed by any package" "$pkg" --root "$root" --extensions verify
rm "$ext/usr/bin/planted"
mkdir "$ext/opt/extra" && echo x >"$ext/opt/extra/f"
refuse "/opt/extra: not installed by any package" "$pkg" --root "$root" --extensions verify /opt
rm -r "$ext/opt/extra"
p --root "$root" --extensions verify /usr /opt || { cat "$tmp/err" >&2; fail "verify after the area was put back"; }
expect_fail "$tmp/err" "$pkg" --root "$root" --extensions verify /etc
expect_line "$tmp/err" "verify /etc: an extension's files are under /usr and /opt only"
p --root "$root" --extensions remove tool || { cat "$tmp/err" >&2; fail "remove the extension"; }
[ ! -e "$ext/usr/bin/tool" ] || fail "tool still there after remove"
echo "pkg --extensions: installed beside the root with its trust, /etc and setuid refused, a changed or foreign file fails its layer's verify, removed"
