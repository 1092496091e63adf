#!/usr/bin/env python3
"""Soundscape mixer for `make eval` (DCASE 2017 task 2 style), fixed seed.

For each split (dev = tuning, heldout = reported) it writes
  OUT/<split>/events/mix_NNNN.wav   30 s mixtures at 16 kHz, 16-bit mono
  OUT/<split>/events/reference.txt  filename<TAB>onset<TAB>offset<TAB>class (DCASE event list)
  OUT/<split>/events/mixtures.tsv   filename, ebr_db, n_events, n_confusers, gain_db
  OUT/<split>/fp/bg_NNNN.wav        background + confusers only (no labelled event)
  OUT/<split>/{events,fp}/sources.tsv  filename, kind (bed|confuser), corpus file, onset_s,
                                    offset_s, ratio_db: what else is in each mixture, so
                                    score.py can name the sound behind each false positive

Several --corpus folders are mixed as one pool (Tools/eval/corpus.py read_corpora): each is
split by its own rule, clips of the first keep their MANIFEST names, the others' are named
<folder>/<file>. With one corpus the mixtures are the same as before (seed 2017).

Mixture recipe:
- background: one bed of the split, tiled from a random offset to 30 s, scaled to a
  random level of -45 … -30 dBFS (RMS re full scale).
- events: 0 (NO_EVENT_FRACTION of the mixtures) or 1–2 labelled events. Classes are
  balanced round-robin; the EBR cycles -6, 0, +6 dB and is shared by the events of a
  mixture. EBR as in DCASE 2017 task 2: mean-square energy of the event over the
  mean-square energy of the background during the event's span, in dB. Onsets are
  uniform in [0.5, 29.5 - duration] s, events do not overlap (>= 1 s apart).
- confusers: 0–2 per event mixture (1–3 per fp mixture), unlabelled, at a confuser-to-
  background ratio of -6, 0 or +6 dB (same EBR definition), not overlapping labelled
  events (>= 0.5 s apart).
- reference onset = where the clip starts; offset = onset + clip length (the corpus
  clips are trimmed at -50 dBFS, so the clip start is the acoustic onset).
- if the mixture's peak exceeds 0.99 FS the whole mixture is scaled down (ratios kept).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import CLASSES, RATE, load_wav, read_corpora, write_wav  # noqa: E402

DURATION = 30.0
EBRS = (-6, 0, 6)
NO_EVENT_FRACTION = 0.2
SECOND_EVENT_PROB = 0.3


def energy(x):
    return float(np.mean(x * x)) + 1e-20


def tile(bed, n, rng):
    start = int(rng.integers(0, len(bed)))
    reps = (start + n) // len(bed) + 1
    return np.tile(bed, reps)[start:start + n].copy()


def place(x, clip, onset_s, ratio_db, bg):
    """Adds `clip` at onset with energy ratio `ratio_db` over bg's span; returns the gain."""
    a = int(round(onset_s * RATE))
    span = bg[a:a + len(clip)]
    g = np.sqrt(10 ** (ratio_db / 10) * energy(span) / energy(clip))
    assert abs(10 * np.log10(energy(g * clip) / energy(span)) - ratio_db) < 1e-6
    x[a:a + len(clip)] += g * clip
    return g


def free_onset(dur, taken, gap, rng, tries=50):
    lo, hi = 0.5, DURATION - 0.5 - dur
    if hi <= lo:
        return None
    for _ in range(tries):
        t = float(rng.uniform(lo, hi))
        if all(t + dur + gap <= a or t >= b + gap for a, b in taken):
            return t
    return None


def make_mixture(rng, beds, confusers, events, sources=None):
    """events: list of (class, clip) to place; returns (signal, labels, n_confusers, gain).
    beds and confusers are lists of (corpus file, samples); when `sources` is a list, the
    bed and each placed confuser are appended to it as (kind, file, onset_s, offset_s, ratio_db).
    """
    n = int(DURATION * RATE)
    bed_name, bed = beds[int(rng.integers(len(beds)))]
    bg = tile(bed, n, rng)
    level = float(rng.uniform(-45, -30))
    bg *= np.sqrt(0.5 * 10 ** (level / 10) / energy(bg))  # 0 dBFS = mean square of a full-scale sine (0.5)
    assert abs(10 * np.log10(energy(bg) / 0.5) - level) < 1e-6
    x = bg.copy()
    if sources is not None:
        sources.append(("bed", bed_name, 0.0, DURATION, level))
    taken, labels = [], []
    for cls, clip, ebr in events:
        dur = len(clip) / RATE
        t = free_onset(dur, taken, 1.0, rng)
        if t is None:
            continue
        place(x, clip, t, ebr, bg)
        taken.append((t, t + dur))
        labels.append((round(t, 4), round(t + dur, 4), cls))
    n_conf = 0
    k = int(rng.integers(0, 3)) if events else int(rng.integers(1, 4))
    for _ in range(k):
        conf_name, clip = confusers[int(rng.integers(len(confusers)))]
        t = free_onset(len(clip) / RATE, taken, 0.5, rng)
        if t is None:
            continue
        ratio = float(rng.choice(EBRS))
        place(x, clip, t, ratio, bg)
        n_conf += 1
        if sources is not None:
            sources.append(("confuser", conf_name, t, t + len(clip) / RATE, ratio))
    peak = float(np.max(np.abs(x)))
    gain = 1.0 if peak <= 0.99 else 0.99 / peak
    return x * gain, sorted(labels), n_conf, gain


