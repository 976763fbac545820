#!/bin/sh
# The image's containerd config (rootfs/etc/containerd/config.toml) with
# the containerd sources.lock pins: it parses (`config dump`); each
# disabled_plugins entry is a plugin that containerd has (containerd
# ignores a name it does not know: a typo would leave the plugin on), so
# the check is run on a name it cannot have, to show it bites; with the
# list, every plugin that loads without it still loads (the CRI, overlayfs,
# the tasks service...) and none fails; an OCI archive imports into the
# namespaces the images service fills, and its snapshot prepares.  Paths
# moved into a scratch directory (scripts/containerd-lib.sh); needs root.
. "$(dirname "$0")/testlib"
. scripts/lib.sh
. scripts/containerd-lib.sh

: "${BUSYBOX:?BUSYBOX: a static BusyBox for the test image (make sets it)}"
[ "$(id -u)" = 0 ] || { echo "skipped: containerd's overlayfs snapshotter and CRI need root"; exit 77; }
config=rootfs/etc/containerd/config.toml
containerd_unpack "$tmp/deb"
bin=$tmp/deb/usr/bin
pid=
trap '[ -z "$pid" ] || { kill "$pid"; ended "$pid"; }; rm -rf "$tmp"' EXIT

# run DIR: containerd with DIR/config.toml, until its socket answers (ctr
# waits for the socket to appear itself, up to 10 s a try), 30 s at most;
# DIR/plugins, as "ID STATUS".
run() {
	"$bin/containerd" --config "$1/config.toml" >"$1/log" 2>&1 &
	pid=$!
	end=$(($(date +%s) + 30))
	until "$bin/ctr" --address "$1/containerd.sock" version >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$1/log" >&2; fail "$1: containerd exited"; }
		[ "$(date +%s)" -lt "$end" ] || { cat "$1/log" >&2; fail "$1: containerd not answering within 30 s"; }
	done
	"$bin/ctr" --address "$1/containerd.sock" plugins ls | awk 'NR > 1 { print $1 "." $2, $NF }' >"$1/plugins"
}
stop() {
	kill "$pid"
	ended "$pid"
	pid=
}

# It parses, and containerd reads the list as written.
containerd_conf "$config" "$tmp/with"
"$bin/containerd" --config "$tmp/with/config.toml" config dump >"$tmp/dump" 2>&1 ||
	{ cat "$tmp/dump" >&2; fail "$config: containerd does not read it"; }
disabled=$(sed -n 's/^disabled_plugins = \[\(.*\)\]$/\1/p' "$tmp/dump" | tr -d '" ' | tr , ' ')
[ -n "$disabled" ] || fail "$config: no disabled_plugins"
n=$(sed -n '/^disabled_plugins = \[/,/^\]/p' "$config" | grep -c '^ *"')
[ "$(echo "$disabled" | wc -w)" -eq "$n" ] || fail "$config: $n entries, containerd read: $disabled"

# Without the list: every plugin this containerd has.
containerd_conf "$config" "$tmp/without"
sed -i '/^disabled_plugins = \[/,/^\]/d' "$tmp/without/config.toml"
run "$tmp/without"
stop
known() {
	grep -q "^$1 " "$tmp/without/plugins"
}
! known io.containerd.snapshotter.v1.nosuch || fail "the check takes any name"
for p in $disabled; do
	known "$p" || { cat "$tmp/without/plugins" >&2; fail "$config: disabled_plugins: $p is no plugin of this containerd"; }
done

# With it: the rest loads as before, none fails; an image imports.
run "$tmp/with"
for p in $disabled; do
	! grep "^$p " "$tmp/with/plugins" || fail "$p: disabled, yet listed"
done
grep ' error$' "$tmp/with/plugins" && fail "plugins in error with $config"
awk '$2 == "ok" { print $1 }' "$tmp/without/plugins" | while read -r p; do
	case " $disabled " in *" $p "*) continue ;; esac
	grep -q "^$p ok$" "$tmp/with/plugins" || { cat "$tmp/with/plugins" >&2; fail "$p: ok without the list, not with it"; }
done
! grep 'failed to load plugin' "$tmp/with/log" || fail "a plugin failed to load with $config"

mkdir -p "$tmp/img/bin"
cp "$BUSYBOX" "$tmp/img/bin/busybox"
ln -s busybox "$tmp/img/bin/sh"
SOURCE_DATE_EPOCH=0 scripts/oci-image.sh cairn.local/plugins:1 "$tmp/img" "$tmp/img.tar" /bin/sh >/dev/null
ctr="$bin/ctr --address $tmp/with/containerd.sock"
for ns in default k8s.io; do
	$ctr -n "$ns" images import "$tmp/img.tar" >"$tmp/import" 2>&1 || { cat "$tmp/import" >&2; fail "ctr -n $ns images import"; }
	$ctr -n "$ns" images ls -q | grep -qx cairn.local/plugins:1 || fail "$ns: the image is not listed"
done
layer=$($ctr snapshot ls | awk 'NR == 2 { print $1 }')
$ctr snapshot prepare probe "$layer" >"$tmp/prepare" 2>&1 || { cat "$tmp/prepare" >&2; fail "ctr snapshot prepare"; }
$ctr snapshot mounts /mnt probe | grep -q '^mount -t overlay ' || fail "the snapshot is not an overlay"
stop
echo "containerd $("$bin/containerd" --version | awk '{ print $4 }'): $(echo "$disabled" | wc -w) plugins disabled, each known; $(wc -l <"$tmp/with/plugins") load, none fails; import and snapshot ok"
