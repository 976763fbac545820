# server-x86_64: real x86_64 UEFI servers: NVMe/AHCI, server NICs, IPMI,
# IOMMU and the GPU prerequisites.  Its UEFI boot media (UKI, disk image)
# come with the boot media issue; today it gives the kernel and initramfs
# that netboot and the QEMU smoke test use.
BOARD_ARCH := x86_64
BOARD_BOOT := uefi
KERNEL_FRAGMENTS := base hardening containers server gpu
# lockdown=integrity: nothing, root included, changes the running kernel
# (unsigned modules, /dev/mem, kexec, MSR and PCI BAR writes); under Secure
# Boot the UKI's signature covers this command line (doc/secure-boot.md).
# cairn.watchdog=auto: initd arms the best hardware watchdog it finds (the
# BMC's, else the chipset's), so a hung node, a trial slot above all,
# resets and comes back by itself (doc/initd.md).
BOARD_CMDLINE := console=tty0 console=ttyS0,115200 panic=30 page_alloc.shuffle=1 pti=on bonding.max_bonds=0 lockdown=integrity cairn.watchdog=auto
# The GPU drivers: NVIDIA's (its modules built for this kernel), the
# kernel's own GPU modules (linux-gpu: DRM and its helpers, amdgpu) and
# amdgpu's firmware, with the glibc closure they run with, as the layer
# gpu: a netbooted node loads it only when given it (boot-gpu.ipxe,
# cairn-gpu.efi; doc/netboot.md, Layers).  libcom-err stays in the root:
# e2fsprogs needs it too.  The roles' layers slurm and k8s as on every
# board (Makefile, LAYER_PKGS_*).
BOARD_LAYERS := gpu slurm k8s
LAYER_PKGS_gpu := nvidia linux-gpu firmware-amdgpu libtirpc libgssapi-krb5 libkrb5 \
	libk5crypto libkrb5support libkeyutils
BOARD_EXTRA_PACKAGES := libcom-err
# The GPU packages make the root some 500 MB, all of it in memory; zstd
# at 19 would spend minutes on it for a few percent.
INITRAMFS_ZSTD_LEVEL := 12
# A simulated BMC on KCS, and an i6300esb: tests/vm/modules_watchdog.sh
# sees auto take the BMC's watchdog over the chipset-class one.
QEMU_MACHINE := -M q35 -m 3072 -smp 2 -device ipmi-bmc-sim,id=bmc0 \
	-device isa-ipmi-kcs,bmc=bmc0 -device i6300esb
# Loaded before the coldplug, in this order: ipmi_si finds the BMC (ACPI or
# SMBIOS describe it; its init waits for the BMC's answer), ipmi_devintf
# gives /dev/ipmi0 to BMC tools, and ipmi_watchdog, a legacy driver, then
# takes the plain /dev/watchdog before any chipset watchdog can (the kernel
# gives that node to the first watchdog registered; had the chipset's come
# first, ipmi_watchdog would find it taken and give up).  None of the
# three is asked for by a modalias alone.  On a machine without a BMC
# ipmi_si's load fails (no interface) and initd logs that modprobe exited
# 1; the other two load, and auto takes the chipset's watchdog.
BOARD_MODULES := ipmi_si ipmi_devintf ipmi_watchdog
