#!/bin/sh
# scripts/hostdeps.sh: make sure the Debian 12 host has every package the
# build and the tests use.  As root, install what is missing; otherwise
# print the one apt-get line to run.
. "$(dirname "$0")/lib.sh"

# The build: compilers and the kernel's host tools.
pkgs="gcc make libc6-dev bc bison flex perl libelf-dev libssl-dev openssl
cpio rsync zstd xz-utils bzip2 curl ca-certificates dpkg-dev kmod
ccache libzstd-dev libjansson-dev"
# The kernel's GCC plugins (RANDSTRUCT, STACKLEAK, LATENT_ENTROPY): the
# plugin headers of the gcc that builds it, and g++ to build the plugins.
pkgs="$pkgs gcc-12-plugin-dev g++"
# The disk image: squashfs, dm-verity's hash tree, GPT, the ESP, the UKI.
pkgs="$pkgs squashfs-tools cryptsetup-bin fdisk dosfstools mtools binutils"
# The tests: QEMU (TCG), clang with the sanitizer and libFuzzer runtimes,
# iproute2 for network namespaces, e2fsprogs to check a guest's data disk,
# python3 to drive logd on the host, python3-jsonschema to check CDI specs
# against the CDI schema and every SBOM (the image's too) against SPDX's,
# jq to read the agent API's JSON, procps (pgrep), dnsmasq to give a guest
# DHCP in a test's network namespace.
pkgs="$pkgs qemu-system-x86 clang libclang-rt-14-dev llvm iproute2 e2fsprogs python3 python3-jsonschema
jq procps dnsmasq-base"
# The slurm profile's QEMU test: a real controller (Debian 12's slurmctld, the
# same Slurm 22.05 as the image's slurmd), its commands and MUNGE.
pkgs="$pkgs slurmctld slurm-client munge"
# Netboot's test and benchmark: nginx, the HTTP server the guide names.
pkgs="$pkgs nginx-light"
# UEFI guests (the disk image's tests): OVMF.
pkgs="$pkgs ovmf"
# make lint.
pkgs="$pkgs cppcheck clang-tidy"
# make bench-runtime's Debian baseline (scripts/debian-root.sh).
pkgs="$pkgs debootstrap"
# A software token for the PKCS#11 signing test (SoftHSM, OpenSC's pkcs11-tool).
pkgs="$pkgs softhsm2 opensc"
# Secure Boot: sbsign for the UKIs and systemd-boot (under faketime: its
# signing time is SOURCE_DATE_EPOCH's), efitools for the keys' EFI lists.
pkgs="$pkgs sbsigntool faketime efitools"
# A disk that lies, for the update's read-back test: nbdkit and its Python
# plugin serve the guest's disk and change what slot B reads back.
pkgs="$pkgs nbdkit nbdkit-plugin-python"
# And virt-fw-vars, to enroll a site's keys into OVMF's variables for the
# tests: Debian 13's python3-virt-firmware, taken by name and version (12
# has none; what it depends on, 12 has).
VIRT_FW=python3-virt-firmware=24.11-2

virt_fw() {
	command -v virt-fw-vars >/dev/null && return 0
	[ "$(id -u)" = 0 ] || die "virt-fw-vars missing: as root, run scripts/hostdeps.sh"
	"$(dirname "$0")/apt-setup.sh" || die "apt-setup failed"
	d=$(mktemp -d)
	(cd "$d" && cairn_apt_get download "$VIRT_FW" >/dev/null 2>&1) ||
		{ rm -rf "$d"; die "apt-get download $VIRT_FW failed"; }
	say APT "install $VIRT_FW (Debian 13)"
	apt-get install -y -q --no-install-recommends "$d"/*.deb >/dev/null 2>&1 ||
		{ rm -rf "$d"; die "apt-get install $VIRT_FW failed"; }
	rm -rf "$d"
}

command -v dpkg-query >/dev/null || die "this is not a Debian host: install by hand the equivalents of: $pkgs"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	virt_fw
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	die "missing host packages; run: sudo apt-get install --no-install-recommends$missing"
fi
say APT "install$missing"
export DEBIAN_FRONTEND=noninteractive
# Servers among them (nginx, munge, slurmctld) are started by the tests
# that need them, never by their packages: a policy-rc.d says no while
# they install (unless the host has its own).
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends $missing >/dev/null
} || die "apt-get install$missing failed"
virt_fw
