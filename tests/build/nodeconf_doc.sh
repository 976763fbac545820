#!/bin/sh
# node.conf(5)'s key list is what `cairn-agent config keys` prints, word for
# word: the doc lists the keys the parser reads, from the one table of them
# (agent/conf/nodeconf_keys.c), no more and no fewer.
. "$(dirname "$0")/testlib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
doc=doc/node-config.md
begin='<!-- keys: made by cairn-agent config keys; do not edit -->'
end='<!-- /keys -->'
[ "$(grep -cxF -- "$begin" "$doc")" = 1 ] && [ "$(grep -cxF -- "$end" "$doc")" = 1 ] ||
	fail "$doc: not one '$begin' ... '$end'"
"$CAIRN_AGENT" config keys >"$tmp/keys" || fail "cairn-agent config keys failed"
awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$doc" >"$tmp/doc"
diff -u "$tmp/doc" "$tmp/keys" >"$tmp/diff" || {
	cat "$tmp/diff" >&2
	fail "$doc: its key list is not what 'cairn-agent config keys' prints (put that between its markers)"
}
echo "ok: node.conf(5)'s key list is cairn-agent config keys"
