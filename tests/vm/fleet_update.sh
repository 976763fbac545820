#!/bin/sh
# A rolling update of a Slurm cluster with cairnctl (doc/fleet.md): two
# Cairn nodes under OVMF, each flashed with the image (version N in slot
# A), the updates as bundles on read-only disks beside them, and the real
# slurmctld in the test's network namespace (tests/vm/slurmlib), where
# cairnctl runs too, with an operator's certificate, against the nodes'
# mTLS APIs.
# 1. N.1: a job holds fleet1.  cairnctl stages N.1 on both and asks Slurm
#    for `scontrol reboot ASAP`: fleet2 reboots first, into N.1, and is
#    back before the job ends; fleet1 reboots only after its job ends
#    with exit 0.  Both come back on N.1 in slot B, blessed, and cairnctl
#    resumes them in Slurm.
# 2. N.2, never healthy (its containerd does not start), one try, in
#    batches of one: fleet1 tries it, rolls back to N.1 by itself, and is
#    held; cairnctl drains it in Slurm with the reason and stops before
#    fleet2, which stays on N.1 with N.2 staged, never booted.
# Two guests under TCG, fleet1 booting 4 times, on the same cores: each
# QEMU's whole life is bounded by this; each step has its own bound.
BOOT_BOUND=${BOOT_BOUND:-3600}
. "$(dirname "$0")/vmlib"
[ -f "$OUT/disk.img" ] && [ -f "$OUT/disk/cairn-b.efi" ] || { echo "skipped: $(basename "$OUT") has no disk image"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "skipped: OVMF not installed (scripts/hostdeps.sh)"; exit 77; }
need_virtio_blk
: "${CAIRNCTL:?CAIRNCTL: the host build of cairnctl}"
. "$(dirname "$0")/slurmlib"
. "$(dirname "$0")/oslib"

ns=cairn-fleet-$$
base=$vm
q1='' q2='' job='' upd=''
cleanup_fleet() {
	for p in $q1 $q2 $job $upd; do kill "$p" 2>/dev/null || true; done
	slurm_cleanup "$ns"
	ip netns del "$ns" 2>/dev/null || true
	vm=$base qpid=
	vm_cleanup
}
trap cleanup_fleet EXIT
trap 'exit 1' INT TERM HUP

# use NODE: the console functions (vm_run, vm_wait, expect, boots) act on NODE's.
use() {
	case $1 in
	fleet1) vm=$base/fleet1 vm_fd=3 qpid=$q1 ;;
	fleet2) vm=$base/fleet2 vm_fd=4 qpid=$q2 ;;
	esac
}

# ---- the updates: N.1, and N.2 whose containerd never starts
os_tree ok "$n.1"
os_tree bad "$n.2" "sed -i 's|^command = .*|command = /bin/false|' etc/initd/containerd"
os_bundle ok "$n.1" $((trusted + 5)) "$vm/ok.os"
os_bundle bad "$n.2" $((trusted + 6)) "$vm/bad.os"

# ---- the network, the controller, the certificates
vm_bridge_ns "$ns" 10.79.0.1/24
ip -n "$ns" tuntap add dev tap1 mode tap
ip -n "$ns" link set tap1 master br0
ip -n "$ns" link set tap1 up
slurm_controller "$ns" 10.79.0.1/24
pki=$base/pki
vm_pki "$pki" node-ca op-ca
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=cairn-operator/CN=operator" \
	-keyout "$pki/op.key" -out "$pki/op.csr" 2>/dev/null &&
	openssl x509 -req -in "$pki/op.csr" -CA "$pki/op-ca.pem" -CAkey "$pki/op-ca.key" -CAcreateserial \
		-days 2 -out "$pki/op.pem" 2>/dev/null || fail "openssl: the operator's certificate"
: >"$base/nodes"

# ---- the nodes: the image flashed, the config on the ESP
for i in 1 2; do
	node=fleet$i
	d=$base/$node
	mkdir -p "$d"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$node" \
		-keyout "$d/node.key" -out "$d/node.csr" 2>/dev/null &&
		printf 'subjectAltName=DNS:%s\n' "$node" >"$d/ext" &&
		openssl x509 -req -in "$d/node.csr" -CA "$pki/node-ca.pem" -CAkey "$pki/node-ca.key" -CAcreateserial \
			-days 2 -extfile "$d/ext" -out "$d/node.pem" 2>/dev/null || fail "openssl: $node's certificate"
	cp --sparse=always "$OUT/disk.img" "$d/disk.img"
	truncate -s +256M "$d/disk.img"
	cat >"$d/node.conf" <<CONF
