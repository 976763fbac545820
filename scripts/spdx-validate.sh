#!/bin/sh
# scripts/spdx-validate.sh: SPDX JSON documents against the SPDX 2.3 JSON
# schema the lock pins (spdx-schema, in DL_DIR), with Debian's
# python3-jsonschema; and what the schema cannot say but a scanner walks:
# every SPDXID once, every relationship naming elements of the document,
# the document describing something.  The image's SBOM is checked so when
# it is made (the Makefile), and tests/build/sbom_schema.sh checks pkg's.
#
# usage: spdx-validate.sh DOC...
# env: DL_DIR
# Exit 0 when every DOC is valid; 1, with each fault named, when one is
# not; 77 when the schema is not in DL_DIR (a `check` input of the lock:
# the build goes on, saying the SBOM was not checked).
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: spdx-validate.sh DOC..."
lock=$(dirname "$0")/../sources.lock
python3 -c 'import jsonschema' 2>/dev/null || die "python3-jsonschema missing: run 'make hostdeps'"
entry=$(lock_lines check "$lock" | awk '$2 == "spdx-schema" { print $4, $5; exit }')
[ -n "$entry" ] || die "$lock pins no spdx-schema"
file=$DL_DIR/${entry% *} sum=${entry#* }
[ -f "$file" ] || {
	echo "$prog: not checked: $file is missing (sources.lock's spdx-schema: fetch it where its URL is reachable, or copy it into DL_DIR)" >&2
	exit 77; }
[ "$(sha256_of "$file")" = "$sum" ] || die "$file: sha256 is not the one $lock pins"

python3 -W ignore::DeprecationWarning -c '
import json, sys, jsonschema

schema_path = sys.argv[1]
with open(schema_path) as f:
    schema = json.load(f)
if (schema.get("$schema") != "http://json-schema.org/draft-07/schema#" or
        schema.get("$id") != "http://spdx.org/rdf/terms/2.3" or schema.get("title") != "SPDX 2.3"):
    sys.exit("spdx-validate.sh: %s: not the SPDX 2.3 JSON schema (draft-07)" % schema_path)
validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for path in sys.argv[2:]:
    faults = []
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        faults.append("not JSON: %s" % e)
        doc = None
    if doc is not None:
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))[:20]:
            faults.append("%s at /%s" % (e.message, "/".join(str(p) for p in e.absolute_path)))
    if doc is not None and not faults:
        ids = [doc["SPDXID"]] + [p["SPDXID"] for p in doc.get("packages", [])]
        for i in sorted(set(i for i in ids if ids.count(i) > 1)):
            faults.append("SPDXID %s given twice" % i)
        rels = doc.get("relationships", [])
        for r in rels:
            for k in ("spdxElementId", "relatedSpdxElement"):
                if r[k] not in ids:
                    faults.append("a %s relationship names %s, which is not in the document" %
                                  (r["relationshipType"], r[k]))
        if not any(r["spdxElementId"] == doc["SPDXID"] and r["relationshipType"] == "DESCRIBES"
                   for r in rels) and not doc.get("documentDescribes"):
            faults.append("the document DESCRIBES nothing")
    for m in faults:
        print("spdx-validate.sh: %s: %s" % (path, m), file=sys.stderr)
    bad |= bool(faults)
sys.exit(1 if bad else 0)
' "$file" "$@" || die "the SPDX check failed (schema $(basename "$file")): see above"
