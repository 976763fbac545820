#!/bin/sh
# cairnctl update (doc/fleet.md) against 6 node APIs on this host
# (tests/build/fleetlib), 4 of the slurm profile and 2 standalone, each
# with its ESP a tmpfs of its own.  pkg (a fake) stages what the
# "repository" offers; `cairn-agent os reboot`, the real one, arms it and
# calls initctl (a fake) whose reboot takes the node to the armed version,
# or, on a node marked bad, rolls it back and holds it as os check would;
# scontrol (a fake) logs what it is asked and runs each node's
# RebootProgram in the node's own mount namespace once its "job" is done.
# 1. From 1.0 to 2.0 in batches of 2: node002 has a job; its batch waits
#    for it (node002 reboots only once the job is done) while node001 is
#    back; Slurm's nodes rebooted through `scontrol reboot ASAP
#    nextstate=DOWN` and resumed once good, the others through their API.
# 2. 3.0, never healthy on node001, in batches of 1: node001 rolls back,
#    is drained in Slurm with the reason, and the rollout stops before
#    node002, which stays staged, not booted.
# 3. Run again (node001 fixed but still held): it goes on from there
#    without staging again, leaving the held node out.
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/tlslib"
: "${CAIRNCTL:?CAIRNCTL: the host build of cairnctl}"
command -v unshare >/dev/null && command -v nsenter >/dev/null || { echo "skipped: no unshare/nsenter"; exit 77; }
unshare -m true 2>/dev/null || { echo "skipped: no mount namespaces here"; exit 77; }
fleet_esp=1
. "$(dirname "$0")/fleetlib"
opclient operator op-ca cairn-operator

# pkg os-update --stage: what $repo/version names, when newer; a node
# marked stage-fails fails as pkg would.
cat >"$tmp/bin/pkg" <<'SH'
#!/bin/sh
d=$CAIRN_FAKE_ROOT repo=$2 tries=$5
echo "$*" >>"$d/pkg.calls"
v=$(cat "$repo/version")
cur=$(sed -n 's/^IMAGE_VERSION=//p' "$d/etc/os-release")
[ "$v" != "$cur" ] || { echo "pkg: os-update: nothing to do"; exit 0; }
if [ -e "$d/stage-fails" ]; then
	echo "$(date -u +%FT%TZ) update $v to slot b: failed: read back differs" >>"$d/var/lib/cairn/os/log"
	echo "os-update: read back differs" >&2
	exit 1
fi
: >"$d/run/cairn/esp/EFI/Linux/cairn-b+$tries.efi.staged"
printf 'slot b\nversion %s\ntries %s\n' "$v" "$tries" >"$d/var/lib/cairn/os/staged"
echo "os-update: cairn-os $v staged in slot b"
SH
# initctl reboot: what the armed entry boots.  Runs in the node's mount
# namespace (os reboot's child), so the ESP is the node's.
cat >"$tmp/bin/initctl" <<'SH'
#!/bin/sh
d=$CAIRN_FAKE_ROOT
case $1 in
status) echo "containerd   up    pid 10"; exit 0 ;;
reboot) ;;
*) exit 100 ;;
esac
s=$d/var/lib/cairn/os
v=$(sed -n 's/^version //p' "$s/pending")
rm -f "$d/run/cairn/esp/EFI/Linux/cairn-b+"*.efi
echo "rebooted $(date +%s%N)" >>"$d/reboots"
if [ -e "$d/bad" ]; then
	echo "version $v in slot b failed 3 tries: not healthy 300 s after boot 3" >"$s/hold"
else
	printf 'ID=cairn\nIMAGE_VERSION=%s\n' "$v" >"$d/etc/os-release"
fi
rm -f "$s/pending"
echo "5.00 1.00" >"$d/proc/uptime"
SH
# scontrol: reboot runs each node's RebootProgram (os reboot, in its mount
# namespace) once its job is done; update is logged.
cat >"$tmp/bin/scontrol" <<SH
#!/bin/sh
echo "\$*" >>"$tmp/scontrol.log"
[ "\$1" = reboot ] || exit 0
for n in \$(echo "\$5" | tr , ' '); do
	d=$tmp/nodes/\$n
	(
		while [ -e "\$d/busy" ] && [ ! -e "\$d/jobdone" ]; do sleep 0.2; done
		CAIRN_FAKE_ROOT=\$d PATH="$tmp/bin:\$PATH" nsenter -t "\$(cat "\$d/pid")" -m \\
			"$CAIRN_AGENT_STATIC" os reboot --root "\$d" >>"\$d/rebootprogram.log" 2>&1
	) </dev/null >/dev/null 2>&1 &
done
SH
chmod 755 "$tmp/bin/pkg" "$tmp/bin/initctl" "$tmp/bin/scontrol"

key=$(head -c 32 /dev/urandom | base64 -w0)
printf '[slurm]\ncontroller = 127.0.0.1\nmunge-key = %s\n' "$key" >"$tmp/slurm.conf"
for i in 1 2 3 4 5 6; do
	if [ $i -le 4 ]; then fleet_node node00$i "$tmp/slurm.conf" slurm; else fleet_node node00$i; fi
done
: >"$tmp/fleet"
for i in 1 2 3 4 5 6; do
	echo "node00$i 127.0.0.1:$(fleet_port node00$i)" >>"$tmp/fleet"
