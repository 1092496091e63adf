#!/usr/bin/env bash
# Prints analyze_x_realtime=<n>: wall time of `earshot analyze --format dcase` on one
# hour of synthesised 16 kHz mono 16-bit audio (street-like noise, tones, impulses).
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
start=$(date +%s.%N)
"$earshot" analyze --format dcase "$dir/hour.wav" > "$dir/events.txt"
end=$(date +%s.%N)
events=$(wc -l < "$dir/events.txt")
awk -v s="$start" -v e="$end" -v n="$events" 'BEGIN { printf "analyze_seconds=%.3f analyze_events=%d\nanalyze_x_realtime=%.0f\n", e-s, n, 3600/(e-s) }'
