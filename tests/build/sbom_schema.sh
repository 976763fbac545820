#!/bin/sh
# pkg sbom as a vulnerability scanner reads it (doc/pkg.md "Identifiers"):
# packages carrying purl, cpe and download lines, in a repository and
# installed in a root, give SPDX 2.3 documents that validate against the
# schema the lock pins (spdx-schema; scripts/spdx-validate.sh, which the
# image's SBOM goes through too) and carry each purl, CPE, download
# location, and the DESCRIBES, CONTAINS and DEPENDS_ON relationships; the
# same packages give the same bytes.  The real recipes' identifiers, made
# by scripts/pkgbuild.sh from sources.lock (busybox, glibc, nvidia) and
# none for cairn-os, validate too.  Attacks: identifiers that would inject
# JSON (a quote, a backslash, a line break, a space) are refused by pkg
# build and by pkg index for a package made by hand, so they never reach a
# document.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/pkglib"

python3 -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing: make hostdeps"
# The schema is a `check` input: where it could not be fetched, say so.
schema=$(sed -e 's/#.*//' sources.lock | awk '$1 == "check" && $2 == "spdx-schema" { print $4 }')
[ -n "$schema" ] || fail "sources.lock pins no spdx-schema"
[ -f "$DL_DIR/$schema" ] || { echo "skipped: DL_DIR has no $schema (sources.lock's spdx-schema)"; exit 77; }
export SOURCE_DATE_EPOCH=1764201600
validate() {
	scripts/spdx-validate.sh "$@" 2>"$tmp/invalid" || { cat "$tmp/invalid" >&2; fail "not valid SPDX 2.3: $*"; }
}

# check DOC ROOTNAME: what a scanner walks, read back from the document.
cat >"$tmp/check.py" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
root = sys.argv[2]
pk = {p["SPDXID"]: p for p in doc["packages"]}
rel = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
def refs(p, cat, typ):
    return [r["referenceLocator"] for r in p.get("externalRefs", [])
            if r["referenceCategory"] == cat and r["referenceType"] == typ]
def want(ok, what):
    if not ok:
        sys.exit("FAIL: %s: %s" % (sys.argv[1], what))
want(pk["SPDXRef-Root"]["name"] == root, "the root package is not named " + root)
want(("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Root") in rel, "the document DESCRIBES no root")
for i in pk:
    if i != "SPDXRef-Root":
        want(("SPDXRef-Root", "CONTAINS", i) in rel, "the root does not CONTAIN " + i)
lib, app = pk["SPDXRef-Package-lib"], pk["SPDXRef-Package-app"]
want(("SPDXRef-Package-app", "DEPENDS_ON", "SPDXRef-Package-lib") in rel, "no app DEPENDS_ON lib")
want(refs(lib, "PACKAGE-MANAGER", "purl") == [
    "pkg:generic/lib@1.2%2Bdfsg-r1?arch=x86_64&checksum=sha256:" + lib["sourceInfo"][-64:],
    "pkg:deb/debian/libfoo1@1:1.2%2Bdfsg-3?arch=amd64&distro=debian-12&upstream=foo",
    "pkg:deb/debian/foo@1:1.2%2Bdfsg-3?arch=source&distro=debian-12"], "lib's purls: %s" % lib)
want(refs(lib, "SECURITY", "cpe23Type") == ["cpe:2.3:a:foo_project:foo:1.2:*:*:*:*:*:*:*"], "lib's cpe")
want(lib["downloadLocation"] == "NOASSERTION", "a Debian-only source has a downloadLocation")
want(app["downloadLocation"] == "https://example.org/app-1.0.tar.gz", "app's downloadLocation")
want(refs(app, "SECURITY", "cpe23Type") == ["cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*",
                                              "cpe:2.3:a:example:app_core:1.0:*:*:*:*:*:*:*"], "app's cpes")
base = pk["SPDXRef-Package-base"]
want(len(base["externalRefs"]) == 1 and base["downloadLocation"] == "NOASSERTION", "base has identifiers")
PY

mkdir -p "$tmp/t/lib/usr/lib" "$tmp/t/app/usr/bin" "$tmp/t/base/etc"
echo lib >"$tmp/t/lib/usr/lib/libfoo.so.1"
echo app >"$tmp/t/app/usr/bin/app"
echo base >"$tmp/t/base/etc/base"
mkpkg lib 1.2+dfsg-r1 "$tmp/t/lib" "purl pkg:deb/debian/libfoo1@1:1.2%2Bdfsg-3?arch=amd64&distro=debian-12&upstream=foo
purl pkg:deb/debian/foo@1:1.2%2Bdfsg-3?arch=source&distro=debian-12
cpe cpe:2.3:a:foo_project:foo:1.2:*:*:*:*:*:*:*
"
mkpkg app 1.0 "$tmp/t/app" "download https://example.org/app-1.0.tar.gz
cpe cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*
cpe cpe:2.3:a:example:app_core:1.0:*:*:*:*:*:*:*
depends lib
"
# A summary in UTF-8 with two bytes that are not: the document stays JSON.
mkpkg base 1.0 "$tmp/t/base" "$(printf 'summary base caf\303\251 \377\376')
"
keyset
publish 1

