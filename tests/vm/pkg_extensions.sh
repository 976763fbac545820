#!/bin/sh
# The extensions area (doc/pkg.md, EXTENSIONS): on a node whose /var is a
# disk (cairn.var=/dev/vda), the guest's own pkg installs a site's package
# with --extensions; it is not in /usr until the next boot, where initd
# overlays /var/lib/extensions/usr under the image's /usr, read-only,
# nosuid and nodev: the extension's program runs, the image's own file
# wins over the extension's copy, /usr cannot be written, and the area's
# db verifies.  Then the program is changed on /var (as by someone who had
# the data disk in another machine): at the next boot initd's check finds
# it, says so, and leaves the area's usr/ out of /usr.  The data file
# system is clean after each power-off.
. "$(dirname "$0")/vmlib"
need_virtio_blk
: "${PKG:?PKG: the host build of pkg}"
command -v mkfs.ext4 >/dev/null || { echo "e2fsprogs not installed"; exit 77; }
export ASAN_OPTIONS=detect_leaks=0

d=$vm/disk
t=$vm/tree
mkdir -p "$d/repo" "$vm/keys" "$t/usr/bin" "$t/usr/share/udhcpc"
printf '#!/bin/sh\necho "hello from an extension"\n' >"$t/usr/bin/hello-ext"
chmod 755 "$t/usr/bin/hello-ext"
echo "echo the extension's copy" >"$t/usr/share/udhcpc/default.script"
printf 'name hello-ext\nversion 1.0\narch x86_64\nlicense MIT\nsource-sha256 %s\n' \
	"$(echo hello-ext | sha256sum | cut -c1-64)" >"$vm/spec"
"$PKG" build -o "$d/repo/hello-ext-1.0.x86_64.pkg" "$vm/spec" "$t" 2>/dev/null || fail "pkg build"
"$PKG" key new "$vm/keys" k 2>/dev/null
"$PKG" root --version 1 --expires +30d --threshold 1 -o "$d/root" "$vm/keys/k.pub"
"$PKG" sign --key "$vm/keys/k.key" "$d/root" 2>/dev/null
"$PKG" index "$d/repo" 2>/dev/null
"$PKG" release --version 1 --expires +30d "$d/repo"
"$PKG" sign --key "$vm/keys/k.key" "$d/repo/release" 2>/dev/null
truncate -s 64M "$vm/data.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 -d "$d" "$vm/data.img"
disk="file=$vm/data.img,format=raw,if=virtio,cache=none"

# Boot 1: install; nothing shows in /usr yet.
vm_start "cairn.var=/dev/vda" -drive "$disk"
vm_run 'pkg --extensions --repo /var/repo --trust /var/root install hello-ext && echo EXT-INSTAL""LED'
vm_wait 'EXT-INSTALLED' 60
vm_run 'test -e /usr/bin/hello-ext || echo NOT-YET-IN-U""SR'
vm_wait 'NOT-YET-IN-USR' 30
vm_run 'initctl poweroff'
vm_end
expect 'reboot: Power down'
mv "$vm/log" "$vm/log1"
rm -f "$vm/in"

# Boot 2: the overlay.
vm_start "cairn.var=/dev/vda" -drive "$disk"
vm_run 'hello-ext'
vm_wait 'hello from an extension' 30
vm_run 'grep -q "^overlay /usr overlay ro,nosuid,nodev," /proc/mounts && echo USR-OVERLAY-R""O'
vm_wait 'USR-OVERLAY-RO' 30
vm_run 'grep -q "the extension" /usr/share/udhcpc/default.script || echo IMAGE-FILE-WI""NS'
vm_wait 'IMAGE-FILE-WINS' 30
vm_run 'touch /usr/bin/x 2>/dev/null || echo USR-NOT-WRITAB""LE'
vm_wait 'USR-NOT-WRITABLE' 30
vm_run 'pkg --extensions verify && pkg --extensions list'
vm_wait 'hello-ext +1.0' 30
vm_run 'initctl poweroff'
vm_end
expect 'reboot: Power down'
e2fsck -fn "$vm/data.img" >"$vm/fsck" 2>&1 || { cat "$vm/fsck"; fail "e2fsck: /var is not clean"; }
mv "$vm/log" "$vm/log2"
rm -f "$vm/in"

# The program changed on the data disk while the node was off.
debugfs -w -R "rm /lib/extensions/usr/bin/hello-ext" "$vm/data.img" >/dev/null 2>&1 ||
	fail "debugfs: cannot remove the extension's program"
printf '#!/bin/sh\necho "an attacker'"'"'s program"\n' >"$vm/evil"
debugfs -w -R "write $vm/evil /lib/extensions/usr/bin/hello-ext" "$vm/data.img" >/dev/null 2>&1 ||
	fail "debugfs: cannot write the changed program"
debugfs -w -R "sif /lib/extensions/usr/bin/hello-ext mode 0100755" "$vm/data.img" >/dev/null 2>&1

# Boot 3: the layer is left out, and said so.
vm_start "cairn.var=/dev/vda" -drive "$disk"
vm_run 'test -e /usr/bin/hello-ext || echo CHANGED-LAYER-O""UT'
vm_wait 'CHANGED-LAYER-OUT' 60
vm_run 'initctl poweroff'
vm_end
expect 'hello-ext: /usr/bin/hello-ext: (size|contents) differ'
expect 'extensions: /var/lib/extensions/usr does not match its database \(what differs is above\): left out of /usr'
grep -q "an attacker's program" "$vm/log" && fail "the changed program ran"
e2fsck -fn "$vm/data.img" >"$vm/fsck" 2>&1 || { cat "$vm/fsck"; fail "e2fsck: /var is not clean"; }
echo "extension installed on /var, overlaid under /usr at the next boot, read-only, nosuid, nodev, image files first; changed on the disk, left out"
