#!/usr/bin/env bash
# make hil: hardware-in-the-loop run of `earshot run` on real kernel devices
# (snd-aloop, gpio-sim) in a qemu VM. Artefacts are cached under .hil-cache/
# (kernel + modules once per kernel ABI; earshot rebuilt incrementally in
# .build-static (shared with make package); the initramfs only when one of its inputs changed).
# Prints the scenario's PASS/FAIL lines and those of the systemd phase (clock.sh: the
# shipped unit under systemd as PID 1, clock-sync state), then
#   hil_pass=N hil_fail=M hil_latency_p50_ms=… hil_latency_p99_ms=…
# Exit 0 only when the VM finished and every check passed.
# Detection table: SignatureTable.relaxedForSyntheticSounds() (EarshotTestSupport), written
# by earshot-hil-gen next to the audio. It is spelled out field by field, not derived from
# the default table, so retuning the default on recordings does not move the HIL's
# expectations. Tools/hil/align-check.sh shows, offline, how reliably this table detects
# each planned event at every hop alignment.
# Environment: SWIFT (swift), HIL_ACCEL (auto|kvm|tcg), HIL_TIMEOUT (VM bound, s),
# HIL_NO_BUILD=1 (reuse the binaries in .build-static: iterate on the scenario),
# HIL_GPIOD=1|2 (default 1: the system's libgpiod, v1 on bookworm; 2 = make hil-gpiod2:
# earshot built against libgpiod 2 from Tools/libgpiod2.sh, linked statically, in
# .build-static-gpiod2, with its own stage/share/initramfs (*-gpiod2 under .hil-cache) and
# the same kernel; the scenario's helper tools (gpioset, gpioinfo) stay the system's v1
# ones, so a v1 and a v2 consumer share the chip as they would on a mixed system).
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
C=$PWD/.hil-cache; export HIL_CACHE=$C
GPIOD=${HIL_GPIOD:-1}
case $GPIOD in
  1) SFX=; DEFAULT_SCRATCH=.build-static ;;
  2) SFX=-gpiod2; DEFAULT_SCRATCH=.build-static-gpiod2
     P=$(bash Tools/libgpiod2.sh)   # cached after the first run
     export PKG_CONFIG_PATH=$P/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH} ;;
  *) echo "hil: HIL_GPIOD=$GPIOD: use 1 or 2" >&2; exit 2 ;;
esac
HIL_SCRATCH=${HIL_SCRATCH:-$DEFAULT_SCRATCH}
ST=$C/stage$SFX; SHARE=$C/share$SFX
mkdir -p "$ST" "$SHARE"
START=$(date +%s.%N)
say() { echo "hil: $*" >&2; }
newer() { # newer TARGET SOURCES...: true when TARGET is missing or older than any source
  local t=$1; shift; [[ -e $t ]] || return 0
  for s in "$@"; do [[ $s -nt $t ]] && return 0; done; return 1
}

K=$(bash Tools/hil/kernel.sh)
KD=$C/kernel-$K

BUILD=(-c release --static-swift-stdlib --scratch-path "${HIL_SCRATCH:-.build-static}")
[[ -n ${HIL_NO_BUILD:-} ]] && say "HIL_NO_BUILD set: using the binaries already in ${HIL_SCRATCH:-.build-static}"
[[ -z ${HIL_NO_BUILD:-} ]] && say "building earshot and earshot-hil-gen (release, static Swift stdlib, ${HIL_SCRATCH:-.build-static})"
for attempt in 1 2 3; do
  [[ -n ${HIL_NO_BUILD:-} ]] && break   # other work in progress in the tree may break a build for a moment
  if $SWIFT build "${BUILD[@]}" --product earshot >&2 && $SWIFT build "${BUILD[@]}" --product earshot-hil-gen >&2; then break; fi
  [[ $attempt == 3 ]] && { say "swift build failed"; exit 1; }
  say "build failed; retrying in 20 s"; sleep 20
