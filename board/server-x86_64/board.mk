# server-x86_64: real x86_64 UEFI servers: NVMe/AHCI, server NICs, IPMI,
# IOMMU and the GPU prerequisites.  Its UEFI boot media (UKI, disk image)
# come with the boot media issue; today it gives the kernel and initramfs
# that netboot and the QEMU smoke test use.
BOARD_ARCH := x86_64
BOARD_BOOT := uefi
KERNEL_FRAGMENTS := base hardening containers server gpu
BOARD_CMDLINE := console=tty0 console=ttyS0,115200 panic=30 page_alloc.shuffle=1 pti=on
QEMU_MACHINE := -M q35 -m 1024 -smp 2
# Modules no device asks for (no modalias), so coldplug and mdev never load
# them: ipmi_devintf gives /dev/ipmi0 to BMC tools once ipmi_si finds a BMC.
BOARD_MODULES := ipmi_devintf
