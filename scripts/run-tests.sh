#!/bin/sh
# scripts/run-tests.sh: run test programs or scripts, one line each, and
# fail when any fails.  A test's output is shown only when it fails.
# Exit status 77 means "skipped" (automake's convention) and is reported.
#
# usage: run-tests.sh SUITE TEST...
. "$(dirname "$0")/lib.sh"

suite=$1
shift
logdir=${TEST_LOGDIR:-$(mktemp -d)}
mkdir -p "$logdir"
failed=0 passed=0 skipped=0
for t in "$@"; do
	name=${t##*/}
	log=$logdir/$suite-$name.log
	start=$(date +%s)
	set +e
	"$t" >"$log" 2>&1
	rc=$?
	set -e
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) say PASS "$suite/$name (${secs}s)"; passed=$((passed + 1)) ;;
	77) say SKIP "$suite/$name: $(tail -n 1 "$log")"; skipped=$((skipped + 1)) ;;
	*) say FAIL "$suite/$name (exit $rc)"; sed 's/^/	/' "$log" | tail -n 60; failed=$((failed + 1)) ;;
	esac
done
echo "  $suite: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
