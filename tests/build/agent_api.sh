#!/bin/sh
# cairn-agent serve (doc/cairn-agent.md, API): HTTPS with mutual TLS on
# loopback.  Refused at the handshake: no client certificate, one from
# another CA, an expired one.  Answered by role (the certificate's OU):
# cairn-monitor reads inventory, health, metrics (dcgm-exporter names)
# and services but not logs, nor reboots; cairn-operator does all, the
# support bundle included (no secret in it); a node's own certificate
# (OU cairn-node) may do nothing.  Bad requests get 400/404/405.  An OS
# update (pkg os-update, faked) starts in the background, one at a time,
# from the request's repository or the config's, with the reboot asked
# for; GET /v1/os shows the slots and what it said.  (agent_api_trust.sh
# and agent_api_privsep.sh attack whom it trusts and how it runs.)
. "$(dirname "$0")/testlib"
. "$(dirname "$0")/tlslib"
. "$(dirname "$0")/apilib"

ca site-ca
ca other-ca
cert node site-ca "IP:127.0.0.1"

client monitor site-ca cairn-monitor
client operator site-ca cairn-operator
client node2 site-ca cairn-node
client stranger other-ca cairn-operator
# An operator certificate that expired in 2020 (openssl ca sets the dates).
mkdir -p "$pki/db"
: >"$pki/db/index"
echo 01 >"$pki/db/serial"
cat >"$pki/ca.cnf" <<CNF
[ca]
default_ca = site
[site]
database = $pki/db/index
serial = $pki/db/serial
new_certs_dir = $pki/db
default_md = sha256
policy = any
[any]
organizationalUnitName = optional
commonName = supplied
CNF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=cairn-operator/CN=old" \
	-keyout "$pki/old.key" -out "$pki/old.csr" 2>/dev/null
openssl ca -batch -config "$pki/ca.cnf" -cert "$pki/site-ca.pem" -keyfile "$pki/site-ca.key" -notext \
	-in "$pki/old.csr" -out "$pki/old.pem" -startdate 20200101000000Z -enddate 20200201000000Z \
	>/dev/null 2>&1 || fail "openssl ca: the expired certificate"

# A node with one NVIDIA GPU that reported Xid 79, and a fake initctl.
root=$tmp/root
mkdir -p "$root/proc/driver/nvidia/gpus/0000:3b:00.0" "$root/sys/bus/pci/devices/0000:3b:00.0"
printf 'processor\t: 0\nmodel name\t: Test CPU\nphysical id\t: 0\ncore id\t: 0\n\n' >"$root/proc/cpuinfo"
printf 'MemTotal:       16384 kB\n' >"$root/proc/meminfo"
printf '0x10de\n' >"$root/sys/bus/pci/devices/0000:3b:00.0/vendor"
printf '0x030200\n' >"$root/sys/bus/pci/devices/0000:3b:00.0/class"
printf 'Model: \t\t NVIDIA H200\nGPU UUID: \t GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\nDevice Minor: \t 0\n' \
	>"$root/proc/driver/nvidia/gpus/0000:3b:00.0/information"
printf '[ 5.0] NVRM: Xid (PCI:0000:3b:00): 79, pid=0, GPU has fallen off the bus.\n' >"$tmp/kmsg"
cat >"$tmp/bin/initctl" <<SH
#!/bin/sh
case \$1 in
status) echo "containerd   up    pid 10"; echo "network      up    pid 11" ;;
log) echo "log of \$2: line one" ;;
reboot) echo rebooted >"$tmp/rebooted" ;;
*) exit 100 ;;
esac
SH
chmod +x "$tmp/bin/initctl"
# nvidia-smi as the driver's would answer the agent's two queries: two
# uncorrectable ECC errors and a row remapping pending.
cat >"$tmp/bin/nvidia-smi" <<'SH'
#!/bin/sh
case $1 in
--query-gpu=index,uuid,pci.bus_id,*) echo "0, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 00000000:3B:00.0, 41, 120.5, 1024, 143771, 55, 2" ;;
--query-remapped-rows=gpu_uuid,*) echo "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 1, 0, Yes, No" ;;
*) echo "unknown query $1" >&2; exit 2 ;;
esac
SH
chmod +x "$tmp/bin/nvidia-smi"
key=$(head -c 32 /dev/urandom | base64 -w0)
cat >"$tmp/node.conf" <<CONF
[node]
hostname = api-node
[slurm]
munge-key = $key
[gpu]
count = 1
model = H200
[api]
listen = 127.0.0.1:0
cert-file = $pki/node.pem
key-file = $pki/node.key
client-ca = $pki/site-ca.pem
[update]
repo = /dev/vdz
CONF

