#!/bin/sh
# `initctl poweroff` while a service writes to an ext4 data disk: the file
# system is clean afterwards (e2fsck on the host, after QEMU exits) and
# every line the service wrote before the shutdown began is on the disk.
. "$(dirname "$0")/vmlib"
need_virtio_blk
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null ||
	{ echo "e2fsprogs not installed"; exit 77; }

truncate -s 64M "$vm/data.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$vm/data.img"
# The console is shared: "wrote N" is printed only after line N's write()
# returned, so every N shown before initd's shutdown line must be on disk.
svc writer 'command = /bin/sh -c "mkdir -p /run/data && mount -t ext4 /dev/vda /run/data || exit 1; i=0; while :; do i=$((i + 1)); echo line-$i >>/run/data/lines; echo wrote-$i >/dev/console; usleep 20000; done"
stop-timeout = 5s'

vm_start "" -drive "file=$vm/data.img,format=raw,if=virtio"
vm_wait 'wrote-50' 120
vm_run 'initctl poweroff'
vm_end
expect 'poweroff requested by initctl'
expect 'writer: stopped'
expect 'reboot: Power down'

last=$(awk '/poweroff requested by initctl/ { exit } /wrote-[0-9]+/ { sub(/.*wrote-/, ""); n = $1 + 0 } END { print n }' "$vm/log")
[ "$last" -ge 50 ] || fail "only $last lines written before the shutdown"
e2fsck -fn "$vm/data.img" >"$vm/fsck" 2>&1 || { cat "$vm/fsck"; fail "e2fsck: the data file system is not clean"; }
debugfs -R 'cat /lines' "$vm/data.img" 2>/dev/null >"$vm/lines"
i=1
while [ "$i" -le "$last" ]; do
	grep -qx "line-$i" "$vm/lines" || fail "line-$i was written before the shutdown but is not on the disk"
	i=$((i + 1))
done
echo "clean file system; all $last lines written before the shutdown are on the disk"
