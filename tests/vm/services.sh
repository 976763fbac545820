#!/bin/sh
# Services under initd, end to end: a crashing service restarts with
# growing delays and is marked failed at its limit; a service that depends
# on a slow one starts only once that one is ready (file, fd and check
# readiness); user, cgroup limits and capabilities are applied; malformed
# service files are reported and skipped while the rest start; initctl
# status, timeline, log, stop, start and reload tell and do the truth.
. "$(dirname "$0")/vmlib"

svc crash 'command = /bin/sh -c "cut -d\" \" -f1 /proc/uptime >>/run/crash.times; echo crash-out; exit 3"
restart-delay = 300ms
restart-delay-max = 2s
restart-limit = 4/60s'
svc slow 'command = /bin/sh -c "sleep 2; touch /run/slow.ready; exec sleep 100000"
ready = file:/run/slow.ready'
svc after-slow 'depends = slow
command = /bin/sh -c "test -e /run/slow.ready && echo saw-ready >/run/after.txt || echo too-early >/run/after.txt; exec sleep 100000"'
svc notify 'command = /bin/sh -c "sleep 1; echo ready >&5; exec sleep 100000"
ready = fd:5'
svc after-notify 'depends = notify chk
command = /bin/sleep 100000'
svc chk 'command = /bin/sh -c "sleep 1; touch /run/chk.flag; exec sleep 100000"
ready = check:/bin/test -e /run/chk.flag'
svc limited 'command = /bin/sh -c "id -u >/tmp/limited.uid; exec sleep 100000"
user = nobody
memory-max = 64M
cpu-max = 50%
caps = net_bind_service'
svc rootcaps 'command = /bin/sleep 100000
caps = net_admin'
# Bad ones: each is named with its reason, none stops the others.
printf 'command = /bin/true\n\001\002\377garbage\n' >"$vm/root/etc/initd/garbage"
svc nocmd 'restart = always'
svc unknownkey 'command = /bin/true
colour = blue'
svc baduser 'command = /bin/true
user = nosuchuser'
svc cyc1 'command = /bin/true
depends = cyc2'
svc cyc2 'command = /bin/true
depends = cyc1'
svc BADNAME 'command = /bin/true'

vm_start ""
vm_wait 'crash: .*failed: 4 restarts' 60
vm_wait 'after-notify: ready' 30
vm_run 'echo "uid=$(cat /tmp/limited.uid) after=$(cat /run/after.txt)"'
vm_run 'echo "mem=$(cat /sys/fs/cgroup/initd/limited/memory.max) cpu=$(cat /sys/fs/cgroup/initd/limited/cpu.max)"'
vm_run 'echo "amb=$(grep CapAmb /proc/$(cat /sys/fs/cgroup/initd/limited/cgroup.procs | head -n1)/status | cut -f2)"'
vm_run 'echo "bnd=$(grep CapBnd /proc/$(cat /sys/fs/cgroup/initd/rootcaps/cgroup.procs)/status | cut -f2)"'
vm_run 'echo "times: $(tr "\n" " " </run/crash.times)"'
vm_run 'initctl status; echo "status-rc=$?"'
vm_run 'initctl timeline; echo "timeline-rc=$?"'
vm_run 'initctl log crash | head -n 2'
vm_run 'initctl status nosuch; echo "nosuch-rc=$?"'
vm_run 'initctl frobnicate; echo "usage-rc=$?"'
# Each step waits in the guest for the state it reads (30 s at most).
vm_run 'initctl stop slow; n=0; until initctl status slow | grep -q " down"; do n=$((n + 1)); [ $n -lt 30 ] || break; sleep 1; done; initctl status slow'
# The root is read-only: the service directory, as a site's extension or
# a writable copy would make it, is a copy bound over /etc/initd.
vm_run 'cp -a /etc/initd /run/initd.d && mount --bind /run/initd.d /etc/initd'
vm_run 'rm /etc/initd/rootcaps; printf "command = /bin/sleep 99999\n" >/etc/initd/fresh; echo "env = CHANGED=1" >>/etc/initd/after-slow; initctl reload'
vm_run 'n=0; until initctl status fresh | grep -q " up" && ! initctl status rootcaps >/dev/null 2>&1; do n=$((n + 1)); [ $n -lt 30 ] || break; sleep 1; done; initctl status | grep -E "^(fresh|rootcaps) " | tr -s " " | cut -d" " -f1,2; echo reload""-done'
vm_wait '^reload-done' 60
# initd drops a console line rather than wait for a busy console (the
# shell's echo fills it here); its ring keeps every line: read them there.
vm_run 'n=0; until initctl log initd | grep -q "rootcaps: removed" && initctl log initd | grep -q "after-slow: definition reloaded"; do n=$((n + 1)); [ $n -lt 30 ] || break; sleep 1; done; initctl log initd | grep -E "reload:|removed|definition reloaded"; echo ring""-done'
vm_wait '^ring-done' 60
vm_run 'initctl poweroff'
vm_end

expect 'uid=65534 after=saw-ready'
expect 'mem=67108864 cpu=50000 100000'
expect 'amb=0000000000000400'
expect 'bnd=0000000000001000'
expect 'garbage:2: .*NUL|garbage:2: '
expect 'nocmd: no command'
expect "unknownkey:2: unknown key 'colour'"
expect "baduser: user 'nosuchuser': not in /etc/passwd"
expect 'dependency cycle: cyc[12] -> cyc[12] -> cyc[12]'
expect 'BADNAME: not a service name'
expect 'crash: exited 3; restart 1 in 300 ms'
expect 'crash: exited 3; restart 4 in 2000 ms'
expect '^crash +failed +0 +- +4 +exit:3'
expect '^slow +up +[0-9]+ '
expect '^limited +up '
expect 'status-rc=0'
expect 'timeline-rc=0'
expect 'initctl: no service .nosuch.'
expect 'nosuch-rc=1'
expect "initctl: unknown request 'frobnicate'"
expect 'usage-rc=100'
expect '^slow +down '
expect 'T[0-9:.]+Z crash-out'
expect 'reload: 1 added, 1 changed, 1 removed'
expect 'after-slow: definition reloaded'
expect '^fresh up'
expect 'rootcaps: removed'
expect 'reboot: Power down'

# Delays grow: each gap between starts at least the delay initd said.
times=$(sed -n 's/.*times: \([0-9. ]*\).*/\1/p' "$vm/log" | tail -n 1)
set -- $times
[ $# -eq 5 ] || fail "crash started $# times, want 5 (1 + 4 restarts): $times"
prev=$1
shift
for want in 0.3 0.6 1.2 2.0; do
	awk -v a="$prev" -v b="$1" -v w="$want" 'BEGIN { exit !(b - a >= w && b - a < w + 1.5) }' ||
		fail "restart gap $prev -> $1 is not about ${want}s"
	prev=$1
	shift
done
# The timeline is in ready order and after-slow follows slow by ~2 s.
awk '/^initd [0-9.]+s$/ { t = 1 } t && /^[a-z-]+ [0-9.]+s$/ { print }' "$vm/log" >"$vm/timeline"
grep -q '^slow ' "$vm/timeline" && grep -q '^after-slow ' "$vm/timeline" || fail "timeline lacks slow/after-slow"
sort -k2 -n -c "$vm/timeline" 2>/dev/null || fail "timeline not in time order"
echo "services: backoff, failed, dependencies, readiness, limits, bad files, initctl"