done
mkdir -p "$tmp/repo"
ctl() {
	"$CAIRNCTL" --cert "$pki/operator.pem" --key "$pki/operator.key" --ca "$pki/node-ca.pem" \
		--nodes-file "$tmp/fleet" --interval 1 --wait 60 --scontrol "$tmp/bin/scontrol" "$@"
}
version() { sed -n 's/^IMAGE_VERSION=//p' "$tmp/nodes/$1/etc/os-release"; }

# ---- 1. 1.0 -> 2.0, batches of 2; node002's job holds its reboot.
echo 2.0 >"$tmp/repo/version"
touch "$tmp/nodes/node002/busy"
ctl update --repo "$tmp/repo" --batch 2 >"$tmp/out1" 2>"$tmp/err1" &
run=$!
waitfor "$tmp/err1" "$(printf '%-16s updated: 2.0' node001)" 120
[ "$(version node002)" = 1.0 ] || fail "node002 rebooted while its job ran"
expect_line "$tmp/scontrol.log" "reboot ASAP nextstate=DOWN reason=cairn update 2.0 node001,node002"
touch "$tmp/nodes/node002/jobdone"
wait $run || { cat "$tmp/out1" "$tmp/err1"; fail "update to 2.0: exit $?"; }
for i in 1 2 3 4 5 6; do
	[ "$(version node00$i)" = 2.0 ] || { cat "$tmp/err1"; fail "node00$i: $(version node00$i), not 2.0"; }
	grep -qE "^node00$i +updated +2\.0, healthy" "$tmp/out1" || { cat "$tmp/out1"; fail "node00$i: not 'updated'"; }
done
expect_line "$tmp/scontrol.log" "reboot ASAP nextstate=DOWN reason=cairn update 2.0 node003,node004"
for i in 1 2 3 4; do expect_line "$tmp/scontrol.log" "update nodename=node00$i state=resume"; done
grep -q "node005\|node006" "$tmp/scontrol.log" && fail "standalone nodes went through Slurm"
# node002 rebooted after node001 came back: its reboot waited for the job.
[ "$(cut -d' ' -f2 "$tmp/nodes/node002/reboots")" -gt "$(cut -d' ' -f2 "$tmp/nodes/node001/reboots")" ] ||
	fail "node002 rebooted before node001"
expect_line "$tmp/nodes/node001/rebootprogram.log" "os: 2.0 in slot b armed (3 tries): rebooting into it"

# ---- 2. 3.0, never healthy on node001: rolled back, drained, stopped.
echo 3.0 >"$tmp/repo/version"
for i in 1 2 3 4 5 6; do
	echo "99.0 1.0" >"$tmp/nodes/node00$i/proc/uptime"
done
touch "$tmp/nodes/node001/bad"
rc=0
ctl update --repo "$tmp/repo" --batch 1 >"$tmp/out2" 2>"$tmp/err2" || rc=$?
[ $rc = 1 ] || { cat "$tmp/out2" "$tmp/err2"; fail "a bad update: exit $rc, not 1"; }
grep -qE '^node001 +FAILED +rolled back to 2\.0: version 3\.0 in slot b failed 3 tries' "$tmp/out2" ||
	{ cat "$tmp/out2"; fail "node001: the rollback not reported"; }
expect_line "$tmp/err2" "cairnctl: stopped: 1 nodes failed, more than --max-failures 0"
expect_line "$tmp/scontrol.log" "update nodename=node001 state=drain reason=cairn update 3.0 failed: rolled back to 2.0"
for i in 2 3 4 5 6; do
	[ "$(version node00$i)" = 2.0 ] || fail "node00$i rebooted after the rollout stopped"
	grep -qE "^node00$i +staged" "$tmp/out2" || { cat "$tmp/out2"; fail "node00$i: not left staged"; }
	nsenter -t "$(cat "$tmp/nodes/node00$i/pid")" -m \
		test -e "$tmp/nodes/node00$i/run/cairn/esp/EFI/Linux/cairn-b+3.efi.staged" ||
		fail "node00$i: its staged image is gone"
done

# ---- 3. Again: on from where it stopped, no second staging; node001 held, left out.
rm -f "$tmp/nodes/node001/bad"
calls=$(cat "$tmp/nodes/node003/pkg.calls" | wc -l)
rc=0
ctl update --repo "$tmp/repo" --batch 50% >"$tmp/out3" 2>"$tmp/err3" || rc=$?
[ $rc = 1 ] || { cat "$tmp/out3" "$tmp/err3"; fail "the second run: exit $rc, not 1 (node001 left out)"; }
grep -qE '^node001 +left out +held after a rollback' "$tmp/out3" || { cat "$tmp/out3"; fail "node001 not left out"; }
for i in 2 3 4 5 6; do
	[ "$(version node00$i)" = 3.0 ] || { cat "$tmp/err3"; fail "node00$i: $(version node00$i), not 3.0"; }
done
[ "$(wc -l <"$tmp/nodes/node003/pkg.calls")" = "$calls" ] || fail "the second run staged node003 again"
echo "cairnctl update: 6 nodes to 2.0 in batches (a job waited for), a bad 3.0 rolled back and stopped after 1, then continued"
