#!/bin/sh
# scripts/bench-containerd.sh: containerd's start on this machine, from
# its exec to its socket answering `ctr version`, for each CONFIG
# (default: the image's rootfs/etc/containerd/config.toml) moved into a
# scratch directory (scripts/containerd-lib.sh).  The pinned containerd
# from DL_DIR; each start on an empty root, as a node's first boot; the
# configs' runs interleaved so that both see the same machine; medians of
# RUNS.  Beside it, the parts from its log's times (exec to its first
# line, that line to "booted", "booted" to ctr's answer), the plugins
# slowest to load, and its plugins by status.  Needs root (overlayfs,
# the CRI).
#
# usage: bench-containerd.sh [-n RUNS] [CONFIG...]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containerd-lib.sh"

runs=7
[ "${1:-}" != -n ] || { runs=${2:?usage: bench-containerd.sh [-n RUNS] [CONFIG...]}; shift 2; }
# The configs as the caller named them, from the repository's root.
for c in "$@"; do
	[ -f "$c" ] || die "$c: no such config"
	set -- "$@" "$(realpath "$c")"
	shift
done
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- rootfs/etc/containerd/config.toml
[ "$(id -u)" = 0 ] || die "needs root: containerd's overlayfs snapshotter and CRI"
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
containerd_unpack "$tmp/deb"
bin=$tmp/deb/usr/bin

# start CONFIG DIR: containerd with CONFIG moved into DIR, until its socket
# answers; prints the clock times of its exec and of the answer.  Every
# try is a `ctr version` run at once after the last, no pause between
# (ctr itself waits for the socket to appear, looking every 10 ms);
# 60 s at most.
start() {
	containerd_conf "$1" "$2"
	t0=$(now)
	"$bin/containerd" --config "$2/config.toml" -l debug >"$2/log" 2>&1 &
	pid=$!
	until "$bin/ctr" --address "$2/containerd.sock" version >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$2/log" >&2; die "$1: containerd exited"; }
		[ "$(date +%s)" -lt $((${t0%.*} + 60)) ] || die "$1: no answer on $2/containerd.sock within 60 s"
	done
	echo "$t0 $(now)"
}
# stop DIR: containerd gone, its scratch root with it.
stop() {
	kill "$pid"
	wait "$pid" || true
	pid=
	rm -rf "$1/root" "$1/state"
}

i=0
while [ "$i" -lt "$runs" ]; do
	k=0
	for c in "$@"; do
		d=$tmp/c$k/run$i
		mkdir -p "$d"
		start "$c" "$d" >"$tmp/t"
		t=$(cat "$tmp/t")
		[ "$i" -gt 0 ] || "$bin/ctr" --address "$d/containerd.sock" plugins ls >"$tmp/c$k.plugins"
		stop "$d"
		# The log's first line and its "booted" line, as clock times:
		# exec to Go's main, main to serving, serving to ctr's answer.
		first=$(date -d "$(sed -n '1s/^time="\([^"]*\)".*/\1/p' "$d/log")" +%s.%N)
		booted=$(date -d "$(sed -n 's/^time="\([^"]*\)".*containerd successfully booted in.*/\1/p' "$d/log")" +%s.%N)
		echo "$t $first $booted" | awk '{ printf "%.1f %.1f %.1f %.1f\n", ($2 - $1) * 1000,
			($3 - $1) * 1000, ($4 - $3) * 1000, ($2 - $4) * 1000 }' >>"$tmp/c$k.ms"
		k=$((k + 1))
	done
	i=$((i + 1))
done

printf 'containerd %s, %s runs each, on %s\n' "$("$bin/containerd" --version | awk '{ print $4 }')" "$runs" "$(uname -r)"
k=0
for c in "$@"; do
	p=$tmp/c$k.plugins
	printf '%s\n' "$c"
	cut -d' ' -f1 "$tmp/c$k.ms" >"$tmp/col"
	printf '  exec to answering: median %s ms (%s)\n' "$(median <"$tmp/col")" "$(sort -n "$tmp/col" | tr '\n' ' ' | sed 's/ $//')"
	printf '    exec to its first log line (Go start): median %s ms\n' "$(cut -d' ' -f2 "$tmp/c$k.ms" | median)"
	printf '    first log line to "booted" (plugins): median %s ms\n' "$(cut -d' ' -f3 "$tmp/c$k.ms" | median)"
	printf '    "booted" to ctr version returned: median %s ms\n' "$(cut -d' ' -f4 "$tmp/c$k.ms" | median)"
	printf '  plugins: %s listed: %s ok, %s skip, %s error\n' "$(($(wc -l <"$p") - 1))" \
		"$(grep -c ' ok *$' "$p" || true)" "$(grep -c ' skip *$' "$p" || true)" "$(grep -c ' error *$' "$p" || true)"
	printf '  cri: %s\n' "$(awk '$2 == "cri" { print $NF }' "$p")"
	# What the first run's log says of plugins that did not load, and its
	# errors; then the plugins slowest to load, from every run's log: a
	# plugin's "loading plugin" line to the log's next line, median over
	# the runs, those of 0.5 ms or more.
	sed -n 's/.*msg="\(skip loading plugin\|failed to load plugin\)[^"]*\\"\([^\\]*\)\\".*/  \1 \2/p' "$tmp/c$k/run0/log" | sort -u
	grep -o 'level=error msg="[^"]*"' "$tmp/c$k/run0/log" | sed 's/^/  /' | sort -u
	for l in "$tmp"/c$k/run*/log; do
		awk -F'"' '/^time=/ { split(substr($2, 12), t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
			if (p != "") printf "%s %.2f\n", p, (s - last) * 1000
			p = ""; last = s }
			/msg="loading plugin / { p = $5; sub(/\\$/, "", p) }' "$l"
	done | sort -k1,1 -k2,2n | awk '{ v[$1] = v[$1] " " $2; n[$1]++ }
		END { for (p in v) { split(substr(v[p], 2), a, " "); m = a[int((n[p] + 1) / 2)]
			if (m >= 0.5) printf "  %6.1f ms loading %s\n", m, p } }' | sort -rn
	k=$((k + 1))
done
