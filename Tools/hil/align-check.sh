#!/usr/bin/env bash
# usage: Tools/hil/align-check.sh [STEP]   (after make hil has built .build-static)
# The HIL VM captures its audio at an arbitrary phase of the analysis: the 10 ms hop,
# and the 20 ms Goertzel block and every feature smoothed over several hops. This
# replays each earshot-hil-gen file offline (earshot analyze, same relaxed table) shifted
# by 0, STEP, 2·STEP … < 640 samples (four hops: a shift range of one hop missed a horn
# lost at 2 of every 10 alignments mod 320) and prints, per planned event, how many of
# the shifts detected it, and the unplanned events: below 100 % makes the HIL flaky.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEP=${1:-16}; B=${HIL_SCRATCH:-.build-static}/release
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
"$B/earshot-hil-gen" "$d" > /dev/null
python3 - "$d" "$STEP" <<'PY'
import sys, wave
d, step = sys.argv[1], int(sys.argv[2])
for name in ("normal", "xrun", "one"):
    w = wave.open(f"{d}/{name}.wav"); frames = w.readframes(w.getnframes()); params = w.getparams(); w.close()
    for k in range(0, 640, step):
        o = wave.open(f"{d}/shift-{name}-{k:03d}.wav", "wb"); o.setparams(params)
        o.writeframes(b"\0\0" * k + frames); o.close()
PY
"$B/earshot" analyze --table "$d/table.json" --format jsonl "$d"/shift-*.wav > "$d/out.jsonl" 2>/dev/null || true
python3 - "$d" "$STEP" <<'PY'
import json, sys
d, step = sys.argv[1], int(sys.argv[2]); shifts = len(range(0, 640, step))
found = {}
for line in open(f"{d}/out.jsonl"):
    j = json.loads(line); f = j["file"].rsplit("/", 1)[1]; name, k = f[6:-8], int(f[-7:-4])
    found.setdefault((name, j["class"]), []).append((k, j["onset_s"] - k / 16000))
for line in open(f"{d}/events.txt"):
    name, onset, cls = line.split(); onset = float(onset)
    hits = sorted({k for k, o in found.get((name, cls), []) if abs(o - onset) < 0.5})
    missed = sorted(set(range(0, 640, step)) - set(hits))
    print(f"align {name} {cls} at {onset:.1f} s: detected at {len(hits)}/{shifts} shifts; missed at {missed[:12]}{' …' if len(missed) > 12 else ''}")
PY
