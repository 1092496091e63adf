#!/usr/bin/env python3
"""Data-derived starting templates for tune.py, from the DEV event mixtures only.

Per class: the relative band profile (band − loudest band, dB) of the hops of each
reference event whose levelZ is within 6 dB of the event's peak and more than 10 dB
above the mixture's background; template = median over events of the per-event
median, tolerance = max(4, (p90 − p10) / 2) capped at 20; bands whose template is
≤ −30 dB become "stays quiet" (template −30, tolerance 10). Every other field is
copied from the start table.
  learn_start.py --eval-dir DIR --start TABLE.json --out ALT.json
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frames import COL, load  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval-dir", required=True)
    ap.add_argument("--start", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    fr = load(os.path.join(a.eval_dir, "dev-events.frames"))
    prof = {}
    with open(os.path.join(a.eval_dir, "mix", "dev", "events", "reference.txt")) as f:
        for line in f:
            name, on, off, c = line.rstrip("\n").split("\t")
            x = fr[name].astype(float) / 256
            h0, h1 = int(float(on) * 100), int(float(off) * 100) + 1
            seg = x[h0:h1]
            lz = seg[:, COL["levelZ"]]
            keep = (lz >= lz.max() - 6) & (lz > seg[:, COL["backgroundZ"]] + 10)
            if keep.sum() == 0:
                continue
            b = seg[keep][:, 0:8]
            rel = b - b.max(axis=1, keepdims=True)
            prof.setdefault(c, []).append(np.median(rel, axis=0))
    table = json.load(open(a.start))
    for e in table["entries"]:
        if e["name"] not in prof:
            continue
        P = np.array(prof[e["name"]])
        med = np.median(P, axis=0)
        spread = (np.percentile(P, 90, axis=0) - np.percentile(P, 10, axis=0)) / 2
        tmpl, tol = [], []
        for k in range(8):
            if med[k] <= -30:
                tmpl.append(-30.0); tol.append(10.0)
            else:
                tmpl.append(float(round(med[k]))); tol.append(float(round(min(20, max(4, spread[k])))))
        e["band_template_db"], e["band_tolerance_db"] = tmpl, tol
        print(e["name"], len(P), tmpl, tol)
    json.dump(table, open(a.out, "w"), indent=2)


if __name__ == "__main__":
    main()
