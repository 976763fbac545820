#!/bin/sh
# The container runtime, offline (doc/runtime.md): containerd starts under
# initd and becomes ready; the image's own OCI archives are imported at
# boot; a container runs and its output is read back; a second container
# reaches a first over the CNI bridge; containerd restarted by initd
# leaves the running container alive and reachable; a CDI device (a test
# spec: no GPU here) reaches a container through cairn-runtime by an
# annotation, an unknown one is refused by name, and one asked for by
# CDI_DEVICES is refused on a node whose config does not allow it; a
# corrupt archive is named and refused while an archive in a directory
# the node config names is imported; containerd and the running
# container carry on through both.
. "$(dirname "$0")/vmlib"

# The steps, run in the guest; each ends with a line the test waits for.
mkdir -p "$vm/root/root"
cat >"$vm/root/root/rt.sh" <<'STEPS'
#!/bin/sh
wait_for() {	# SECONDS CMD...: until CMD succeeds
	n=$1; shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1)); [ "$n" -gt 0 ] || return 1; sleep 1
	done
}
# ctr run forwards its stdin to the container: never the console's, which
# holds the test's next command.
exec </dev/null
case $1 in
images)
	wait_for 120 sh -c 'ctr images ls -q | grep -qx cairn.local/test:1' || { echo "RT-FAIL: no image"; exit 1; }
	ctr images ls -q | sed 's/^/RT-IMAGE /'
	echo "RT-STATUS $(initctl status containerd | head -n 1)"
	echo "RT-IMAGES-OK" ;;
run)
	ctr run --rm cairn.local/test:1 one sh -c 'echo "RT-FROM-CONTAINER $(tr "\0" " " </proc/1/cmdline)"' ;;
serve)
	mkdir -p /run/t
	timeout 60 ctr run -d --cni --mount type=bind,src=/run/t,dst=/t,options=rbind:rw cairn.local/test:1 srv \
		sh -c 'ip -4 -o addr show dev eth0 >/t/addr; echo "RT-SERVED-BY-SRV" >/t/index.html; exec httpd -f -p 8080 -h /t' ||
		{ echo "RT-FAIL: ctr run srv exited $?"; exit 1; }
	wait_for 30 test -s /run/t/addr || { echo "RT-FAIL: srv has no address"; ctr task ls; exit 1; }
	echo "RT-SRV-ADDR $(awk '{ print $4 }' /run/t/addr)"
	echo "RT-SERVE-OK" ;;
fetch)
	ip=$(awk '{ print $4 }' /run/t/addr | cut -d/ -f1)
	ctr run --rm --cni cairn.local/test:1 "cli$2" wget -q -O - "http://$ip:8080/index.html" | sed "s/^/RT-FETCH$2 /" ;;
restart)
	pid=$(ctr task ls | awk '$1 == "srv" { print $2 }')
	initctl restart containerd
	wait_for 60 ctr version || { echo "RT-FAIL: containerd not back"; exit 1; }
	echo "RT-AFTER-RESTART $(ctr task ls | awk '$1 == "srv" { print $2, $3 }') was $pid"
	echo "RT-RESTART-OK" ;;
cdi)
	# The root is read-only: specs made at run time go to /var/run/cdi.
	mkdir -p /var/run/cdi
	cat >/var/run/cdi/test.json <<'SPEC'
{ "cdiVersion": "0.5.0", "kind": "cairn.test/dev",
  "devices": [ { "name": "null", "containerEdits": {
      "env": [ "CDI_TEST=applied" ],
      "deviceNodes": [ { "path": "/dev/null", "type": "c", "major": 1, "minor": 3 } ] } } ] }