SOURCES_HEADER = "filename\tkind\tfile\tonset_s\toffset_s\tratio_db\n"


def write_sources(f, name, placed):
    for kind, file, on, off, ratio in placed:
        f.write(f"{name}\t{kind}\t{file}\t{on:.4f}\t{off:.4f}\t{ratio:g}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", required=True,
                    help="corpus folder with MANIFEST.tsv; repeat to mix several (each split by its own rule)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--per-class-ebr", type=int, default=10,
                    help="event mixtures per (class, EBR) and split (default 10)")
    ap.add_argument("--fp-mixtures", type=int, default=120, help="background-only mixtures per split (120 = 1 h)")
    args = ap.parse_args()

    rows, split_of, rules = read_corpora(args.corpus)
    print(f"mix: corpus {' + '.join(args.corpus)}: {len(rows)} files; split rule: {'; '.join(rules)}")
    for split in ("dev", "heldout"):
        rng = np.random.default_rng([args.seed, 0 if split == "dev" else 1])
        pick = [r for r in rows if split_of[r["file"]] == split]
        load = lambda rs: [load_wav(r["path"]) for r in rs]  # noqa: E731
        named = lambda rs: list(zip([r["file"] for r in rs], load(rs)))  # noqa: E731
        beds = named([r for r in pick if r["class"] == "_background"])
        confusers = named([r for r in pick if r["class"] == "_confuser"])
        clips = {c: load([r for r in pick if r["class"] == c]) for c in CLASSES}
        pkgs = {c: sorted({r["source_package"] for r in pick if r["class"] == c}) for c in CLASSES}
        print(f"mix: {split}: {len(beds)} beds, {len(confusers)} confusers, "
              + ", ".join(f"{c} {len(clips[c])} ({'/'.join(pkgs[c])})" for c in CLASSES))

        out = os.path.join(args.out, split, "events")
        os.makedirs(out, exist_ok=True)
        plan = []
        for rep in range(args.per_class_ebr):
            for ebr in EBRS:
                for c in CLASSES:
                    plan.append((c, ebr))
        n_none = int(round(len(plan) * NO_EVENT_FRACTION / (1 - NO_EVENT_FRACTION)))
        plan += [(None, None)] * n_none
        order = rng.permutation(len(plan))
        with open(os.path.join(out, "reference.txt"), "w") as ref, \
             open(os.path.join(out, "mixtures.tsv"), "w") as meta, \
             open(os.path.join(out, "sources.tsv"), "w") as src:
            meta.write("filename\tebr_db\tn_events\tn_confusers\tgain_db\n")
            src.write(SOURCES_HEADER)
            for i, j in enumerate(order):
                cls, ebr = plan[j]
                ev = []
                if cls is not None:
                    ev.append((cls, clips[cls][int(rng.integers(len(clips[cls])))], ebr))
                    if rng.random() < SECOND_EVENT_PROB:
                        c2 = CLASSES[int(rng.integers(len(CLASSES)))]
                        ev.append((c2, clips[c2][int(rng.integers(len(clips[c2])))], ebr))
                placed = []
                x, labels, n_conf, gain = make_mixture(rng, beds, confusers, ev, placed)
                name = f"mix_{i:04d}.wav"
                write_wav(os.path.join(out, name), x)
                write_sources(src, name, placed)
                for on, off, c in labels:
                    ref.write(f"{name}\t{on:.4f}\t{off:.4f}\t{c}\n")
                meta.write(f"{name}\t{'' if ebr is None else ebr}\t{len(labels)}\t{n_conf}\t{20 * np.log10(gain):.2f}\n")
        fp = os.path.join(args.out, split, "fp")
        os.makedirs(fp, exist_ok=True)
        with open(os.path.join(fp, "sources.tsv"), "w") as src:
            src.write(SOURCES_HEADER)
            for i in range(args.fp_mixtures):
                placed = []
                x, _, _, _ = make_mixture(rng, beds, confusers, [], placed)
                name = f"bg_{i:04d}.wav"
                write_wav(os.path.join(fp, name), x)
                write_sources(src, name, placed)
        print(f"mix: {split}: {len(plan)} event mixtures ({n_none} without event), "
              f"{args.fp_mixtures} background-only mixtures ({args.fp_mixtures * DURATION / 3600:.2f} h)")


if __name__ == "__main__":
    main()
