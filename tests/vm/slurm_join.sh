#!/bin/sh
# The slurm profile end to end, with a real controller: Debian 12's munged
# and slurmctld (Slurm 22.05, the image's slurmd's own version) run in a
# network namespace the test makes, behind a bridge with a tap that is the
# guest's only NIC.  The node boots with its config in the image (profile
# slurm, a static address, the controller, the MUNGE key); initd starts
# munged and slurmd (configless, a dynamic node), and slurmd is ready once
# the controller has it.  Then, from the controller's side:
#   - sinfo shows the node idle;
#   - srun -N1 hostname runs on it and prints its host name, in the job's
#     own cgroup (proctrack/cgroup, task/cgroup: no systemd);
#   - containerd stopped on the node fails its health check (Slurm runs
#     /usr/lib/cairn/slurm-health): the node is drained with the reason;
#   - containerd started again: the node is resumed;
#   - `scontrol reboot ASAP nextstate=DOWN`, as cairnctl update asks it
#     (doc/fleet.md), while a job runs: the node waits for the job, which
#     ends with exit 0; slurmd then runs Cairn's RebootProgram (nothing
#     staged: a plain reboot); the node boots again (QEMU restarts it),
#     registers, and stays DOWN with the reason until it is resumed.
BOOT_BOUND=${BOOT_BOUND:-600}
VM_REBOOT=1
. "$(dirname "$0")/vmlib"
. "$(dirname "$0")/slurmlib"

ns=cairn-slurm-$$
node=vm-node-07
job=''
cleanup_ns() {
	[ -z "$job" ] || kill "$job" 2>/dev/null || true
	slurm_cleanup "$ns"
	ip netns del "$ns" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_ns EXIT
trap 'exit 1' INT TERM HUP

vm_bridge_ns "$ns" 10.79.0.1/24
# Cairn's RebootProgram, after a firmware's pause.  Slurm takes a reboot
# as done when the node's boot time (the controller's clock less the
# node's uptime, in whole seconds) is later than the second it sent the
# reboot; real firmware takes far longer than that, a direct kernel boot
# under QEMU may not, and then Slurm sees no reboot at all.
SLURM_REBOOT_PROGRAM=/usr/lib/cairn-test/slurm-reboot
mkdir -p "$vm/root/usr/lib/cairn-test"
printf '#!/bin/sh\nsleep 3\nexec /usr/lib/cairn/slurm-reboot "$@"\n' >"$vm/root/usr/lib/cairn-test/slurm-reboot"
chmod 0755 "$vm/root/usr/lib/cairn-test/slurm-reboot"
slurm_controller "$ns" 10.79.0.1/24

# The node: its config in the image (node.conf(5)'s image source).
mkdir -p "$vm/root/etc/cairn"
cat >"$vm/root/etc/cairn/node.conf" <<EOF
[node]
hostname = $node
profile = slurm

[net mgmt]
match = mac 52:54:00:12:34:77
address = 10.79.0.7/24

[slurm]
controller = 10.79.0.1:6817
munge-key = $(base64 -w0 <"$sdir/munge/munge.key")
EOF
chmod 0600 "$vm/root/etc/cairn/node.conf"

nic="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:77"
VM_NETNS=$ns vm_start "" $nic
vm_run 'n=0; until initctl status slurmd | grep -q " up"; do n=$((n + 1)); [ $n -lt 90 ] || break; sleep 1; done; for s in munged slurmd; do initctl status $s; done | sed "s/^/SLURM-""STATUS /"; initctl timeline | grep -E "slurmd|munged" | sed "s/^/SLURM-""TIMELINE /"; initctl status slurmd | grep -q " up" || initctl log -n 40 slurmd; echo SLURM-""DONE'
vm_wait '^SLURM-DONE' 120
expect 'SLURM-STATUS .*slurmd +up'

# Joined: the controller has it, idle.
until_ctl 30 sh -c "sinfo -h -N -o '%N %t' | grep -x '$node idle'"
# A job runs on it.
ctl timeout 60 srun -N1 -w "$node" hostname >"$vm/srun.out" 2>&1 || { cat "$vm/srun.out"; fail "srun"; }
grep -qx "$node" "$vm/srun.out" || { cat "$vm/srun.out"; fail "srun printed no $node"; }
# Tracked by Slurm's cgroup/v2 plugin without systemd: the job's own group.
ctl timeout 60 srun -N1 -w "$node" cat /proc/self/cgroup >"$vm/srun.out" 2>&1 || { cat "$vm/srun.out"; fail "srun cat"; }
grep -Eq "^0::/system.slice/${node}_slurmstepd.scope/job_[0-9]+/step_0" "$vm/srun.out" ||
	{ cat "$vm/srun.out"; fail "the job is not in its cgroup"; }

# A failed health check drains it with the check as the reason; fixed, it is resumed.
vm_run 'initctl stop containerd'
node_line "$node" 'State=[^ ]*DRAIN.* Reason=cairn: containerd'
reason=$(node_reason "$node")
vm_run 'initctl start containerd'
node_line "$node" 'State=IDLE' 'State=[^ ]*DRAIN'

# Rebooted through Slurm, never under a job.  The job's last act is a
# line on the console, which must come before the reboot's first.
ctl_bg timeout 300 srun -N1 -w "$node" sh -c \
	'until [ -e /run/job-go ]; do sleep 0.2; done; echo "<2>SLURM-JOB-ENDS" >/dev/kmsg' \
	>"$vm/job.out" 2>&1 &
job=$!
node_line "$node" 'State=(ALLOCATED|MIXED)'
ctl scontrol reboot ASAP nextstate=DOWN reason="test reboot" "$node" || fail "scontrol reboot"
node_line "$node" 'State=[^ ]*REBOOT_REQUESTED'
! grep -aq 'reboot: Restarting system' "$vm/log" || fail "rebooted before its job ended"
vm_run 'touch /run/job-go'
wait "$job" || { cat "$vm/job.out"; fail "the job did not end with exit 0"; }
job=
wait_n 'cairn: boot ok' 2 300
node_line "$node" 'State=DOWN' 'State=[^ ]*REBOOT'
after=$(node_reason "$node")
case $after in
"test reboot"*"reboot complete") ;;
*) slurm_fail "after the reboot: reason '$after', not the one asked with Slurm's 'reboot complete'" ;;
esac
tr -d '\r' <"$vm/log" | awk '/SLURM-JOB-ENDS/ && !j { j = NR } /reboot: Restarting system/ && !r { r = NR }
	END { exit !(j && r && j < r) }' || fail "the reboot did not wait for the job's end"
ctl scontrol update nodename="$node" state=resume || fail "scontrol resume"
node_line "$node" 'State=IDLE' 'State=[^ ]*(DRAIN|DOWN|REBOOT)'
vm_run 'initctl poweroff'
vm_end
echo "slurm: joined $(sed -n 's/^SLURM-TIMELINE //p' "$vm/log" | grep slurmd | head -n 1)"
echo "slurm: idle in sinfo, srun ran hostname in its job cgroup, drained with '$reason', resumed"
echo "slurm: scontrol reboot ASAP waited for the job, the RebootProgram rebooted the node, DOWN ('$after') until resumed"
