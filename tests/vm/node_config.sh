#!/bin/sh
# The node config from a CAIRNCFG medium (node.conf(5), SOURCES): a disk
# whose file system is labelled CAIRNCFG holds node.conf.  The node boots
# from memory, so the disk is not its own: first it is ignored, said with
# its name, as a stranger's USB stick would be; then the command line
# pins its node.conf (cairn.config.sha256=) and cairn-agent setup takes
# it, checks it, writes /run/cairn/node.conf
# (0600) and its munge key (0400), sets the host name; net up renames the
# two NICs by MAC, makes a bond and a VLAN on it, sets MTU, static
# addresses and the default route, and [dns]; the services that need the
# config wait for it; `initctl restart network` on the network it set up
# changes nothing.  Then `cairn.config=` on the command line beats
# the medium, and a config that does not check stops node-config with
# its line named and nothing written.  QEMU's NICs have no backend
# network (restrict=on user networking: nothing leaves the guest).
. "$(dirname "$0")/vmlib"
need_virtio_blk
command -v mkfs.ext4 >/dev/null || { echo "skipped: e2fsprogs not installed"; exit 77; }

key=$(head -c 32 /dev/urandom | base64 -w0)
mkdir -p "$vm/medium"
cat >"$vm/medium/node.conf" <<CONF
[node]
hostname = vm-node-07
[net mgmt]
match = mac 52:54:00:12:34:77
address = 192.0.2.7/24
address = 2001:db8::7/64
gateway = 192.0.2.1
mtu = 1400
[net data]
match = mac 52:54:00:12:34:78
[net bond0]
bond = data
bond-mode = active-backup
[net v42]
vlan = bond0 42
address = 198.51.100.7/24
[dns]
server = 192.0.2.53
[slurm]
munge-key = $key
CONF
truncate -s 8M "$vm/cfg.img"
mkfs.ext4 -q -F -L CAIRNCFG -d "$vm/medium" "$vm/cfg.img"
# An alternative config, carried in the initramfs, for cairn.config=.
mkdir -p "$vm/root/etc/site"
printf '[node]\nhostname = from-cmdline\n' >"$vm/root/etc/site/n1.conf"
printf '[node]\nhostname = -bad-\n' >"$vm/root/etc/site/bad.conf"

nics="-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:77
	-netdev user,id=n1,restrict=on -device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:78"
mkdir -p "$vm/root/root"
cat >"$vm/root/root/nc.sh" <<'STEPS'
exec </dev/null 2>&1
n=0
until initctl status network | grep -q ' up'; do
	n=$((n + 1)); [ "$n" -lt 60 ] || { echo "NC-FAIL network not up"; initctl status; break; }; sleep 1
done
initctl log node-config | sed 's/^/NC-SETUP /'
initctl log network | sed 's/^/NC-NET /'
echo "NC-HOST $(hostname)"
echo "NC-MODE $(ls -l /run/cairn/node.conf | cut -c1-10) $(ls -l /run/cairn/secrets/munge.key | cut -c1-10)"
echo "NC-ORIGIN $(cat /run/cairn/node.conf.origin)"
ip -o link | sed 's/^[0-9]*: /NC-LINK /'
ip -o addr | awk '{ print "NC-ADDR", $2, $3, $4 }'
ip route show default | sed 's/^/NC-ROUTE /'
echo "NC-BOND $(cat /sys/class/net/bond0/bonding/mode) $(cat /sys/class/net/bond0/bonding/slaves)"
sed 's/^/NC-RESOLV /' /run/resolv.conf
initctl status ntpd | sed 's/^/NC-NTPD /'
# Again, on a network already set up: a restart must not undo it.
initctl restart network
n=0
until initctl status network | grep -q ' up'; do
	n=$((n + 1)); [ "$n" -lt 30 ] || { initctl log network | tail -n 5; break; }; sleep 1
done
initctl status network | sed 's/^/NC-AGAIN /'
ip -o link show data | sed 's/^[0-9]*: /NC-AGAIN-LINK /'
ip -o addr show dev v42 | awk '{ print "NC-AGAIN-ADDR", $2, $3, $4 }'
echo "NC-DONE"
STEPS

