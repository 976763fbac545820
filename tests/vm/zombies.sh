#!/bin/sh
# 1,000 orphans, reparented to PID 1, all exit at once: initd reaps every
# one of them (none is left a zombie) and keeps supervising.
. "$(dirname "$0")/vmlib"

vm_start ""
# Each subshell starts a reader of one FIFO and exits at once: the
# readers are orphans.  One write to the FIFO lets all of them exit at
# the same moment.  Each count is polled (60 s at most) until it is what
# the test wants: the 1000 orphans are cats (each exec'd), then none is
# left and no process is a zombie.
vm_run 'mkfifo /tmp/go; for i in $(seq 1000); do (cat /tmp/go >/dev/null &); done; n=0; until o=$(cat /proc/[0-9]*/stat 2>/dev/null | awk "\$4 == 1 && \$2 == \"(cat)\"" | wc -l); [ "$o" -ge 1000 ] || [ $n -ge 60 ]; do n=$((n + 1)); sleep 1; done; echo "orphans=$o"'
vm_wait 'orphans=[0-9]+' 180
vm_run 'echo go >/tmp/go; n=0; until z=$(cat /proc/[0-9]*/stat 2>/dev/null | awk "\$3 == \"Z\"" | wc -l); l=$(cat /proc/[0-9]*/stat 2>/dev/null | awk "\$4 == 1 && \$2 == \"(cat)\"" | wc -l); [ "$z" -eq 0 ] && [ "$l" -eq 0 ] || [ $n -ge 60 ]; do n=$((n + 1)); sleep 1; done; echo "zombies=$z left=$l"'
vm_wait 'zombies=[0-9]+' 120
vm_run 'initctl status mdev; initctl poweroff'
vm_end
n=$(sed -n 's/.*orphans=\([0-9]*\).*/\1/p' "$vm/log" | tail -n 1)
[ "$n" -ge 1000 ] || fail "only $n orphans were running under PID 1"
expect 'zombies=0 left=0'
expect '^mdev +up '
expect 'reboot: Power down'
echo "$n orphans reaped, no zombie left"