[node]
hostname = $node
profile = slurm

[net lan]
match = mac 52:54:00:12:35:0$i
address = 10.79.0.1$i/24

[slurm]
controller = 10.79.0.1:6817
munge-key = $(base64 -w0 <"$sdir/munge/munge.key")

[update]
health-timeout = 40

[api]
listen = 0.0.0.0:7443
cert-file = /var/lib/cairn/api/node.pem
key-file = /var/lib/cairn/api/node.key
client-ca = /var/lib/cairn/api/op-ca.pem
CONF
	MTOOLS_SKIP_CHECK=1 mcopy -i "$d/disk.img@@1M" "$d/node.conf" ::/node.conf || fail "mcopy node.conf"
	echo "$node 10.79.0.1$i:7443" >>"$base/nodes"
done

# Both booted at once, each with its own tap.
for i in 1 2; do
	use fleet$i
	# shellcheck disable=SC2086
	VM_NETNS=$ns VM_NOWAIT=1 vm_launch --uefi --reboot "$OUT" -- $QEMU_MACHINE \
		-netdev tap,id=n0,ifname=tap$((i - 1)),script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:35:0$i \
		$(vm_disk 0 "$vm/disk.img") $(vm_disk 1 "$base/ok.bundle" ,readonly=on) \
		$(vm_disk 2 "$base/bad.bundle" ,readonly=on)
	eval "q$i=\$qpid"
done

# pem_lines FILE: the shell words that print FILE again.
pem_lines() { sed "s/.*/'&'/" "$1" | tr '\n' ' '; }

# Each node's API: its certificate and key, and the operators' CA, put on
# its /var (kept across reboots), then the API started with them.
for i in 1 2; do
	use fleet$i
	vm_wait 'cairn: boot ok' "$bound"
	# One file a line: the console's shell edits lines of 1024 bytes at most.
	# The key root's alone; the certificates for the API's unprivileged side too.
	vm_run 'mkdir -p /var/lib/cairn/api && umask 077'
	vm_run "printf '%s\\n' $(pem_lines "$vm/node.key") >/var/lib/cairn/api/node.key"
	vm_run 'umask 022'
	vm_run "printf '%s\\n' $(pem_lines "$vm/node.pem") >/var/lib/cairn/api/node.pem"
	vm_run "printf '%s\\n' $(pem_lines "$pki/op-ca.pem") >/var/lib/cairn/api/op-ca.pem"
	vm_run 'initctl restart agent-api; echo API""-PUT'
	vm_wait '^API-PUT' 60
done
# cairnctl's nodes and the operator's credentials, for every call below.
export CAIRNCTL_NODES_FILE="$base/nodes" CAIRNCTL_CERT="$pki/op.pem" CAIRNCTL_KEY="$pki/op.key" \
	CAIRNCTL_CA="$pki/node-ca.pem"
# restarts: how many times the kernel of the node in use has rebooted.
restarts() { grep -ac 'reboot: Restarting system' "$vm/log" || true; }
# until_booted N SECONDS: the node in use at N boots, while cairnctl runs.
until_booted() {
	waited=0
	until [ "$(boots)" -ge "$1" ]; do
		kill -0 "$upd" 2>/dev/null || { cat "$base/run1.err"; fail "cairnctl ended before $1 boots"; }
		kill -0 "$qpid" 2>/dev/null || fail "qemu died waiting for boot $1"
		waited=$((waited + 1))
		[ "$waited" -lt "$2" ] || fail "no boot $1 within $2 s"
		sleep 1
	done
}
until_ctl 120 "$CAIRNCTL" status
for i in 1 2; do
	until_ctl 120 sh -c "sinfo -h -N -o '%N %t' | grep -x 'fleet$i idle'"
done