# The repository's document, and an installed root's.
mkdir -p "$tmp/r0" "$tmp/r1"
p --repo "$repo" --trust "$keys/root" --root "$tmp/r0" sbom --name 'site "repo"' >"$tmp/repo.json" ||
	{ cat "$tmp/err" >&2; fail "pkg sbom --repo"; }
mkdir -p "$tmp/root"
p --root "$tmp/root" --repo "$repo" --trust "$keys/root" install app base || { cat "$tmp/err" >&2; fail "install"; }
p --root "$tmp/root" sbom --name cairn-test --version 0.42 >"$tmp/root.json" || { cat "$tmp/err" >&2; fail "pkg sbom --root"; }
validate "$tmp/repo.json" "$tmp/root.json"
python3 "$tmp/check.py" "$tmp/repo.json" 'site "repo"' || fail "the repository's SBOM"
python3 "$tmp/check.py" "$tmp/root.json" cairn-test || fail "the root's SBOM"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["packages"][0]
assert r["versionInfo"] == "0.42" and r["primaryPackagePurpose"] == "OPERATING_SYSTEM", r' "$tmp/root.json" ||
	fail "the root package's version or purpose"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
s = [p for p in d["packages"] if p["name"] == "base"][0]["summary"]
assert s == "base caf\u00e9 \ufffd\ufffd", s' "$tmp/root.json" || fail "a summary's UTF-8 kept, its bad bytes as U+FFFD"
# The same packages, the same bytes.
"$pkg" --root "$tmp/root" sbom --name cairn-test --version 0.42 >"$tmp/again.json" 2>"$tmp/err"
cmp -s "$tmp/root.json" "$tmp/again.json" || fail "two SBOMs of one root differ"
# The validator bites: a package without downloadLocation, a relationship to nothing.
python3 - "$tmp/root.json" "$tmp/bad1.json" "$tmp/bad2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["packages"][1]["downloadLocation"]; json.dump(d, open(sys.argv[2], "w"))
d = json.load(open(sys.argv[1]))
d["relationships"].append({"spdxElementId": "SPDXRef-Root", "relationshipType": "CONTAINS",
                           "relatedSpdxElement": "SPDXRef-Package-nowhere"})
json.dump(d, open(sys.argv[3], "w"))
PY
expect_fail "$tmp/v1" scripts/spdx-validate.sh "$tmp/bad1.json"
expect_line "$tmp/v1" "'downloadLocation' is a required property"
expect_fail "$tmp/v2" scripts/spdx-validate.sh "$tmp/bad2.json"
expect_line "$tmp/v2" "names SPDXRef-Package-nowhere, which is not in the document"

# The real recipes' identifiers, from sources.lock and the .debs in DL_DIR.
for s in libc6_2.41-12+deb13u5_amd64.deb nvidia-open-kernel-source_550.163.01-2_amd64.deb; do
	[ -f "$DL_DIR/$s" ] || fail "$DL_DIR/$s missing: make fetch"
done
fb=$tmp/b
mkdir -p "$fb/src/glibc/usr/share/doc/libc6" "$fb/src/busybox" "$tmp/tree/usr/lib" "$tmp/real"
echo copyright >"$fb/src/glibc/usr/share/doc/libc6/copyright"
echo license >"$fb/src/busybox/LICENSE"
echo x >"$tmp/tree/usr/lib/x"
for r in glibc busybox nvidia cairn-os; do
	PKG=$pkg BOARD=test BOARD_ARCH=x86_64 B=$fb CAIRN_PKG_VERSION=0.1 CAIRN_SOURCE_SHA256=$(echo c | sha256sum | cut -c1-64) \
		scripts/pkgbuild.sh "$r" "$tmp/real" "$tmp/tree" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "pkgbuild.sh $r"; }
