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
[ "$(id -u)" = 0 ] || { echo "skipped: a network namespace needs root"; exit 77; }
for t in slurmctld srun sinfo scontrol munged nsenter unshare; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin command -v "$t" >/dev/null ||
		{ echo "skipped: $t not installed (scripts/hostdeps.sh)"; exit 77; }
done
PATH=$PATH:/usr/sbin

ns=cairn-slurm-$$
node=vm-node-07
holder=
pids=
cleanup_ns() {
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	vm_cleanup
}
trap cleanup_ns EXIT

vm_bridge_ns "$ns" 10.79.0.1/24

# The controller's side: its own host name (slurmctld runs only where
# SlurmctldHost names it) and its own /run/munge, in namespaces held by a
# sleeping process; ctl runs a command in them.
chmod 0711 "$vm"
c=$vm/ctl
mkdir -p "$c/state" "$c/munge"
ip netns exec "$ns" unshare --mount --uts --propagation private sh -c \
	'hostname ctl && mkdir -p /run/munge && mount -t tmpfs -o mode=0755 munge /run/munge && : >"$1" &&
	exec sleep 100000' holder "$c/ns.ready" &
holder=$!
# Entered only once they are made (before, nsenter would enter the host's).
n=0
until [ -e "$c/ns.ready" ]; do
	n=$((n + 1))
	[ "$n" -lt 300 ] && kill -0 "$holder" 2>/dev/null || fail "the controller's namespaces were not made"
	sleep 0.1
done
ctl() { nsenter -t "$holder" -n -m -u -- env SLURM_CONF="$c/slurm.conf" "$@"; }
ctl hostname | grep -qx ctl || fail "the controller's namespaces are not up"

head -c 64 /dev/urandom >"$c/munge/munge.key"
chown -R munge "$c/munge"
chmod 0700 "$c/munge"
chmod 0400 "$c/munge/munge.key"
ctl chown munge /run/munge
ctl runuser -u munge -- munged --foreground --key-file="$c/munge/munge.key" --log-file=/dev/null \
	--seed-file="$c/munge/seed" >"$c/munged.log" 2>&1 &
pids="$pids $!"

cat >"$c/slurm.conf" <<EOF
ClusterName=cairn-test
SlurmctldHost=ctl(10.79.0.1)
SlurmctldParameters=enable_configless
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$c/state
SlurmctldPidFile=$c/slurmctld.pid
SlurmctldLogFile=$c/slurmctld.log
SlurmctldDebug=info
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
ReturnToService=2
RebootProgram=/usr/lib/cairn/slurm-reboot
ResumeTimeout=300
MpiDefault=none
MailProg=/bin/true
MaxNodeCount=4
TreeWidth=65533
HealthCheckProgram=/usr/lib/cairn/slurm-health
HealthCheckInterval=5
HealthCheckNodeState=ANY
PartitionName=debug Nodes=ALL Default=YES State=UP
EOF
printf 'CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n' >"$c/cgroup.conf"
ctl slurmctld -D -f "$c/slurm.conf" >"$c/slurmctld.out" 2>&1 &
pids="$pids $!"

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
munge-key = $(base64 -w0 <"$c/munge/munge.key")
EOF
chmod 0600 "$vm/root/etc/cairn/node.conf"

# until_ctl SECONDS CMD...: CMD (on the controller) until it succeeds.
until_ctl() {
	s=$1
	shift
	n=0
	until ctl "$@" >"$vm/ctl.out" 2>&1; do
		n=$((n + 1))
		[ "$n" -lt "$s" ] || {
			cat "$vm/ctl.out" "$c/slurmctld.log" 2>/dev/null | tail -n 40
			ctl scontrol show node -o 2>&1
			fail "on the controller, not within ${s}s: $*"
		}
		sleep 1
	done
}
# node_line PATTERN [NOT-PATTERN]: scontrol's line for the node matches
# PATTERN (and not NOT-PATTERN), within 60 s.
node_line() {
	until_ctl 60 sh -c "scontrol show node $node -o | grep -E '$1' ${2:+| grep -vE '$2'}"
}

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
node_line 'State=[^ ]*DRAIN.* Reason=cairn: containerd'
reason=$(ctl scontrol show node "$node" -o | sed -n 's/.*Reason=\(.*\) \[.*/\1/p')
vm_run 'initctl start containerd'
node_line 'State=IDLE' 'State=[^ ]*DRAIN'

# Rebooted through Slurm, never under a job.  The job's last act is a
# line on the console, which must come before the reboot's first.
ctl timeout 300 srun -N1 -w "$node" sh -c \
	'until [ -e /run/job-go ]; do sleep 0.2; done; echo "<2>SLURM-JOB-ENDS" >/dev/kmsg' \
	>"$vm/job.out" 2>&1 &
job=$!
node_line 'State=(ALLOCATED|MIXED)'
ctl scontrol reboot ASAP nextstate=DOWN reason="test reboot" "$node" || fail "scontrol reboot"
node_line 'State=[^ ]*REBOOT_REQUESTED'
[ "$(boots)" = 1 ] || fail "rebooted before its job ended"
vm_run 'touch /run/job-go'
wait "$job" || { cat "$vm/job.out"; fail "the job did not end with exit 0"; }
wait_n 'cairn: boot ok' 2 300
node_line 'State=DOWN' 'State=[^ ]*REBOOT'
after=$(ctl scontrol show node "$node" -o | sed -n 's/.*Reason=\(.*\) \[.*/\1/p')
case $after in
"test reboot"*"reboot complete") ;;
*) fail "after the reboot: reason '$after', not the one asked with Slurm's 'reboot complete'" ;;
esac
tr -d '\r' <"$vm/log" | awk '/SLURM-JOB-ENDS/ && !j { j = NR } /reboot: Restarting system/ && !r { r = NR }
	END { exit !(j && r && j < r) }' || fail "the reboot did not wait for the job's end"
ctl scontrol update nodename="$node" state=resume || fail "scontrol resume"
node_line 'State=IDLE' 'State=[^ ]*(DRAIN|DOWN|REBOOT)'
vm_run 'initctl poweroff'
vm_end
echo "slurm: joined $(sed -n 's/^SLURM-TIMELINE //p' "$vm/log" | grep slurmd | head -n 1)"
echo "slurm: idle in sinfo, srun ran hostname in its job cgroup, drained with '$reason', resumed"
echo "slurm: scontrol reboot ASAP waited for the job, the RebootProgram rebooted the node, DOWN ('$after') until resumed"
