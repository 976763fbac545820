#!/bin/sh
# Power cuts during pkg transactions: the guest's own (static musl) pkg
# switches a package between two versions in a loop on an ext4 virtio disk
# with the host cache off (cache=none: what the guest wrote is on the
# image, what it had only in its page cache is lost), and QEMU is killed at
# a random moment.  After each cut the host mounts the disk (the ext4
# journal replays) on a copy, pkg recovers the interrupted transaction, and
# the root is exactly one of the two versions with `pkg verify` clean; the
# guest boots again on the disk as the cut left it, its own pkg recovers
# it, and the loop goes on.
. "$(dirname "$0")/vmlib"
need_virtio_blk
: "${PKG:?PKG: the host build of pkg}"
command -v mkfs.ext4 >/dev/null || { echo "e2fsprogs not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (loop mounts)"; exit 77; }
rounds=${POWERCUT_ROUNDS:-4}
export ASAN_OPTIONS=detect_leaks=0

# Two versions of one package: 240 files in 12 directories, half of them
# changed, some gone and some new in 2.0.
d=$vm/disk
mkdir -p "$d/repo" "$d/root" "$vm/keys" "$vm/t1" "$vm/t2"
i=0
while [ $i -lt 240 ]; do
	dir=dir$((i % 12))
	mkdir -p "$vm/t1/usr/$dir" "$vm/t2/usr/$dir"
	head -c 4096 /dev/urandom >"$vm/t1/usr/$dir/f$i"
	if [ $((i % 2)) -eq 0 ]; then cp "$vm/t1/usr/$dir/f$i" "$vm/t2/usr/$dir/f$i"
	elif [ $((i % 5)) -ne 1 ]; then head -c 6000 /dev/urandom >"$vm/t2/usr/$dir/f$i"; fi
	[ $((i % 7)) -ne 0 ] || head -c 3000 /dev/urandom >"$vm/t2/usr/$dir/n$i"
	i=$((i + 1))
done
sum=$(echo big | sha256sum | cut -c1-64)
for v in 1.0 2.0; do
	printf 'name big\nversion %s\narch x86_64\nlicense MIT\nsource-sha256 %s\n' $v "$sum" >"$vm/spec"
	"$PKG" build --level 3 -o "$d/repo/big-$v.x86_64.pkg" "$vm/spec" "$vm/t${v%.0}" 2>/dev/null
done
"$PKG" key new "$vm/keys" k 2>/dev/null
"$PKG" root --version 1 --expires +30d --threshold 1 -o "$vm/keys/root" "$vm/keys/k.pub"
"$PKG" sign --key "$vm/keys/k.key" "$vm/keys/root" 2>/dev/null
"$PKG" index "$d/repo" 2>/dev/null
"$PKG" release --version 1 --expires +30d "$d/repo"
"$PKG" sign --key "$vm/keys/k.key" "$d/repo/release" 2>/dev/null

# state V: the root with big V installed, as pkg shows it (the db's
# transaction number aside), each entry with its type, mode, size, hash.
state() {
	{
		"$PKG" --root "$1" list
		(cd "$1" && find . \( -path ./lib/pkg/lock -o -path ./lib/pkg/trust -o -path ./lib/pkg/db \) \
			-prune -o -printf '%p %y %m\n' | sort &&
			find . -type f -path './usr/*' -print0 | sort -z | xargs -0 -r sha256sum)
	} 2>/dev/null
}
for v in 1.0 2.0; do
	mkdir -p "$vm/s$v"
	"$PKG" --root "$vm/s$v" --repo "$d/repo" --trust "$vm/keys/root" install "big=$v" 2>/dev/null
	state "$vm/s$v" >"$vm/state-$v"
done
"$PKG" --root "$d/root" --repo "$d/repo" --trust "$vm/keys/root" install big=1.0 2>/dev/null
truncate -s 96M "$vm/disk.img"
mkfs.ext4 -q -F -d "$d" -E lazy_itable_init=0,lazy_journal_init=0 "$vm/disk.img"

mkdir -p "$vm/root/bin"
cat >"$vm/root/bin/txnloop" <<'LOOP'
#!/bin/sh
mkdir -p /run/d && mount -t ext4 /dev/vda /run/d || { echo "txnloop: no disk"; exit 1; }
i=0
while :; do
	i=$((i + 1))
	for v in 2.0 1.0; do
		pkg --root /run/d/root --repo /run/d/repo install "big=$v" >/dev/null 2>&1 &&
			echo "txn-done-$i-$v" >/dev/console
	done
done
LOOP
chmod 755 "$vm/root/bin/txnloop"

mkdir -p "$vm/mnt"
cut=0 mid=0
while [ $cut -lt "$rounds" ]; do
	: >"$vm/log"
	rm -f "$vm/qemu.pid"
	vm_start "" -drive "file=$vm/disk.img,format=raw,if=virtio,cache=none" -pidfile "$vm/qemu.pid"
	vm_run txnloop
	vm_wait 'txn-done-[0-9]+-' 120
	# A random moment in the next 3 s: mid-transaction, or between two.
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 3000 ))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	# The power cut: QEMU itself, at once (not the timeout wrapping it).
	kill -9 "$(cat "$vm/qemu.pid")" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=
	exec 3>&-
	rm -f "$vm/in"
	cut=$((cut + 1))
	# The host checks a copy; the guest gets the disk as the cut left it,
	# and its own pkg recovers it on the next boot's first transaction.
	cp "$vm/disk.img" "$vm/check.img"
	mount -o loop "$vm/check.img" "$vm/mnt" || fail "cut $cut: the disk does not mount"
	[ -e "$vm/mnt/root/lib/pkg/journal" ] && mid=$((mid + 1))
	"$PKG" --root "$vm/mnt/root" verify >"$vm/verify" 2>&1 ||
		{ umount "$vm/mnt"; cat "$vm/verify"; fail "cut $cut: pkg verify after recovery"; }
	state "$vm/mnt/root" >"$vm/state"
	umount "$vm/mnt"
	if cmp -s "$vm/state" "$vm/state-1.0"; then
		now=1.0
	elif cmp -s "$vm/state" "$vm/state-2.0"; then
		now=2.0
	else
		diff -u "$vm/state-1.0" "$vm/state" | head -40
		fail "cut $cut: the root is neither version"
	fi
	echo "  cut $cut after ${ms} ms: big $now, $(grep -c 'txn-done' "$vm/log") transactions done before it"
done
echo "pkg: $cut power cuts ($mid in the middle of a transaction): every one recovered to a whole version"
