# scripts/containerd-lib.sh: the pinned containerd on this machine, with
# the image's config moved into a scratch directory (sourced, after
# lib.sh, by bench-containerd.sh and tests/build/containerd_plugins.sh).

# containerd_unpack DEST: the containerd .deb that sources.lock pins (from
# DL_DIR, its sha256 checked) unpacked into DEST: DEST/usr/bin/containerd,
# ctr, the shims.
containerd_unpack() {
	set -- "$1" $(lock_lines src sources.lock | awk '$2 == "containerd" { print $4, $5 }')
	[ $# -eq 3 ] || die "sources.lock pins no containerd"
	[ -f "$DL_DIR/$2" ] || die "$DL_DIR/$2 missing: make fetch"
	[ "$(sha256_of "$DL_DIR/$2")" = "$3" ] || die "$DL_DIR/$2: sha256 differs from sources.lock"
	dpkg-deb -x "$DL_DIR/$2" "$1"
}

# containerd_conf CONFIG DIR: CONFIG with every path containerd writes or
# watches moved under DIR (absolute): root, state, socket, CDI spec
# directories, CNI directories (the image's conflist copied in), and the
# opt plugin's directory where that plugin loads.  The runtimes' binaries
# stay as written.  Refuses when a path of CONFIG's was left on the host.
containerd_conf() {
	mkdir -p "$2/cdi" "$2/cni/bin" "$2/cni/net.d" "$2/opt"
	cp rootfs/etc/cni/net.d/*.conflist "$2/cni/net.d/"
	sed -e "s|^root = \"/var/lib/containerd\"|root = \"$2/root\"|" \
		-e "s|^state = \"/run/containerd\"|state = \"$2/state\"|" \
		-e "s|\"/run/containerd/containerd.sock\"|\"$2/containerd.sock\"|" \
		-e "s|\\[\"/etc/cdi\", \"/var/run/cdi\"\\]|[\"$2/cdi\"]|" \
		-e "s|\"/opt/cni/bin\"|\"$2/cni/bin\"|" \
		-e "s|\"/etc/cni/net.d\"|\"$2/cni/net.d\"|" "$1" >"$2/config.toml"
	printf '\n[plugins."io.containerd.internal.v1.opt"]\n  path = "%s/opt"\n' "$2" >>"$2/config.toml"
	_left=$(grep -o '"/[^"]*"' "$2/config.toml" | grep -v "^\"$2/" |
		grep -vx '"/usr/sbin/runc"' | grep -vx '"/usr/bin/cairn-runtime"' || true)
	[ -z "$_left" ] || die "$1: paths not moved under $2: $_left"
}