# Not the node's own, not pinned: ignored, by name; no config at all.
vm_start "" -drive "file=$vm/cfg.img,format=raw,if=virtio" $nics
vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; initctl log node-config | sed "s/^/NC-STRANGER /"; echo "NC-STRANGER-HOST $(hostname) $(cat /run/cairn/node.conf.origin)"; initctl poweroff'
vm_end
expect 'NC-STRANGER .*setup: /dev/vda \(LABEL=CAIRNCFG\): not on the boot disk \(none: the root is in memory\) nor where the boot loader started \(none said\): ignored'
expect 'NC-STRANGER-HOST [^ ]+ none -'
grep -q 'NC-STRANGER-HOST vm-node-07' "$vm/log" && fail "a medium that is not the node's own gave its config"
cp "$vm/log" "$vm/log.stranger"
rm -f "$vm/in" "$vm/log"

# Pinned by the command line: taken.
pin=$(sha256sum <"$vm/medium/node.conf" | cut -c1-64)
vm_start "cairn.config.sha256=$pin" -drive "file=$vm/cfg.img,format=raw,if=virtio" $nics
vm_run 'sh /root/nc.sh'
vm_wait 'NC-DONE' 120
vm_run 'initctl poweroff'
vm_end
expect 'NC-SETUP .*setup: /dev/vda \(LABEL=CAIRNCFG\): not on the boot disk .*: looked at for cairn.config.sha256'
expect 'NC-SETUP .*setup: node.conf from /dev/vda'
expect 'NC-SETUP .*setup: config from medium LABEL=CAIRNCFG:/node.conf: profile standalone, 4 interfaces'
expect 'NC-SETUP .*setup: host name vm-node-07'
expect 'NC-HOST vm-node-07'
expect 'NC-MODE -rw------- -r--------'
expect 'NC-ORIGIN medium LABEL=CAIRNCFG:/node.conf'
expect 'NC-LINK mgmt: .*mtu 1400'
expect 'NC-LINK data: .*master bond0'
expect 'NC-LINK v42@bond0: '
expect 'NC-ADDR mgmt inet 192.0.2.7/24'
expect 'NC-ADDR mgmt inet6 2001:db8::7/64'
expect 'NC-ADDR v42 inet 198.51.100.7/24'
expect 'NC-ROUTE default via 192.0.2.1 dev mgmt'
expect 'NC-BOND active-backup 1 data'
expect 'NC-RESOLV nameserver 192.0.2.53'
expect 'NC-NTPD ntpd +done|NC-NTPD ntpd +down'
expect 'NC-AGAIN network +up'
expect 'NC-AGAIN-LINK data: .*UP.* master bond0'
expect 'NC-AGAIN-ADDR v42 inet 198.51.100.7/24'
grep -qF "$key" "$vm/log" && fail "the munge key appeared on the console"
expect 'reboot: Power down'
cp "$vm/log" "$vm/log.medium"

# The command line beats the medium.
rm -f "$vm/in" "$vm/log"
vm_start "cairn.config=/etc/site/n1.conf" -drive "file=$vm/cfg.img,format=raw,if=virtio" $nics
vm_run 'n=0; until initctl status node-config | grep -q " done"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; echo "NC-HOST $(hostname) $(cat /run/cairn/node.conf.origin)"; initctl poweroff'
vm_end
expect 'NC-HOST from-cmdline cmdline /etc/site/n1.conf'

# A bad config: node-config fails with the line named; nothing written,
# and what depends on it (network) does not start.
rm -f "$vm/in" "$vm/log"
vm_start "cairn.config=/etc/site/bad.conf" -drive "file=$vm/cfg.img,format=raw,if=virtio" $nics
vm_run 'n=0; until initctl log node-config | grep -q "bad.conf:2:"; do n=$((n + 1)); [ $n -lt 60 ] || break; sleep 1; done; initctl log node-config | sed "s/^/NC-BAD /"; echo "NC-BAD-FILES $(ls /run/cairn 2>&1 | tr "\n" " ")"; initctl status network | sed "s/^/NC-BAD-NET /"; initctl poweroff'
vm_end
expect 'NC-BAD .*/etc/site/bad.conf:2: \[node\] hostname'
expect 'NC-BAD-NET network +waiting'
grep -q 'NC-BAD-FILES .*node.conf' "$vm/log" && fail "a refused config was written"
echo "node config: a stranger's medium ignored; pinned, taken (name, net, bond, VLAN, DNS, secrets); cmdline beats medium, bad refused"
