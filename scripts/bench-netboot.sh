#!/bin/sh
# scripts/bench-netboot.sh: NODES simulated nodes netbooting at once from
# the standard server (nginx, as doc/netboot.md sets it up) on loopback:
# each fetches what iPXE fetches, in its order (boot.ipxe, vmlinuz,
# initramfs.cpio.zst), with curl.  Prints the bytes a node fetches, the
# time one node takes alone (the baseline, same server, same run), and
# for all at once: total time, per-node median and worst, failures.
#
# usage: bench-netboot.sh NETBOOT_DIR [NODES]
. "$(dirname "$0")/lib.sh"

set_dir=${1:?usage: bench-netboot.sh NETBOOT_DIR [NODES]}
nodes=${2:-50}
PATH=$PATH:/usr/sbin
for t in nginx curl; do
	command -v "$t" >/dev/null || die "$t not installed: run 'make hostdeps'"
done
[ -f "$set_dir/boot.ipxe" ] || die "$set_dir: no netboot set; run 'make netboot'"
files="boot.ipxe vmlinuz initramfs.cpio.zst"

w=$(mktemp -d)
nginx_pid=
trap '[ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null; rm -rf "$w"' EXIT
port=$((20000 + $$ % 20000))
mkdir -p "$w/nginx"
cat >"$w/nginx.conf" <<EOF
daemon off;
user root;
worker_processes auto;
pid $w/nginx/pid;
error_log $w/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $w/nginx/body;
	proxy_temp_path $w/nginx/proxy;
	fastcgi_temp_path $w/nginx/fastcgi;
	uwsgi_temp_path $w/nginx/uwsgi;
	scgi_temp_path $w/nginx/scgi;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	server { listen 127.0.0.1:$port; location /cairn/ { alias $(cd "$set_dir" && pwd)/; } }
}
EOF
nginx -e "$w/nginx/error.log" -p "$w/nginx" -c "$w/nginx.conf" &
nginx_pid=$!
n=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/cairn/boot.ipxe"; do
	n=$((n + 1))
	[ "$n" -lt 50 ] || die "nginx did not start: $(cat "$w/nginx/error.log")"
	sleep 0.1
done

# node I: fetch the set in iPXE's order; one line "SECONDS BYTES OK".
node() {
	t0=$(now) bytes=0 ok=1
	for f in $files; do
		b=$(curl -sf -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/cairn/$f") || { ok=0; break; }
		bytes=$((bytes + b))
	done
	echo "$(echo "$(now) $t0" | awk '{ printf "%.3f", $1 - $2 }') $bytes $ok" >"$w/node.$1"
}

per_node=0
for f in $files; do
	per_node=$((per_node + $(stat -c %s "$set_dir/$f")))
done
printf 'netboot set: %s, %s bytes a node fetches (%.1f MB)\n' "$files" "$per_node" \
	"$(echo "$per_node" | awk '{ print $1 / 1e6 }')"

node alone
read -r alone_s alone_b alone_ok <"$w/node.alone"
[ "$alone_ok" = 1 ] && [ "$alone_b" = "$per_node" ] || die "one node alone: the fetch failed"
printf '%-26s %8s s\n' "one node alone (baseline)" "$alone_s"

t0=$(now)
i=0
while [ "$i" -lt "$nodes" ]; do
	node "$i" &
	i=$((i + 1))
done
wait_nodes=0
while [ "$(ls "$w" | grep -c '^node\.[0-9]')" -lt "$nodes" ]; do
	sleep 0.05
	wait_nodes=$((wait_nodes + 1))
	[ "$wait_nodes" -lt 12000 ] || die "nodes still fetching after 600 s"
done
total=$(echo "$(now) $t0" | awk '{ printf "%.3f", $1 - $2 }')
cat "$w"/node.[0-9]* >"$w/all"
fails=$(awk -v b="$per_node" '$3 != 1 || $2 != b' "$w/all" | wc -l)
med=$(awk '{ print $1 }' "$w/all" | median)
worst=$(awk '{ print $1 }' "$w/all" | sort -n | tail -n 1)
printf '%-26s %8s s total, per node median %s s, worst %s s, %d failed\n' "$nodes nodes at once" \
	"$total" "$med" "$worst" "$fails"
printf '%-26s %8.1f MB/s served (%d x %.1f MB)\n' "throughput" \
	"$(echo "$nodes $per_node $total" | awk '{ print $1 * $2 / 1e6 / $3 }')" "$nodes" \
	"$(echo "$per_node" | awk '{ print $1 / 1e6 }')"
[ "$fails" -eq 0 ] || exit 1
