#!/bin/sh
# Stage 1 loads the board's listed modules (/etc/modules); with
# cairn.watchdog=auto initd arms the best hardware watchdog it finds, says
# which on the console and in WDT_RECORD, and the agent's inventory lists
# it.  The qemu board has QEMU's i6300esb; the server board has that and a
# simulated BMC on KCS, whose IPMI watchdog auto prefers.  Armed with a 10 s
# timeout (QEMU's timers count host time: a busy host must not starve the
# guest past one) and petted, the guest outlives several timeouts, and a
# poweroff with it armed is clean.  i6300esb gives its watchdog no parent device:
# sysfs names it only where the kernel has WATCHDOG_SYSFS (the server
# board's), and the console's second line names it by its driver anyway.
. "$(dirname "$0")/vmlib"
case " $QEMU_MACHINE " in
*" -device ipmi-bmc-sim,"*)
	dev=/dev/watchdog identity=IPMI found='/dev/watchdog \(ipmi_watchdog, bmc\), /dev/watchdog1 \(i6300ESB timer, hardware\)$' ;;
*" -device i6300esb "*)
	dev=/dev/watchdog0 identity='i6300ESB timer' found='/dev/watchdog0 \((i6300ESB timer|\?), hardware\)$' ;;
*) echo "board has no emulated watchdog"; exit 77 ;;
esac

vm_start "cairn.watchdog=auto:10"
vm_wait "watchdog $dev \($identity\): timeout 10s" 60
vm_run 'echo "listed=$(grep -v "^#" /etc/modules | tr "\n" " ")loaded=$(cut -d" " -f1 /proc/modules | tr "\n" " ")"'
vm_run 'ls -l /dev/watchdog*; cat /run/initd.watchdog; sleep 35; echo "alive after" "35 s"'
vm_wait 'alive after 35 s' 90
vm_run 'cairn-agent inventory | tr -s " \n" " " | grep -o "\"watchdog\": {.*" | sed "s/^/inventory: /"; echo "inventory" "done"'
vm_wait 'inventory done' 60
vm_run 'initctl poweroff'
vm_end
expect "cairn.watchdog=auto: found $found"
# Every listed module loaded (the lines hold the module names in order).
listed=$(sed -n 's/^listed=\(.*\)loaded=.*/\1/p' "$vm/log" | tail -1)
[ -n "$listed" ] || fail "no module list on the console"
for m in $listed; do
	expect "^listed=.*loaded=(.* )?$m "
done
expect "^device = $dev\$"
expect "^identity = $identity\$"
expect '^timeout = 10$'
expect '^chosen = auto$'
expect "^inventory: \"watchdog\": \{ \"armed\": \{ \"device\": \"$dev\", \"identity\": \"$identity\", \"timeout_s\": 10, \"chosen\": \"auto\" \}"
expect 'reboot: Power down'
! grep -q 'i6300esb.*[Rr]eboot\|watchdog did not stop\|IPMI Watchdog: .*reset' "$vm/log" || fail "the watchdog fired"
echo "listed modules loaded; auto armed $dev ($identity), petted, in the inventory; clean poweroff"
