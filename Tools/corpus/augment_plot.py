#!/usr/bin/env python3
"""Spectrograms of augmented examples, for looking at them (Tools/corpus/augment.py output).

  augment_plot.py OUT PNG [--files gunshot/00000.wav ...] [--n 8] [--seed 0]

One panel per example: log-power spectrogram (32 ms Hann, 8 ms hop, 16 kHz), the labelled
onset and offset as vertical lines, and the labels.tsv row's class, EBR, distance, RT60,
microphone and band limit in the title. Without --files, picks --n rows at random.
"""
import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval"))
from corpus import load_wav  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("png")
    ap.add_argument("--files", nargs="*")
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import signal

    with open(os.path.join(args.out, "events", "labels.tsv")) as f:
        rows = {r["file"]: r for r in csv.DictReader(f, delimiter="\t")}
    names = args.files or list(np.random.default_rng(args.seed).choice(sorted(rows), args.n,
                                                                         replace=False))
    cols = 2
    nrows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(7 * cols, 2.6 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        r = rows[name]
        x = load_wav(os.path.join(args.out, "events", name))
        f, t, S = signal.spectrogram(x, fs=16000, nperseg=512, noverlap=384, window="hann")
        ax.pcolormesh(t, f / 1000, 10 * np.log10(S + 1e-12), vmin=-130, vmax=-30, shading="auto",
                      cmap="magma")
        for v in (float(r["onset_s"]), float(r["offset_s"])):
            ax.axvline(v, color="c", lw=0.8, ls="--")
        ax.set_title(f"{name} {r['class']} EBR {float(r['ebr_db']):+.1f} dB d {float(r['distance_m']):.0f} m "
                     f"RT60 {r['rt60_s']} s\n{r['mic']} lp {r['source_lp_hz'] or '-'} "
                     f"bed {float(r['bed_level_dbfs']):.0f} dBFS clip {r['clipped']} "
                     f"{os.path.basename(r['source_file'])}", fontsize=7)
        ax.set_ylabel("kHz", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(args.png, dpi=80)
    print(f"augment_plot: {len(names)} examples -> {args.png}")


if __name__ == "__main__":
    main()