SPEC
	echo "RT-CDI-SPEC-BOOT $(initctl log cdi | tail -n 1)"
	ctr run --rm --runc-binary /usr/bin/cairn-runtime --annotation cdi.k8s.io/test=cairn.test/dev=null \
		cairn.local/test:1 cdi1 sh -c 'echo "RT-CDI-IN $CDI_TEST"'
	ctr run --rm --runc-binary /usr/bin/cairn-runtime --annotation cdi.k8s.io/test=cairn.test/dev=nope \
		cairn.local/test:1 cdi2 true 2>&1 | sed 's/^/RT-CDI-BAD /'
	# No [gpu] cdi-devices-env in this node's config: the variable asks for nothing.
	ctr run --rm --runc-binary /usr/bin/cairn-runtime --env CDI_DEVICES=cairn.test/dev=null \
		cairn.local/test:1 cdi3 sh -c 'echo "RT-CDI-ENV-RAN $CDI_TEST"' 2>&1 | sed 's/^/RT-CDI-ENV /'
	echo "RT-CDI-SRV $(ctr task ls | awk '$1 == "srv" { print $3 }')"
	echo "RT-CDI-OK" ;;
ldhook)
	# A glibc root with no ldconfig, from the node's own glibc, and a
	# program linked against three libraries that only a CDI device
	# mounts: cairn-runtime applies it, runc runs cairn-cdi's hook, the
	# program finds them through the hook's cache.
	r=/run/ldroot
	mkdir -p $r/usr/lib/x86_64-linux-gnu $r/lib64 $r/usr/bin $r/etc $r/proc $r/dev $r/sys $r/tmp
	cp /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /usr/lib/x86_64-linux-gnu/libc.so.6 $r/usr/lib/x86_64-linux-gnu/
	ln -sf ../usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 $r/lib64/ld-linux-x86-64.so.2
	cp /root/ldh/prog $r/usr/bin/prog
	cat >/var/run/cdi/ld.json <<'SPEC'
{ "cdiVersion": "0.5.0", "kind": "cairn.test/ld",
  "devices": [ { "name": "drv", "containerEdits": {
      "mounts": [ { "hostPath": "/root/ldh/drv", "containerPath": "/opt/drv",
                    "options": [ "ro", "nosuid", "nodev", "bind" ] } ],
      "hooks": [ { "hookName": "createContainer", "path": "/usr/bin/cairn-cdi",
                   "args": [ "cairn-cdi", "hook", "update-ldcache", "--folder", "/opt/drv" ] } ] } } ] }
SPEC
	ctr run --rm --runc-binary /usr/bin/cairn-runtime --annotation cdi.k8s.io/ld=cairn.test/ld=drv \
		--rootfs $r ld1 /usr/bin/prog 2>&1 | sed 's/^/RT-LDHOOK /'
	echo "RT-LDHOOK-CACHE $(head -n 1 $r/etc/ld.so.cache | cut -c1-20)"
	echo "RT-LDHOOK-OK" ;;
corrupt)
	mkdir -p /var/lib/cairn/images
	head -c 3000 /usr/share/cairn/images/cairn-test.tar >/var/lib/cairn/images/broken.tar
	# A site's own archives, in directories the node config names.
	mkdir -p /run/cairn /run/site-images
	cp /usr/share/cairn/images/cairn-test.tar /run/site-images/site.tar
	printf '[images]\ndir = /run/site-images\ndir = /run/missing\n' >/run/cairn/node.conf
	/usr/lib/cairn/import-images 2>&1 | sed 's/^/RT-IMPORT /'
	echo "RT-SRV-STILL $(ctr task ls | awk '$1 == "srv" { print $3 }')"
	echo "RT-CORRUPT-OK" ;;
esac
STEPS

# The ld hook's program and libraries (doc/cairn-cdi.md): built here
# against glibc, run in the guest against the node's.
mkdir -p "$vm/root/root/ldh/drv"
for n in 1 2 10; do
	printf 'int hook%s(void) { return %s; }\n' "$n" "$n" >"$vm/h$n.c"
	gcc -shared -fPIC -O2 -Wl,-soname,libhook$n.so.1 -o "$vm/root/root/ldh/drv/libhook$n.so.1" "$vm/h$n.c"
	ln -s "$vm/root/root/ldh/drv/libhook$n.so.1" "$vm/libhook$n.so"
