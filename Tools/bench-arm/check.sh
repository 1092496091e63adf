#!/usr/bin/env bash
# make bench-arm-check (part of make test): runs make bench-arm's measurement
# twice on a short signal (BENCH_ARM_CHECK_HOPS, default 120 hops = 1.2 s, so
# differenced over hops 120…239) and fails unless both print the same lines.
# The figures are instruction counts, not times: any difference means the
# measurement (or the code measured) is not deterministic.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${BENCH_ARM_DIR:-.build-bench-arm}
hops=${BENCH_ARM_CHECK_HOPS:-120}
start=$(date +%s)
BENCH_ARM_HOPS=$hops bash Tools/bench-arm/run.sh > "$out/check-1.txt"
BENCH_ARM_HOPS=$hops bash Tools/bench-arm/run.sh > "$out/check-2.txt"
n=$(grep -c '=' "$out/check-1.txt")
if [[ $n -lt 20 ]]; then echo "bench-arm-check: only $n figures printed:"; cat "$out/check-1.txt"; exit 1; fi
if cmp -s "$out/check-1.txt" "$out/check-2.txt"; then
  echo "bench-arm-check: two runs identical ($n figures, $hops hops, $(( $(date +%s) - start )) s); $(grep -E '^arm_insn_per_sample_chain=' "$out/check-1.txt")"
else
  echo "bench-arm-check: two runs DIFFER:"; diff "$out/check-1.txt" "$out/check-2.txt"; exit 1
fi
