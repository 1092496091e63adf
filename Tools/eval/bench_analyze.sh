#!/usr/bin/env bash
# Prints analyze_x_realtime=<n>: wall time of `earshot analyze --format dcase` on one
# hour of synthesised 16 kHz mono 16-bit audio (street-like noise, tones, impulses),
# the fastest of three runs (median and slowest printed before it).
# Usage: bench_analyze.sh EARSHOT_BINARY
set -euo pipefail
earshot=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/hour.wav" <<'PY'
import array, math, random, struct, sys
rate, block_s, hour_s = 16000, 10, 3600
rnd = random.Random(1)
blocks = []
for b in range(6):  # six different 10 s blocks, cycled: 1 h without a 57.6 M-sample Python loop
    x = array.array("h")
    lp = 0.0
    for i in range(rate * block_s):
        lp = 0.97 * lp + 0.03 * rnd.gauss(0, 1)
        v = 3000 * lp + 800 * math.sin(2 * math.pi * (400 + 100 * b) * i / rate)
        if i % (rate * 3) < 400:  # an impulse every 3 s
            v += 20000 * math.exp(-(i % (rate * 3)) / 60) * rnd.uniform(-1, 1)
        x.append(max(-32768, min(32767, int(v))))
    blocks.append(x.tobytes())
n = rate * hour_s
with open(sys.argv[1], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + 2 * n) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, 2 * rate, 2, 16))
    f.write(b"data" + struct.pack("<I", 2 * n))
    for k in range(hour_s // block_s):
        f.write(blocks[k % 6])
PY
# Three runs, as chain_x_realtime takes the fastest of 5 passes: on a shared VM one run
# swung 1.3-1.9 s with the load of the neighbours (the first run after writing the file
# also paid 0.3 s of system time). The fastest is reported, median and slowest beside it.
times=()
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$earshot" analyze --format dcase "$dir/hour.wav" > "$dir/events.txt"
  end=$(date +%s.%N)
  times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e-s }')")
done
events=$(wc -l < "$dir/events.txt")
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$events" '{ t[NR] = $1 } END {
  printf "analyze_seconds=%.3f analyze_events=%d\n", t[1], n
  printf "analyze_x_realtime_median=%.0f analyze_x_realtime_slowest=%.0f\n", 3600/t[2], 3600/t[3]
  printf "analyze_x_realtime=%.0f\n", 3600/t[1] }'
