#!/usr/bin/env bash
# usage: runvm.sh KERNEL INITRD SHARE_DIR SERIAL_LOG
# Boots the HIL VM under qemu with no network device, a 9p share for results, and
# the serial console in SERIAL_LOG. Acceleration: HIL_ACCEL=kvm|tcg|auto (default
# auto: KVM is tried once per cache, behind a boot-marker timeout, and the verdict
# kept in SHARE_DIR/../kvm.verdict; TCG otherwise). Bounds: HIL_BOOT_TIMEOUT
# (default 90 s to the T_BOOTED marker), HIL_TIMEOUT (default 600 s to T_DONE).
# HIL_ICOUNT_SHIFT (TCG: guest ns per instruction = 2^shift, default 2; "off" = host
# time, which lets host load stretch pulses), HIL_SMP (vCPUs without icount, default 2).
# Prints "vm_accel=… vm_boot_s=… vm_wall_s=…"; exit 0 when T_DONE was seen.
set -uo pipefail
KERNEL=$1; INITRD=$2; SHARE=$3; LOG=$4
BOOT_TO=${HIL_BOOT_TIMEOUT:-90}; TOTAL_TO=${HIL_TIMEOUT:-600}
VERDICT=$(dirname "$SHARE")/kvm.verdict

boot() { # boot ACCEL BOOT_TIMEOUT → 0 when T_DONE seen, 2 when no boot marker, 1 otherwise
  local accel=$1 bto=$2 cpu=max timing=()
  [[ $accel == kvm ]] && cpu=host
  # TCG: guest time from the instruction count (icount: 2^shift ns per instruction,
  # one vCPU), so a vCPU thread that the host deschedules does not see time jump:
  # pulse widths and latencies measured inside the VM are the guest's own, not the
  # host's scheduling noise. sleep=on lets an idle guest wait in real time.
  local shift=${HIL_ICOUNT_SHIFT:-2} smp=${HIL_SMP:-2}
  if [[ $accel == tcg && $shift != off ]]; then timing=(-icount shift=$shift,sleep=on); smp=1; fi
  rm -f "$LOG" "$SHARE/scenario.out" "$SHARE/scenario.rc" "$SHARE/clock.out" "$SHARE/clock.rc"; : > "$LOG"
  local s; s=$(date +%s.%N)
  timeout --kill-after=5 "$TOTAL_TO" qemu-system-x86_64 -accel "$accel" "${timing[@]}" -cpu $cpu -smp "$smp" -m 1024 -display none -no-reboot \
    -nic none -kernel "$KERNEL" -initrd "$INITRD" -append 'console=ttyS0 panic=-1 quiet loglevel=4' \
    -virtfs local,path="$SHARE",mount_tag=hostshare,security_model=none,id=hs \
    -serial file:"$LOG" -monitor none < /dev/null > "$LOG.qemu" 2>&1 &
  local q=$! booted="" t
  while kill -0 $q 2>/dev/null; do
    if [[ -z $booted ]] && grep -q '^T_BOOTED' "$LOG"; then booted=$(echo "$(date +%s.%N) - $s" | bc); fi
    if [[ -z $booted ]] && (( $(echo "$(date +%s.%N) - $s > $bto" | bc) )); then
      echo "hil/runvm: no T_BOOTED marker within ${bto} s under $accel; stopping qemu" >&2
      kill $q; wait $q 2>/dev/null; return 2
    fi
    sleep 0.5
  done
  wait $q; local rc=$?
  t=$(echo "$(date +%s.%N) - $s" | bc)
  echo "vm_accel=$accel vm_boot_s=${booted:-none} vm_wall_s=$t qemu_rc=$rc"
  if grep -q '^T_DONE' "$LOG"; then return 0; fi
  [[ $rc == 124 ]] && echo "hil/runvm: the VM did not finish within HIL_TIMEOUT=${TOTAL_TO} s" >&2
  [[ -z $booted ]] && return 2
  return 1
}

ACCEL=${HIL_ACCEL:-auto}
if [[ $ACCEL == auto ]]; then
  if [[ -w /dev/kvm && "$(cat "$VERDICT" 2>/dev/null)" != broken ]]; then
    if [[ "$(cat "$VERDICT" 2>/dev/null)" == works ]]; then boot kvm "$BOOT_TO"; exit $?; fi
    boot kvm 20; rc=$?
    if [[ $rc != 2 ]]; then echo works > "$VERDICT"; exit $rc; fi
    echo broken > "$VERDICT"
    echo "hil/runvm: KVM unusable here ($(head -c 200 "$LOG.qemu" | tr '\n' ' ')); using TCG from now on (rm $VERDICT to retry)" >&2
  fi
  ACCEL=tcg
fi
boot "$ACCEL" "$BOOT_TO"
