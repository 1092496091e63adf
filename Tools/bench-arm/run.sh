#!/usr/bin/env bash
# make bench-arm: runs the aarch64 bench drivers under qemu-aarch64 with
# QEMU's instruction-counting plugin (insn.c, inline counting) and the
# instruction-mix plugin (insn_mix.c), and prints the figures that
# Tools/bench-arm/README.md defines. Every count is differenced: a driver runs
# HOPS and 2*HOPS hops, so start-up, design, signal generation and exit
# cancel, and the bare loop (workload 0, the same driver) is subtracted, so
# what remains is the measured calls over HOPS hops of steady state. Counts
# are exact (no sampling, no clock), so two runs print the same numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${BENCH_ARM_DIR:-.build-bench-arm}
hops=${BENCH_ARM_HOPS:-1200}
plugins=$(cat "$out/plugin-dir")
qemu=${QEMU_AARCH64:-qemu-aarch64}
runs=$out/runs; rm -rf "$runs"; mkdir -p "$runs"
jobs=()
for n in "$hops" $((2 * hops)); do
  for w in 0 1 2 3 4 5 6; do jobs+=("bench 16000 $w $n"); done
  for w in 0 1 2 3 4 5; do jobs+=("bench 48000 $w $n"); done
  for v in cmsis cmsis-unroll; do for k in 0 1 2; do jobs+=("$v 16000 $k $n"); done; done
done
run_one() { # prog rate what hops: one qemu run with both plugins, their counts in $runs/<key>.log
  local key="$1-$2-$3-$4"
  "$qemu" -plugin "$plugins/libinsn.so,inline=on" -plugin "$plugins/libinsn_mix.so" -d plugin -D "$runs/$key.log" \
    "$out/obj/$1" "$2" "$3" "$4" 2> "$runs/$key.err" || { echo "bench-arm: $key failed: $(cat "$runs/$key.err")" >&2; return 1; }
}
export -f run_one; export qemu plugins out runs
start=$(date +%s)
printf '%s\n' "${jobs[@]}" | xargs -P "${BENCH_ARM_JOBS:-2}" -L 1 bash -c 'run_one "$@"' _
echo "bench-arm: ${#jobs[@]} qemu runs (2 plugins each) in $(( $(date +%s) - start )) s ($hops and $((2 * hops)) hops each)" >&2
python3 Tools/bench-arm/report.py "$runs" "$hops"
