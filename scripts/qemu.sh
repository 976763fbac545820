#!/bin/sh
# scripts/qemu.sh: boot a board's artifacts in QEMU with the serial console
# on this terminal (--interactive) or on stdout (tests).
#
# usage: qemu.sh [--interactive] [--append ARGS] [--initrd FILE|--no-initrd] [--cmdline FILE]
#                [--reboot] [--netboot|--uefi [--secboot VARS]] OUT [-- QEMU_ARGS...]
#
# The initrd is OUT's initramfs and after it each of OUT's layers
# (layer-NAME.cpio, doc/netboot.md): a node given every layer, as
# boot-all.ipxe boots it; --initrd FILE is FILE alone (the base payload:
# --initrd OUT/initramfs.cpio.zst).  The concatenation is kept in OUT as
# .initrd-all, made again when a part changes (lib.sh, initrd_all).
# --no-initrd: OUT's kernel alone, for a root on a disk QEMU_ARGS give
# (bench-runtime's Debian baseline).
# --cmdline FILE: the kernel's command line from FILE, not OUT/cmdline
# (--append is added to either).
# --netboot: no kernel given; the firmware boots from the network (the
# NIC's iPXE ROM), which QEMU_ARGS must give.  --uefi: no kernel given;
# OVMF (its variables thrown away at exit) boots the disks QEMU_ARGS give.
# With --reboot a reboot of the guest starts it again (under --uefi
# firmware and all; booted directly, the same kernel and initramfs), as a
# machine would; otherwise, and always with --netboot or --interactive,
# QEMU exits on a reboot, a test's sign.
# --secboot VARS: OVMF's Secure Boot build with the variable store VARS
# (keys enrolled: doc/secure-boot.md), SMM on as it needs.
# Without --interactive the serial console is stdin and stdout, so a test
# can type into the guest.
# The guest gets no network device unless QEMU_ARGS gives one: QEMU's user
# network would forward the guest's traffic off this machine.  KVM is used
# when a probe shows it can boot a kernel here (a nested KVM guest can hang
# at kernel decompression); otherwise TCG.  The probe's answer is cached.
. "$(dirname "$0")/lib.sh"

interactive=0 append= initrd= noinitrd=0 cmdfile= netboot=0 uefi=0 noreboot=-no-reboot secvars=
while [ $# -gt 0 ]; do
	case $1 in
	--interactive) interactive=1; shift ;;
	--netboot) netboot=1; shift ;;
	--uefi) uefi=1; shift ;;
	--reboot) noreboot=; shift ;;
	--secboot) secvars=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--no-initrd) noinitrd=1; shift ;;
	--cmdline) cmdfile=$2; shift 2 ;;
	*) break ;;
	esac
done
out=${1:?usage: qemu.sh [--interactive] [--append ARGS] [--initrd FILE|--no-initrd] [--cmdline FILE] [--reboot] [--netboot|--uefi [--secboot VARS]] OUT [-- QEMU_ARGS...]}
shift
[ "${1:-}" = -- ] && shift
for f in vmlinuz initramfs.cpio.zst cmdline; do
	[ -f "$out/$f" ] || die "$out/$f: missing; build it with 'make'"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run 'make hostdeps'"

# accel: kvm when the cached probe says it boots, else tcg.
accel() {
	[ -w /dev/kvm ] || { echo tcg; return; }
	# keyed on the kernel probed too: a broken image must not cache "tcg" for good
	key=$(uname -r)-$(qemu-system-x86_64 --version | head -n 1 | tr -cd '0-9.')-$(sha256_of "$out/vmlinuz" | cut -c1-16)
	cache=$CAIRN_CACHE/kvm-probe
	if [ -f "$cache" ] && [ "$(cut -d' ' -f1 "$cache")" = "$key" ]; then
		cut -d' ' -f2 "$cache"
		return
	fi
	mkdir -p "$CAIRN_CACHE"
	if (timeout 15 qemu-system-x86_64 -accel kvm -cpu host -M q35 -m 256 \
		-display none -monitor none -serial stdio -nic none -no-reboot \
		-kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.zst" \
		-append "$(cat "$out/cmdline") cairn.test=poweroff" |
		grep -q 'cairn: boot ok') 2>/dev/null; then
		a=kvm
	else
		a=tcg
	fi
	echo "$key $a" >"$cache"
	echo "$a"
}

a=${QEMU_ACCEL:-$(accel)}
if [ "$a" = kvm ]; then
	set -- -accel kvm -cpu host "$@"
else
	set -- -accel tcg -cpu max "$@"
fi
case " $* " in
*" -nic "*|*" -netdev "*|*" -net "*) ;;
*) set -- "$@" -nic none ;;
esac
cmdline="$(cat "${cmdfile:-$out/cmdline}")${append:+ $append}"
if [ "$uefi" = 1 ]; then
	ovmf=/usr/share/OVMF
	[ -f "$ovmf/OVMF_CODE_4M.fd" ] || die "$ovmf/OVMF_CODE_4M.fd: missing; run 'make hostdeps' (ovmf)"
	code=$ovmf/OVMF_CODE_4M.fd vars=$ovmf/OVMF_VARS_4M.fd
	if [ -n "$secvars" ]; then
		[ -f "$secvars" ] || die "$secvars: no such variable store"
		code=$ovmf/OVMF_CODE_4M.secboot.fd vars=$secvars
		set -- "$@" -machine smm=on -global driver=cfi.pflash01,property=secure,value=on
	fi
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 "$@" -display none -monitor none -serial stdio $noreboot \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" \
		-drive "if=pflash,format=raw,unit=1,snapshot=on,file=$vars"
fi
if [ "$netboot" = 1 ]; then
	exec qemu-system-x86_64 "$@" -display none -monitor none -serial stdio -no-reboot -boot n
fi
if [ -z "$initrd" ] && [ "$noinitrd" = 0 ]; then
	initrd=$(initrd_all "$out") || exit 1
fi
[ "$noinitrd" = 1 ] || set -- "$@" -initrd "$initrd"
if [ "$interactive" = 1 ]; then
	echo "  QEMU    $out ($a; Ctrl-a x quits, 'poweroff' in the guest powers off)"
	exec qemu-system-x86_64 "$@" -nographic -no-reboot \
		-kernel "$out/vmlinuz" -append "$cmdline"
fi
# shellcheck disable=SC2086
exec qemu-system-x86_64 "$@" -display none -monitor none -serial stdio $noreboot \
	-kernel "$out/vmlinuz" -append "$cmdline"
