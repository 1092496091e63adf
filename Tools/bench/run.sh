#!/usr/bin/env bash
# make bench: Earshot's kernels in release, then CMSIS-DSP on the same work,
# then the machine-readable summary (the keys the foundation issue names).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_OF_AUDIO=${BENCH_AUDIO_SECONDS:-600}
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "== Earshot kernels, ${SECONDS_OF_AUDIO} s of audio (release build, target CPU ${BENCH_CPU:-baseline})"
"${BENCH_BIN:-.build-bench/release/earshot-bench}" "$SECONDS_OF_AUDIO" | tee "$out"
get() { { grep -E "^$1=" "$out" || true; } | tail -1 | cut -d= -f2; }
stages=$(get filterbank_biquads_per_sample); stages=${stages:-24}
echo "== CMSIS-DSP arm_biquad_cascade_df1_q15, same samples, ${stages} sections"
.venv-bench/bin/python Tools/bench/cmsis_biquad.py --seconds "$SECONDS_OF_AUDIO" --rate 16000 --stages "${stages%.*}" | tee -a "$out"
fb=$(get filterbank_ns_per_sample_biquad); cm=$(get cmsis_ns_per_sample_biquad)
ratio=$(python3 -c "import sys; fb=float(sys.argv[1] or 'nan'); print(f'{float(sys.argv[2])/fb:.2f}' if fb==fb and fb>0 else 'nan')" "${fb:-}" "$cm")
echo "== summary"
for k in filterbank_ns_per_sample_biquad goertzel_ns_per_sample_bin chain_x_realtime cmsis_ns_per_sample_biquad; do
  echo "$k=$(get $k)"
done
echo "ratio_vs_cmsis=$ratio"
