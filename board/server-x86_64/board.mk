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
BOARD_CMDLINE := console=tty0 console=ttyS0,115200 panic=30 page_alloc.shuffle=1 pti=on bonding.max_bonds=0 lockdown=integrity
# The GPU drivers: NVIDIA's (its modules built for this kernel) and the
# firmware of AMD's in-kernel amdgpu, with the glibc closure they run with.
BOARD_EXTRA_PACKAGES := nvidia firmware-amdgpu libtirpc libgssapi-krb5 libkrb5 \
	libk5crypto libkrb5support libcom-err libkeyutils
# The GPU packages make the root some 500 MB, all of it in memory; zstd
# at 19 would spend minutes on it for a few percent.
INITRAMFS_ZSTD_LEVEL := 12
QEMU_MACHINE := -M q35 -m 3072 -smp 2
# Modules no device asks for (no modalias), so coldplug and mdev never load
# them: ipmi_devintf gives /dev/ipmi0 to BMC tools once ipmi_si finds a BMC.
BOARD_MODULES := ipmi_devintf