done
printf '#include <stdio.h>\nint hook1(void), hook2(void), hook10(void);\nint main(void) { if (hook1() + hook2() + hook10() != 13) return 1; puts("LDHOOK-PROG-RAN"); return 0; }\n' >"$vm/prog.c"
gcc -O2 -o "$vm/root/root/ldh/prog" "$vm/prog.c" -L"$vm" -lhook1 -lhook2 -lhook10

vm_start ""
vm_run 'sh /root/rt.sh images'
vm_wait 'RT-IMAGES-OK' 180
vm_run 'sh /root/rt.sh run'
vm_wait 'RT-FROM-CONTAINER' 60
vm_run 'sh /root/rt.sh serve'
vm_wait 'RT-SERVE-OK|RT-FAIL' 120
vm_run 'sh /root/rt.sh fetch 1'
vm_wait 'RT-FETCH1' 60
vm_run 'sh /root/rt.sh restart'
vm_wait 'RT-RESTART-OK|RT-FAIL' 90
vm_run 'sh /root/rt.sh fetch 2'
vm_wait 'RT-FETCH2' 60
vm_run 'sh /root/rt.sh cdi'
vm_wait 'RT-CDI-OK' 90
vm_run 'sh /root/rt.sh ldhook'
vm_wait 'RT-LDHOOK-OK' 90
vm_run 'sh /root/rt.sh corrupt'
vm_wait 'RT-CORRUPT-OK' 60
vm_run 'initctl poweroff'
vm_end

expect 'RT-IMAGE cairn.local/test:1'
expect 'RT-IMAGE cairn.local/pause:1'
expect 'RT-STATUS containerd +up'
expect 'RT-FROM-CONTAINER sh -c'
expect 'RT-SRV-ADDR 10\.88\.'
expect 'RT-FETCH1 RT-SERVED-BY-SRV'
# The same task, still running, after containerd's restart.
grep -E 'RT-AFTER-RESTART [0-9]+ RUNNING was [0-9]+' "$vm/log" >"$vm/after" || fail "srv not running after the restart"
read -r _ new _ _ old <"$vm/after"
[ "$new" = "$old" ] || fail "srv's task changed over the restart ($old, then $new)"
expect 'RT-FETCH2 RT-SERVED-BY-SRV'
# CDI through containerd's shim and cairn-runtime: applied, and an
# unknown device refused by name while the other container runs on;
# CDI_DEVICES refused, the node's config not turning it on.
expect 'RT-CDI-SPEC-BOOT .*no GPU: no CDI spec written'
expect 'RT-CDI-IN applied'
expect 'RT-CDI-BAD .*cairn.test/dev=nope'
expect 'RT-CDI-ENV .*CDI_DEVICES is off on this node'
! grep -q 'RT-CDI-ENV-RAN' "$vm/log" || fail "a container's CDI_DEVICES was applied with the switch off"
expect 'RT-CDI-SRV RUNNING'
# A glibc program finds the libraries a CDI device mounted, through the
# cache cairn-cdi's hook made in a root with no ldconfig of its own.
expect 'RT-LDHOOK LDHOOK-PROG-RAN'
expect 'RT-LDHOOK-CACHE glibc-ld.so.cache1.1'
expect 'RT-IMPORT import-images: /var/lib/cairn/images/broken.tar: not imported'
expect 'RT-IMPORT import-images: /run/site-images/site.tar: imported'
expect 'RT-IMPORT import-images: /run/missing \(node config\): no such directory'
expect 'RT-SRV-STILL RUNNING'
expect 'reboot: Power down'
echo "containerd ready; images imported; a container ran; CNI bridge between two; srv survived a containerd restart; a broken archive named"
