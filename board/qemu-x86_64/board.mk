# qemu-x86_64: the default board: a QEMU q35 guest with virtio devices,
# booted directly (kernel + initramfs), console on the first serial port.
# `make run` and `make test` use it.
BOARD_ARCH := x86_64
BOARD_BOOT := direct
KERNEL_FRAGMENTS := base virtio containers hardening
# quiet: only warnings from the kernel on the console (initd still prints
# its own lines); panic=-1 reboots at once, and QEMU's -no-reboot turns that
# into an exit, so a broken boot never hangs a test.
# lockdown=integrity: nothing, root included, changes the running kernel
# (unsigned modules, /dev/mem, kexec, MSR and PCI BAR writes); under Secure
# Boot the UKI's signature covers this command line (doc/secure-boot.md).
BOARD_CMDLINE := console=ttyS0 quiet panic=-1 page_alloc.shuffle=1 pti=on bonding.max_bonds=0 lockdown=integrity cairn.shell
# i6300esb: a watchdog to arm with cairn.watchdog (QEMU resets the guest
# when it fires; -no-reboot turns that into an exit).
QEMU_MACHINE := -M q35 -m 1024 -smp 2 -device i6300esb
# The board's one listed module (/etc/modules): coldplug would also find it
# by its PCI alias, but the list is the path a board relies on.
BOARD_MODULES := i6300esb
# The roles' layers (Makefile, LAYER_PKGS_*): the base netboot payload is
# the kernel, init and the container runtime; `make run` and the tests
# boot with every layer (scripts/qemu.sh), as a node given them all.
BOARD_LAYERS := slurm k8s