# ---- 1. N.1 through Slurm, a job on fleet1 waited for
use fleet1
ctl_bg timeout 900 srun -N1 -w fleet1 sh -c \
	'until [ -e /run/job-go ]; do sleep 0.2; done; echo "<2>FLEET-JOB-ENDS" >/dev/kmsg' \
	>"$base/job.out" 2>&1 &
job=$!
node_line fleet1 'State=(ALLOCATED|MIXED)'
ctl_bg "$CAIRNCTL" update --repo /dev/vdb --batch 2 --wait 900 --interval 2 --scontrol scontrol \
	>"$base/run1.out" 2>"$base/run1.err" &
upd=$!
# fleet2, idle, reboots into N.1 and is back; fleet1 still runs its job.
use fleet2
until_booted 2 900
node_line fleet1 'State=[^ ]*REBOOT_REQUESTED'
use fleet1
[ "$(restarts)" = 0 ] || fail "fleet1 rebooted before its job ended"
vm_run 'touch /run/job-go'
wait "$job" || { cat "$base/job.out"; fail "fleet1's job did not end with exit 0"; }
job=''
until_booted 2 900
tr -d '\r' <"$vm/log" | awk '/FLEET-JOB-ENDS/ && !j { j = NR } /reboot: Restarting system/ && !r { r = NR }
	END { exit !(j && r && j < r) }' || fail "fleet1 rebooted before its job's end"
rc=0
wait "$upd" || rc=$?
upd=''
cat "$base/run1.err" "$base/run1.out"
[ "$rc" = 0 ] || fail "cairnctl update to $n.1 exited $rc"
for i in 1 2; do
	grep -Eq "^fleet$i +updated" "$base/run1.out" || fail "fleet$i not updated"
	until_ctl 60 sh -c "sinfo -h -N -o '%N %t' | grep -x 'fleet$i idle'"
	use fleet$i
	vm_run 'cairn-agent os status | sed "s/^/OS1 /"; echo "OS1""-DONE"'
	vm_wait '^OS1-DONE' 60
	expect "^OS1 running   slot b, version $n\\.1, good"
done

# ---- 2. N.2, never healthy: fleet1 rolls back and is held; cairnctl stops.
use fleet2
r2=$(restarts)
rc=0
ctl "$CAIRNCTL" update --repo /dev/vdc --batch 1 --tries 1 --wait 900 --interval 2 --scontrol scontrol \
	>"$base/run2.out" 2>"$base/run2.err" || rc=$?
cat "$base/run2.err" "$base/run2.out"
[ "$rc" = 1 ] || fail "cairnctl update to a never-healthy $n.2 exited $rc, not 1"
grep -Eq "^fleet1 +FAILED +rolled back to $n\\.1: " "$base/run2.out" || fail "fleet1's rollback not reported"
grep -Eq "^fleet2 +staged" "$base/run2.out" || fail "fleet2 not left staged"
grep -q 'stopped: 1 nodes failed' "$base/run2.err" || fail "cairnctl did not say it stopped"
node_line fleet1 "State=[^ ]*DRAIN.* Reason=cairn update $n\\.2 failed: rolled back to $n\\.1"
[ "$(restarts)" = "$r2" ] || fail "fleet2 rebooted after fleet1 failed"
! ctl scontrol show node fleet2 -o | grep -q 'State=[^ ]*REBOOT' || fail "a reboot of fleet2 is pending in Slurm"
vm_run 'cairn-agent os status | sed "s/^/OS2 /"; echo "OS2""-DONE"'
vm_wait '^OS2-DONE' 60
expect "^OS2 running   slot b, version $n\\.1, good"
expect "^OS2 staged    $n\\.2 in slot a, 1 tries"
use fleet1
vm_run 'cairn-agent os status | sed "s/^/OS2 /"; echo "OS2""-DONE"'
vm_wait '^OS2-DONE' 60
expect "^OS2 running   slot b, version $n\\.1, good"
expect "^OS2 rollback  version $n\\.2 in slot a failed 1 tries"

for i in 1 2; do
	use fleet$i
	vm_run 'initctl poweroff'
	vm_end
	eval "q$i=''"
done
echo "fleet: $n.1 rolled through Slurm (fleet2 first, fleet1 after its job), both resumed; a never-healthy $n.2 rolled back on fleet1, drained, and stopped the rollout before fleet2"