done
# meta PKG: a package's metadata lines (after its header line).
meta() {
	python3 -c 'import sys; f = open(sys.argv[1], "rb"); h = f.readline().split()
sys.stdout.write(f.read(int(h[2])).decode())' "$1"
}
meta "$tmp/real"/glibc-*.pkg >"$tmp/glibc.meta"
expect_line "$tmp/glibc.meta" "purl pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&distro=debian-13&upstream=glibc"
expect_line "$tmp/glibc.meta" "cpe cpe:2.3:a:gnu:glibc:2.41:*:*:*:*:*:*:*"
grep -q '^download ' "$tmp/glibc.meta" && fail "a Debian binary package got a download line (a mirror's URL)"
meta "$tmp/real"/busybox-*.pkg >"$tmp/busybox.meta"
expect_line "$tmp/busybox.meta" "purl pkg:generic/busybox@1.37.0"
grep -q "arch=source" "$tmp/busybox.meta" && fail "busybox, built from the upstream tarball, is named as Debian's source package"
expect_line "$tmp/busybox.meta" "cpe cpe:2.3:a:busybox:busybox:1.37.0:*:*:*:*:*:*:*"
expect_line "$tmp/busybox.meta" "download https://busybox.net/downloads/busybox-1.37.0.tar.bz2"
meta "$tmp/real"/nvidia-*.pkg >"$tmp/nvidia.meta"
n=$(sed -e 's/#.*//' sources.lock | awk '$1 == "src" && ($2 == "nvidia" || $2 ~ /^nvidia-/)' | wc -l)
[ "$(grep -c '^purl pkg:deb/debian/' "$tmp/nvidia.meta")" -eq "$n" ] ||
	{ cat "$tmp/nvidia.meta" >&2; fail "nvidia: not one purl for each of the lock's $n nvidia sources"; }
expect_line "$tmp/nvidia.meta" "purl pkg:deb/debian/libcuda1@550.163.01-2?arch=amd64&distro=debian-13&upstream=nvidia-graphics-drivers"
expect_line "$tmp/nvidia.meta" "cpe cpe:2.3:a:nvidia:gpu_display_driver:550.163.01:*:*:*:*:*:*:*"
# cairn-os is read by nodes whose pkg may not know these keys: none.
meta "$tmp/real"/cairn-os-*.pkg >"$tmp/os.meta"
! grep -qE '^(purl|cpe|download) ' "$tmp/os.meta" || { cat "$tmp/os.meta" >&2; fail "cairn-os carries identifiers"; }
repo=$tmp/real
publish 2
p --repo "$repo" --trust "$keys/root" --root "$tmp/r1" sbom --name real >"$tmp/real.json" ||
	{ cat "$tmp/err" >&2; fail "pkg sbom of the real recipes"; }
validate "$tmp/real.json"
repo=$tmp/repo

# Attacks: JSON smuggled into an identifier is refused at build time...
for bad in 'purl pkg:generic/x"},{"SPDXID":"SPDXRef-DOCUMENT@1' 'cpe cpe:2.3:a:x\\:y:z:1:*:*:*:*:*:*:*' \
	'download https://example.org/a b' 'purl pkg:generic/x@1\u0022'; do
	mkspec "$tmp/evil.spec" evil 1.0 "$bad
"
	refuse "space, quote, backslash" "$pkg" build -o "$tmp/evil.pkg" "$tmp/evil.spec" "$tmp/t/base"
done
# ...a line break splits it into a line pkg build does not know...
mkspec "$tmp/evil.spec" evil 1.0 'purl pkg:generic/x@1
"}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT"
'
refuse "unknown line '\"}]" "$pkg" build -o "$tmp/evil.pkg" "$tmp/evil.spec" "$tmp/t/base"
[ ! -e "$tmp/evil.pkg" ] || fail "a refused build left a package"
# ...a package made by hand with one is refused by pkg index, before any SBOM...
printf 'format 1\nname evil\nversion 1.0\narch x86_64\nlicense MIT\npurl pkg:generic/x"}]}@1\nsource-sha256 %s\npayload-size 0\n' \
	"$(echo e | sha256sum | cut -c1-64)" >"$tmp/meta"
: | zstd -q -c >"$tmp/payload.zst"
{ printf 'cairn-pkg 1 %s %s\n' "$(wc -c <"$tmp/meta")" "$(wc -c <"$tmp/payload.zst")"; cat "$tmp/meta" "$tmp/payload.zst"; } \
	>"$repo/evil-1.0.x86_64.pkg"
refuse "space, quote, backslash" "$pkg" index "$repo"
rm "$repo/evil-1.0.x86_64.pkg"
# ...and a document name with a line break is refused; one with quotes is escaped (above).
expect_fail "$tmp/nl" "$pkg" --root "$tmp/root" sbom --name 'two
lines'
expect_line "$tmp/nl" "printable ASCII"
echo "pkg sbom: valid SPDX 2.3 with purls, CPEs, download locations and DESCRIBES/CONTAINS/DEPENDS_ON; recipes' identifiers from the lock; JSON injection refused"