done
BIN=$($SWIFT build "${BUILD[@]}" --show-bin-path)
newer "$ST/earshot" "$BIN/earshot" && strip -o "$ST/earshot" "$BIN/earshot"
newer "$ST/hiltool" Tools/hil/hiltool.c && gcc -O2 -Wall -o "$ST/hiltool" Tools/hil/hiltool.c -lasound
newer "$ST/events.txt" "$BIN/earshot-hil-gen" && "$BIN/earshot-hil-gen" "$ST" >&2
if ldd "$ST/earshot" | grep -q libswiftCore; then say "earshot links the Swift runtime dynamically (expected --static-swift-stdlib)"; exit 1; fi
# The libgpiod the scenario expects earshot gpio list to name (pkg-config's, as the shim's API selection).
GV=$(pkg-config --modversion libgpiod)
[[ $GV == "$GPIOD".* ]] || { say "HIL_GPIOD=$GPIOD but pkg-config resolves libgpiod $GV"; exit 1; }
if [[ $GPIOD == 2 ]] && ldd "$ST/earshot" | grep -q libgpiod; then say "earshot links a shared libgpiod (expected the static libgpiod 2 of $P)"; exit 1; fi
say "earshot built against libgpiod $GV: $("$ST/earshot" gpio list --board Tools/hil/board.toml 2>&1 | head -1)"
[[ "$(cat "$ST/gpiod-version" 2>/dev/null)" == "$GV" ]] || echo "$GV" > "$ST/gpiod-version"

INITRD=$C/initramfs$SFX.cpio.gz
if newer "$INITRD" "$ST/earshot" "$ST/hiltool" "$ST/events.txt" "$ST/gpiod-version" Tools/hil/init Tools/hil/scenario.sh \
     Tools/hil/site.toml Tools/hil/board.toml "$ST/table.json" Tools/hil/mkinitramfs.sh "$KD/.done" \
     Tools/hil/clock.sh Tools/hil/systemd/* Deploy/earshot.service Deploy/clock-read.conf; then
  bash Tools/hil/mkinitramfs.sh "$KD" "$ST" "$INITRD"
fi
READY=$(date +%s.%N)
say "artefacts ready after $(printf '%.1f' "$(echo "$READY - $START" | bc)") s; booting the VM"

set +e
VM=$(bash Tools/hil/runvm.sh "$KD/vmlinuz" "$INITRD" "$SHARE" "$C/serial$SFX.log"); VMRC=$?
set -e
grep -E '^(PASS|FAIL|note|==|  |latencies|[a-z]+: )' "$SHARE/scenario.out" 2>/dev/null || true
grep -E '^(PASS|FAIL|note|==|  )' "$SHARE/clock.out" 2>/dev/null || true
END=$(date +%s.%N)
echo "$VM hil_total_wall_s=$(printf '%.1f' "$(echo "$END - $START" | bc)")"
if [[ $VMRC != 0 || ! -f $SHARE/scenario.out ]]; then
  say "the VM did not complete (runvm exit $VMRC); serial console tail ($C/serial$SFX.log):"
  tail -30 "$C/serial$SFX.log" >&2
  echo "hil_pass=0 hil_fail=1 hil_latency_p50_ms=nan hil_latency_p99_ms=nan"
  exit 1
fi
# The systemd phase's checks (clock.sh) count in hil_pass/hil_fail; a phase that never
# reported is one failure.
CP=$(grep -c '^PASS' "$SHARE/clock.out" 2>/dev/null || true); CF=$(grep -c '^FAIL' "$SHARE/clock.out" 2>/dev/null || true)
[[ -f $SHARE/clock.out ]] || { CP=0; CF=1; say "the systemd phase (clock.sh) wrote no results; serial console: $C/serial$SFX.log"; }
echo "hil_gpiod=$GV"
grep -E '^hil_pass=' "$SHARE/scenario.out" | tail -1 \
  | awk -v cp="${CP:-0}" -v cf="${CF:-0}" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "hil_pass") $i = "hil_pass=" kv[2] + cp; if (kv[1] == "hil_fail") $i = "hil_fail=" kv[2] + cf } print }'
say "logs: $SHARE/hil-logs/ (agent-*.log, sub.txt, watch.txt, pulses-normal.txt, dmesg.txt; clock/ for the systemd phase)"
[[ "$(cat "$SHARE/scenario.rc" 2>/dev/null)" == 0 && "$(cat "$SHARE/clock.rc" 2>/dev/null)" == 0 ]]
