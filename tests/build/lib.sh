# tests/build/lib.sh: what the build tests share.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_fail OUTFILE CMD...: CMD must fail; its stderr+stdout land in OUTFILE.
expect_fail() {
	out=$1
	shift
	if "$@" >"$out" 2>&1; then
		cat "$out" >&2
		fail "'$*' succeeded but should have failed"
	fi
}

# expect_line OUTFILE TEXT: OUTFILE holds TEXT (fixed string).
expect_line() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "no line with: $2"; }
}
