#!/bin/sh
# Stage 1 loads the board's listed module (i6300esb, /etc/modules), the
# watchdog it drives is armed with cairn.watchdog and petted: the guest
# outlives several timeouts, and a poweroff with it armed is clean.
. "$(dirname "$0")/vmlib"
case " $QEMU_MACHINE " in
*" -device i6300esb "*) ;;
*) echo "board has no i6300esb watchdog"; exit 77 ;;
esac

vm_start "cairn.watchdog=/dev/watchdog0:3"
vm_wait 'watchdog /dev/watchdog0 .*timeout 3s' 30
vm_run 'echo "listed=$(grep -v "^#" /etc/modules) loaded=$(cut -d" " -f1 /proc/modules | tr "\n" " ")"'
vm_run 'ls -l /dev/watchdog0; sleep 10; echo "alive after 10 s"'
vm_wait 'alive after 10 s' 60
vm_run 'initctl poweroff'
vm_end
expect 'listed=i6300esb loaded=.*i6300esb'
expect '^crw------- +1 root +root .*/dev/watchdog0'
expect 'reboot: Power down'
! grep -q 'i6300esb.*[Rr]eboot\|watchdog did not stop' "$vm/log" || fail "the watchdog fired"
echo "module loaded from the board's list; watchdog armed, petted, clean poweroff"