api_start "$tmp/node.conf" --root "$root" --kmsg "$tmp/kmsg"

refused none "refused: peer did not return a certificate"
refused stranger "refused: unable to get local issuer certificate"
refused old "refused: certificate has expired"
must 200 monitor GET /v1/health
jq -e '.healthy == false and (.checks[] | select(.name == "xid") | .status == "fail")' "$tmp/body" >/dev/null ||
	{ cat "$tmp/body"; fail "health: no failed xid check"; }
jq -e '(.checks[] | select(.name == "ecc") | .status == "fail" and (.detail | test("2 uncorrectable ECC errors")))
	and (.checks[] | select(.name == "rowremap") | .status == "fail" and (.detail | test("pending: reset")))' \
	"$tmp/body" >/dev/null || { cat "$tmp/body"; fail "health: ECC and row remapping not failed"; }
must 200 monitor GET /v1/inventory
jq -e '.gpus[0].uuid == "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" and .memory_kb == 16384 and .gpus[0].live.temperature_c == 41 and .gpus[0].live.memory_total_mib == 143771' "$tmp/body" >/dev/null ||
	{ cat "$tmp/body"; fail "inventory: not the fake node's"; }
must 200 monitor GET /metrics
expect_line "$tmp/body" 'DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",pci_bus_id="00000000:3B:00.0",device="nvidia0",modelName="NVIDIA H200"} 79'
expect_line "$tmp/body" 'cairn_health_check_ok{check="xid"} 0'
expect_line "$tmp/body" 'cairn_node_memory_bytes 16777216'
labels='{gpu="0",UUID="GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",pci_bus_id="00000000:3B:00.0",device="nvidia0",modelName="NVIDIA H200"}'
expect_line "$tmp/body" "DCGM_FI_DEV_GPU_TEMP$labels 41"
expect_line "$tmp/body" "DCGM_FI_DEV_POWER_USAGE$labels 120.5"
expect_line "$tmp/body" "DCGM_FI_DEV_FB_USED$labels 1024"
expect_line "$tmp/body" "DCGM_FI_DEV_GPU_UTIL$labels 55"
expect_line "$tmp/body" "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL$labels 2"
expect_line "$tmp/body" "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS$labels 1"
expect_line "$tmp/body" "DCGM_FI_DEV_ROW_REMAP_FAILURE$labels 0"
# One client, two requests: the second connection offers the first's
# session; it is answered (with a full handshake), not refused.
curl -sS --fail -o /dev/null -o /dev/null --cacert "$pki/site-ca.pem" --cert "$pki/monitor.pem" \
	--key "$pki/monitor.key" "https://127.0.0.1:$port/v1/health" "https://127.0.0.1:$port/v1/health" \
	2>"$tmp/curl.err" || { cat "$tmp/curl.err" "$tmp/log"; fail "a second request on a resumed session refused"; }
# A client that opens a connection and trickles a byte at a time: the
# API answers others meanwhile, and drops it after 5 s.  The other's
# connection is made once the API has accepted the trickler's (its
# connect() returns when the kernel has queued it); it trickles until
# killed, so that only the API ends its connection.
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.send(b"\x16")
open(sys.argv[2], "w").write("connected\n")
for i in range(30):
    time.sleep(3); s.send(b"\x03")' "$port" "$tmp/slow" 2>/dev/null &
