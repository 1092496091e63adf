#!/usr/bin/env python3
"""Prototype (floating point, not the agent): can a pitch track find sirens across sources?

  pitchtrack.py --mix MIXDIR --base-est EST --out OUTEST [--params k=v,...] [--parts dev]

Per 10 ms hop of every mixture (16 kHz): a 1024-point Hann spectrum, whitened by each bin's
background (a causal running minimum of its smoothed level, like the agent's
BackgroundTracker, 10 s); the strongest whitened peak between FMIN and FMAX is the hop's
pitch candidate when it stands PROM dB over the whitened spectrum's median and SNR dB over
its own background. Peaks of consecutive hops link into a track when the pitch moves less
than JUMP (fraction) per hop; GAP hops without a peak are bridged. A track is a siren when
it lasts >= MINDUR s, its pitch spans >= SPAN (max/min, a sweep: a horn or a bell holds
its pitch) and it moves on most hops (a siren glides; a voice steps).

Designed on the dev split only: the held-out split is read only to report the chosen
parameters. Writes OUTEST/{part}.txt = the base table's detections of every other class
plus these siren detections, so `score.py --mix MIXDIR --est OUTEST` scores the whole.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import load_wav  # noqa: E402

RATE, HOP, N = 16000, 160, 1024
P = dict(FMIN=400.0, FMAX=2500.0, PROM=12.0, SNR=10.0, JUMP=0.08, GAP=5, MINDUR=1.0,
         SPAN=1.25, MOVING=0.5, SEGMIN=0.1, SEGMAX=1.2, SEGGAP=0.2,
         RATIO_LO=1.12, RATIO_HI=1.7, MINSEGS=3, MERGE=3.0, REG=99.0)


def spectra(x):
    n = 1 + max(0, (len(x) - N) // HOP)
    win = np.hanning(N)
    idx = np.arange(N)[None, :] + HOP * np.arange(n)[:, None]
    frames = x[idx] * win
    s = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return 10 * np.log10(s + 1e-12)


def background(db):
    """Causal: smoothed level (0.25 s one-pole), running minimum over 10 s in 8 slots."""
    a = 1 - np.exp(-0.01 / 0.25)
    sm = np.empty_like(db)
    acc = db[:20].mean(axis=0)
    for t in range(len(db)):
        acc = acc + a * (db[t] - acc)
        sm[t] = acc
    slot = 125
    mins = np.full((8, db.shape[1]), np.inf)
    bg = np.empty_like(db)
    cur = np.full(db.shape[1], np.inf)
    for t in range(len(db)):
        cur = np.minimum(cur, sm[t])
        if t % slot == slot - 1:
            mins = np.roll(mins, 1, axis=0)
            mins[0] = cur
            cur = np.full(db.shape[1], np.inf)
        m = np.minimum(mins.min(axis=0), cur)
        bg[t] = np.where(np.isfinite(m), m, sm[t])
    return bg


def tracks(db, bg, p):
    freqs = np.arange(db.shape[1]) * RATE / N
    lo, hi = np.searchsorted(freqs, p["FMIN"]), np.searchsorted(freqs, p["FMAX"])
    white = db[:, lo:hi] - bg[:, lo:hi]
    k = np.argmax(white, axis=1)
    peak = white[np.arange(len(k)), k]
    med = np.median(white, axis=1)
    ok = (peak - med >= p["PROM"]) & (peak >= p["SNR"])
    pitch = freqs[lo + k]
    out, cur, gap = [], None, 0
    for t in range(len(k)):
        if ok[t] and cur is not None and abs(pitch[t] / cur["f"][-1] - 1) <= p["JUMP"] * (1 + gap):
            cur["f"].append(pitch[t]); cur["t"].append(t); gap = 0
        elif ok[t]:
            if cur is not None:
                out.append(cur)
            cur, gap = {"f": [pitch[t]], "t": [t]}, 0
        elif cur is not None:
            gap += 1
            if gap > p["GAP"]:
                out.append(cur); cur = None
    if cur is not None:
        out.append(cur)
    return out


def sirens(path, p):
    x = load_wav(path)
    db = spectra(x)
    bg = background(db)
    found = []
    trs = tracks(db, bg, p)
    for tr in trs:
        t0, t1 = tr["t"][0], tr["t"][-1]
        dur = (t1 - t0) * HOP / RATE
        f = np.array(tr["f"])
        if dur < p["MINDUR"] or f.max() / f.min() < p["SPAN"]:
            continue
        moving = np.mean(np.abs(np.diff(f)) > 0) if len(f) > 1 else 0
        if moving < p["MOVING"]:
            continue
        found.append((t0 * HOP / RATE, t1 * HOP / RATE + N / RATE))
    found += two_tone(trs, p)
    found.sort()
    merged = []
    for on, off in found:  # one report per sound
        if merged and on <= merged[-1][1] + p["MERGE"]:
            merged[-1] = (merged[-1][0], max(off, merged[-1][1]))
        else:
            merged.append((on, off))
    return merged


def two_tone(trs, p):
    """Hi-lo sirens: steady tones alternating between two pitches (A B A ...)."""
    segs = []
    for tr in trs:
        f = np.array(tr["f"])
        dur = (tr["t"][-1] - tr["t"][0]) * HOP / RATE
        if p["SEGMIN"] <= dur <= p["SEGMAX"] and f.max() / f.min() <= 1.06:
            segs.append((tr["t"][0] * HOP / RATE, tr["t"][-1] * HOP / RATE, float(np.median(f))))
    segs.sort()
    out, i = [], 0
    while i < len(segs):
        run = [segs[i]]
        j = i + 1
        while j < len(segs) and segs[j][0] - run[-1][1] <= p["SEGGAP"]:
            r = segs[j][2] / run[-1][2]
            step = p["RATIO_LO"] <= max(r, 1 / r) <= p["RATIO_HI"]
            back = len(run) < 2 or abs(segs[j][2] / run[-2][2] - 1) <= 0.05
            if step and back:
                run.append(segs[j])
            elif len(run) >= int(p["MINSEGS"]):
                break
            else:
                run = [segs[j]]
            j += 1
        durs = [b - a for a, b, _ in run]
        if len(run) >= int(p["MINSEGS"]) and max(durs) <= p["REG"] * min(durs):
            out.append((run[0][0], run[-1][1] + N / RATE))
        i = j
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mix", required=True)
    ap.add_argument("--base-est", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--params", default="")
    ap.add_argument("--parts", default="dev-events,dev-fp,heldout-events,heldout-fp")
    a = ap.parse_args()
    p = dict(P)
    for kv in filter(None, a.params.split(",")):
        k, v = kv.split("=")
        p[k] = float(v)
    os.makedirs(a.out, exist_ok=True)
    for part in a.parts.split(","):
        split, kind = part.split("-")
        d = os.path.join(a.mix, split, kind)
        lines = [l for l in open(os.path.join(a.base_est, part + ".txt")) if "\tsiren" not in l]
        for name in sorted(os.listdir(d)):
            if not name.endswith(".wav"):
                continue
            for on, off in sirens(os.path.join(d, name), p):
                lines.append(f"{name}\t{on:.3f}\t{off:.3f}\tsiren\n")
        with open(os.path.join(a.out, part + ".txt"), "w") as f:
            f.writelines(lines)


if __name__ == "__main__":
    main()
