#!/usr/bin/env bash
# Bit-identity check of AnalysisChain's feature frames across an optimisation.
#   Tools/bench/frames_check.sh save      record the current code's frame hashes
#   Tools/bench/frames_check.sh           compare the current code with the record
# Builds earshot-bench in release (scratch folder $SCRATCH, default .build-speed)
# with the bench's target CPU and runs its hidden `frames` mode: six chain
# configurations (16/48/44.1/8 kHz, odd hop, gain, Goertzel block 1/2/3 hops)
# over 30-120 s of synthetic noise, tones, sweeps, impulses, clipping, silence.
# BENCH_CPU=haswell (any -target-cpu name) checks that target instead of the
# host's best one: the record is the same for every target (an AVX2 build of
# an AVX-512 machine must match the record its AVX-512 build saved).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=${SCRATCH:-.build-speed}
RECORD=${RECORD:-$SCRATCH/frames-baseline.txt}
CPU=${BENCH_CPU:-$(grep -qw avx512f /proc/cpuinfo && echo skylake-avx512 || (grep -qw avx2 /proc/cpuinfo && echo haswell || true))}
FLAGS=(); [ -n "$CPU" ] && FLAGS=(-Xswiftc -target-cpu -Xswiftc "$CPU")
${SWIFT:-swift} build -c release --scratch-path "$SCRATCH" --product earshot-bench "${FLAGS[@]}" >&2
out=$("$SCRATCH/release/earshot-bench" frames)
if [ "${1:-}" = save ]; then
  echo "$out" > "$RECORD"; echo "$out"; echo "frames_check: recorded in $RECORD"; exit 0
fi
[ -f "$RECORD" ] || { echo "frames_check: no record $RECORD; run '$0 save' on the reference code first"; exit 2; }
if diff <(echo "$out") "$RECORD"; then
  echo "$out"; echo "frames_check: all frames bit-identical to $RECORD"
else
  echo "frames_check: FRAMES DIFFER from $RECORD"; exit 1
fi