slow=$!
waitfor "$tmp/slow" connected
accepted
must 200 monitor GET /v1/services
waitfor "$tmp/log" "refused: no handshake within 5 s"
kill "$slow" 2>/dev/null || true
expect_line "$tmp/body" "containerd   up"
must 403 monitor GET "/v1/logs?service=containerd"
expect_line "$tmp/body" "needs role cairn-operator; this certificate's is cairn-monitor"
must 403 monitor POST /v1/reboot
must 403 node2 GET /v1/health
expect_line "$tmp/body" "this certificate's is none"
must 403 node2 POST /v1/reboot
[ ! -e "$tmp/rebooted" ] || fail "rebooted by a certificate that may not"
must 200 operator GET "/v1/logs?service=containerd"
expect_line "$tmp/body" "log of containerd: line one"
must 400 operator GET "/v1/logs?service=../etc"
must 200 operator GET /v1/kmsg
expect_line "$tmp/body" "Xid (PCI:0000:3b:00): 79"
must 404 operator GET /v1/nothing
must 405 operator POST /v1/health
must 200 operator GET /v1/support-bundle
mkdir "$tmp/bundle"
tar -xzf "$tmp/body" -C "$tmp/bundle" || fail "the support bundle is not a tar.gz"
for f in inventory.json health.json services.txt kernel.log node.conf logs/containerd.log logs/network.log; do
	[ -s "$tmp/bundle/$f" ] || fail "the support bundle lacks $f"
done
expect_line "$tmp/bundle/node.conf" "# munge-key: set (32 bytes), not shown"
! grep -rqF "$key" "$tmp/bundle" || fail "the support bundle carries the munge key"
[ -z "$(ls "$tmp/scratch/api")" ] || fail "the bundle's scratch directory was left: $(ls "$tmp/scratch/api")"
# Drain and resume: the operator's reason becomes a failed health check
# of its own (what slurm-health hands to Slurm), and goes with resume.
mkdir -p "$root/run/cairn"
must 403 monitor POST "/v1/drain?reason=x"
must 400 operator POST "/v1/drain?reason=PSU%20swap"
must 400 operator POST /v1/drain
must 200 operator POST "/v1/drain?reason=PSU+swap:rack-3"
expect_line "$tmp/body" "drained: PSU swap:rack-3"
must 200 monitor GET /v1/health
jq -e '.healthy == false and .checks[0].name == "drain" and .checks[0].status == "fail" and
	.checks[0].detail == "drained by an operator: PSU swap:rack-3"' "$tmp/body" >/dev/null ||
	{ cat "$tmp/body"; fail "health: the drain is not its first, failed check"; }
must 200 operator POST /v1/resume
must 200 monitor GET /v1/health
! jq -e '.checks[] | select(.name == "drain")' "$tmp/body" >/dev/null || fail "resumed, still drained"
[ ! -e "$root/run/cairn/drain" ] || fail "resume left the drain file"
# A rollback held (os check wrote it): the check "os" fails with its
# reason, so slurm-health keeps the node drained, until resume.
mkdir -p "$root/var/lib/cairn/os"
echo "version 9.9 in slot b failed 3 tries: not healthy" >"$root/var/lib/cairn/os/hold"
must 200 monitor GET /v1/health
jq -e '.healthy == false and (.checks[] | select(.name == "os") | .status == "fail" and
	(.detail | test("^rolled back: version 9.9 in slot b failed 3 tries")))' "$tmp/body" >/dev/null ||
	{ cat "$tmp/body"; fail "health: a rollback held is not a failed check"; }
must 200 operator POST /v1/resume
must 200 monitor GET /v1/health
! jq -e '.checks[] | select(.name == "os")' "$tmp/body" >/dev/null || fail "resumed, the rollback still held"
must 202 operator POST /v1/reboot
waitfor "$tmp/rebooted" rebooted
expect_line "$tmp/log" "role cairn-operator): POST /v1/reboot: 202"

