#!/bin/sh
# cairn-agent os auto (doc/update.md, unattended updates), on a fake root
# with a fake pkg and initctl: inside node.conf [update] window it runs
# pkg os-update from [update] repo and reboots into what is then pending;
# with nothing new it does not reboot and waits for the next window;
# outside the window it runs nothing; with no window it is off; a window
# without a repository is a bad config.
. "$(dirname "$0")/testlib"

: "${CAIRN_AGENT:?CAIRN_AGENT: the host build of cairn-agent}"
root=$tmp/root
mkdir -p "$root/var/lib/cairn/os" "$tmp/bin"
cat >"$tmp/bin/pkg" <<SH
#!/bin/sh
echo "\$*" >"$tmp/pkg.args"
[ -e "$tmp/new" ] || { echo "pkg: os-update: nothing to do"; exit 0; }
printf 'slot b\nversion 9.9\ntries 3\n' >"$root/var/lib/cairn/os/pending"
echo "os-update: cairn-os 9.9 in slot b: it boots next"
SH
printf '#!/bin/sh\necho "$*" >"%s/initctl.args"\n' "$tmp" >"$tmp/bin/initctl"
chmod +x "$tmp/bin/pkg" "$tmp/bin/initctl"

# conf FROM TO: a node config whose window is now+FROM .. now+TO minutes (UTC).
conf() {
	now=$(date -u +%s)
	printf '[node]\nhostname = auto\n[update]\nrepo = /dev/vdz\nwindow = %s-%s\n' \
		"$(date -u -d "@$((now + $1 * 60))" +%H:%M)" "$(date -u -d "@$((now + $2 * 60))" +%H:%M)" >"$tmp/node.conf"
}
auto() {	# SECONDS: os auto for at most that long; its output in $tmp/out
	PATH="$tmp/bin:$PATH" timeout "$1" "$CAIRN_AGENT" os auto --config "$tmp/node.conf" --root "$root" \
		--spread 0 >"$tmp/out" 2>&1
}
# auto_bg: os auto in the background, as $auto; its output in $tmp/out.
auto_bg() {
	PATH="$tmp/bin:$PATH" "$CAIRN_AGENT" os auto --config "$tmp/node.conf" --root "$root" \
		--spread 0 >"$tmp/out" 2>&1 &
	auto=$!
}
# still_waiting WHAT: $auto has not ended; then it is stopped.
still_waiting() {
	case $(pstate "$auto") in
	'' | Z) cat "$tmp/out"; fail "$1" ;;
	esac
	kill "$auto"
	wait "$auto" 2>/dev/null || true
}

# An update there: pkg, then the reboot.
touch "$tmp/new"
conf -1 10
auto 60 || { cat "$tmp/out"; fail "os auto with an update did not exit 0"; }
expect_line "$tmp/out" "os: unattended updates from /dev/vdz"
expect_line "$tmp/out" "os: 9.9 pending in slot b: rebooting into it"
expect_line "$tmp/pkg.args" "--repo /dev/vdz os-update"
expect_line "$tmp/initctl.args" "reboot"
expect_line "$root/var/lib/cairn/os/log" "unattended: 9.9 pending in slot b: rebooting into it"

# Nothing new: no reboot; it waits for tomorrow's window (still running
# once it has said so).
rm -f "$tmp/new" "$tmp/pkg.args" "$tmp/initctl.args" "$root/var/lib/cairn/os/pending"
auto_bg
waitfor "$tmp/out" "os: nothing new; the next window opens in"
still_waiting "os auto with nothing new ended instead of waiting"
expect_line "$tmp/pkg.args" "--repo /dev/vdz os-update"
[ ! -e "$tmp/initctl.args" ] || fail "rebooted with nothing new"

# Outside the window: nothing runs.  No event says "nothing ran": once it
# has started, it is watched for 2 s (a slow machine only makes the
# check weaker, never wrong).
rm -f "$tmp/pkg.args"
conf 120 180
auto_bg
waitfor "$tmp/out" "os: unattended updates from /dev/vdz"
sleep 2
[ ! -e "$tmp/pkg.args" ] || { cat "$tmp/out"; fail "os auto ran pkg outside its window"; }
still_waiting "os auto outside its window ended instead of waiting"

# No window: off.  A window without a repository: refused.
printf '[node]\nhostname = auto\n' >"$tmp/node.conf"
auto 30 || fail "os auto with no window failed"
expect_line "$tmp/out" "no [update] window in the node config: unattended updates are off"
printf '[node]\nhostname = auto\n[update]\nwindow = 01:00-02:00\n' >"$tmp/node.conf"
expect_fail "$tmp/out" env PATH="$tmp/bin:$PATH" "$CAIRN_AGENT" os auto --config "$tmp/node.conf" --root "$root"
expect_line "$tmp/out" "[update] window needs repo"
expect_fail "$tmp/out" "$CAIRN_AGENT" os auto --timeout 5
echo "os auto: an update in the window rebooted into, nothing new left alone, nothing outside the window, off without one"
