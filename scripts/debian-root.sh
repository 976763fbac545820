#!/bin/sh
# scripts/debian-root.sh: the Debian baseline of `make bench-runtime`: a
# Debian 12 root with systemd and Debian's containerd, made once with
# debootstrap from the Debian archive this host's apt uses, as an ext4
# disk image cached outside the checkout.  Prints the image's path.
#
# usage: debian-root.sh
#
# The root is debootstrap's minbase (essential and required packages)
# with systemd as init, udev and containerd (which brings runc): the
# smallest Debian that boots with systemd and runs containers.  Nothing is
# tuned: what it starts is what Debian starts.  One unit is added, the
# probe: after containerd.service (Type=notify: containerd says it is
# ready once its socket answers) it reads the uptime and MemTotal -
# MemAvailable, checks that containerd answers `ctr version`, idles 5 s
# as Cairn's probe does, prints to the console
#   bench: ready SECONDS used KB pid1 KB ctd KB answers yes|no
# (then systemd's and containerd's VmRSS) and powers off.
#
# The image is rebuilt when this script changes (its sha256 names it).
# env: CAIRN_CACHE (default ~/.cache/cairn), DEBIAN_SUITE (bookworm).
. "$(dirname "$0")/lib.sh"

suite=${DEBIAN_SUITE:-bookworm}
[ "$(id -u)" = 0 ] || die "debian-root.sh needs root (debootstrap, and the image keeps its files' owners)"
for t in debootstrap mkfs.ext4; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin command -v "$t" >/dev/null ||
		die "$t not found: run 'make hostdeps'"
done
PATH=$PATH:/usr/sbin

key=$( { cat "$0"; echo "$suite"; } | sha256sum | cut -c1-16)
dir=$CAIRN_CACHE/debian-baseline
img=$dir/debian-$suite-$key.img
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
mkdir -p "$dir"

# The archive: the URI this host's apt (Cairn's private copy of its
# sources, scripts/apt-setup.sh) gives for the suite.  No host name here.
"$(dirname "$0")/apt-setup.sh" >&2 || die "apt-setup failed"
mirror=$(awk -v s="$suite" 'tolower($1) == "uris:" { u = $2 } tolower($1) == "suites:" && $2 == s { print u; exit }' \
	"$APT_DIR/sources.list.d/cairn.sources")
[ -n "$mirror" ] || die "no apt source for Debian $suite on this host: cannot debootstrap the baseline"

tmp=$(mktemp -d "$dir/.root.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
say DEBOOT "Debian $suite minbase + systemd + containerd (once; cached in $dir)" >&2
debootstrap --variant=minbase --include=systemd-sysv,udev,containerd "$suite" "$root" "$mirror" \
	>"$tmp/debootstrap.log" 2>&1 || { tail -n 20 "$tmp/debootstrap.log" >&2; die "debootstrap failed"; }
grep -q '^Type=notify' "$root/lib/systemd/system/containerd.service" ||
	die "Debian's containerd.service is not Type=notify: the probe would not start when containerd is ready"

# A machine id of its own: an empty one makes every boot a first boot.
printf '%s\n' "$(printf 'cairn-bench-debian' | sha256sum | cut -c1-32)" >"$root/etc/machine-id"
echo debian >"$root/etc/hostname"
printf '/dev/vda / ext4 rw,relatime 0 0\n' >"$root/etc/fstab"
mkdir -p "$root/usr/local/sbin" "$root/etc/systemd/system/multi-user.target.wants"
cat >"$root/usr/local/sbin/bench-ready" <<'PROBE'
#!/bin/sh
t=$(cut -d' ' -f1 /proc/uptime)
used=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo)
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$1/status; }
ok=no
ctr version >/dev/null 2>&1 && ok=yes
sleep 5
echo "bench: ready $t used $used pid1 $(rss 1) ctd $(rss "$(pidof containerd)") answers $ok" >/dev/console
systemctl --no-block poweroff
PROBE
chmod 755 "$root/usr/local/sbin/bench-ready"
cat >"$root/etc/systemd/system/bench-ready.service" <<'UNIT'
[Unit]
Description=bench: the moment containerd is ready
After=containerd.service
Requires=containerd.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/bench-ready

[Install]
WantedBy=multi-user.target
UNIT
ln -sf ../bench-ready.service "$root/etc/systemd/system/multi-user.target.wants/bench-ready.service"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*

# The disk: ext4 made from the tree, the root's size and half again.
mb=$(( $(du -sm "$root" | cut -f1) * 3 / 2 + 64 ))
mkfs.ext4 -q -F -L debian -d "$root" "$tmp/root.img" "${mb}M" || die "mkfs.ext4 -d failed"
rm -f "$dir"/debian-"$suite"-*.img
mv "$tmp/root.img" "$img"
echo "$img"