# OS updates: pkg (a fake) runs in the background, its answer in GET /v1/os.
mkdir -p "$root/var/lib/cairn/os"
# pkg's parent is the update's own process, which asks for the reboot.
cat >"$tmp/bin/pkg" <<SH
#!/bin/sh
echo "\$PPID" >"$tmp/pkg.parent"
echo "\$*" >"$tmp/pkg.args"
echo "os-update: cairn-os 9.9 in slot b: it boots next"
SH
chmod +x "$tmp/bin/pkg"
must 403 monitor POST /v1/os/update
must 400 operator POST "/v1/os/update?repo=http://plain.test/"
must 400 operator POST "/v1/os/update?repo=relative"
must 400 operator POST "/v1/os/update?tries=0"
must 400 operator POST "/v1/os/update?reboot=maybe"
must 400 operator POST "/v1/os/update?stage=maybe"
must 400 operator POST "/v1/os/update?stage=yes&reboot=yes"
# The OS's lock held (as pkg holds it while it writes) by this shell,
# through fd 8, until the 409 is in.
exec 8>>"$root/var/lib/cairn/os/lock"
flock 8
must 409 operator POST /v1/os/update
expect_line "$tmp/body" "an update is being written"
exec 8>&-
[ ! -e "$tmp/pkg.args" ] || fail "pkg ran for a refused update"
rm -f "$tmp/rebooted"
must 202 operator POST "/v1/os/update?repo=https://repo.test/cairn/&tries=2"
waitfor "$root/run/cairn/os-update.out" "it boots next"
expect_line "$tmp/pkg.args" "--repo https://repo.test/cairn/ os-update --tries 2"
must 200 monitor GET /v1/os
expect_line "$tmp/body" "running   not from a root slot"
expect_line "$tmp/body" "os-update: cairn-os 9.9 in slot b: it boots next"
ended "$(cat "$tmp/pkg.parent")"
[ ! -e "$tmp/rebooted" ] || fail "rebooted after an update that did not ask to"
# Staged: pkg os-update --stage, and no reboot.
rm -f "$tmp/pkg.args"
must 202 operator POST "/v1/os/update?stage=yes"
waitfor "$tmp/log" "api: os update from /dev/vdz started (3 tries, staged)"
waitfor "$tmp/pkg.args" "--repo /dev/vdz os-update --tries 3 --stage"
ended "$(cat "$tmp/pkg.parent")"
[ ! -e "$tmp/rebooted" ] || fail "rebooted after a staged update"
# From node.conf [update] repo, then the reboot asked for.
must 202 operator POST "/v1/os/update?reboot=yes"
waitfor "$root/run/cairn/os-update.out" "rebooting into it"
expect_line "$tmp/pkg.args" "--repo /dev/vdz os-update --tries 3"
waitfor "$tmp/rebooted" "rebooted"
expect_line "$tmp/log" "api: os update from /dev/vdz started (3 tries, then a reboot)"
api_stop

# No [api]: nothing to serve, and it says so.  It exits 0 after its ready
# line (initd's agent-api: ready = fd:3): a ready fd closed without one is
# initd's sign of a start that failed.
printf '[node]\nhostname = quiet\n' >"$tmp/off.conf"
"$CAIRN_AGENT" serve --config "$tmp/off.conf" --notify 3 >"$tmp/log" 2>&1 3>"$tmp/ready" ||
	fail "serve without [api] failed"
expect_line "$tmp/log" "serve: no [api] section in the node config: nothing to serve, nothing listens"
printf '\n' | cmp -s - "$tmp/ready" ||
	fail "serve without [api]: no ready line on its --notify fd"
echo "agent api: 3 handshakes refused, a stalled client dropped; monitor, operator and node roles; bundle without secrets; drain and resume; reboot; OS updates started, refused while one runs, shown"
