#!/usr/bin/env python3
"""Signature-table search on the DEV split only (make eval's mixtures, cached frames).

  tune.py --eval-dir DIR --tune BIN --start TABLE.json --out BEST.json [--passes 2]

DIR holds the mixer output (DIR/mix) and `earshot-tune dump` frame files
DIR/dev-events.frames and DIR/dev-fp.frames. Entries of the detector run
independently (one state machine each), so every class is tuned on its own:
coordinate descent over a grid per parameter, each candidate a one-entry table
run by `earshot-tune detect` over the cached frames. Objective per class:
F1 on the dev event mixtures with EBR >= 0 dB (plus the no-event mixtures; onset
only, 0.5 s collar, one-to-one greedy matching — the real score is `make eval`'s
sed_eval) minus LAMBDA x false positives in the dev background hour.
The held-out split is never read here.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import CLASSES  # noqa: E402
from frames import COL, load  # noqa: E402

LAMBDA = 0.03
COLLAR = 0.5

IMPULSIVE_GRID = {
    "min_rise_db_per_ms": [None, 0.5, 1, 1.5, 2, 3, 4, 6],
    "max_band_error_db": [2, 3, 4, 5, 6, 8, 10],
    "tol_scale": [0.5, 0.75, 1, 1.5, 2],
    "min_snr_db": [6, 10, 15, 20, 25, 30, 35],
    "min_duration_ms": [0, 10, 50, 100, 200, 300, 500],
    "max_duration_ms": [300, 500, 1000, 2000, 3000, 5000],
    "max_decay_ms": [0, 200, 300, 500, 1000, 2000, 4000],
    "max_hold_ms": [0, 30, 50, 100, 200],
    "decay_db": [10, 15, 20, 25],
    "min_crest_db": [None, 4, 6, 8, 10],
    "min_transients": [1, 2, 3],
    "max_tonality_db": [None, -6, -4, -3, -2, 0],
    "min_level_dbfs": [None, -45, -40, -35, -30, -25],
    "min_confidence": [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    "cooldown_ms": [150, 500, 1000, 2000],
}
SUSTAINED_GRID = {
    "max_band_error_db": [2, 3, 4, 5, 6, 8, 10],
    "tol_scale": [0.5, 0.75, 1, 1.5, 2],
    "min_tonality_db": [None, -10, -8, -6, -5, -4, -3, -2],
    "max_tonality_db": [None, -6, -4, -3, -2, 0],
    "min_snr_db": [6, 10, 12, 15, 20, 25, 30],
    "min_duration_ms": [100, 200, 300, 500, 700, 1000, 1500],
    "max_duration_ms": [1000, 2000, 4000, 6000, 20000, 600000],
    "gap_ms": [0, 50, 100, 200, 300],
    "min_match_fraction": [0.3, 0.5, 0.6, 0.7, 0.8, 0.9],
    "max_level_drop_db": [6, 8, 12, 20, 60],
    "sweep_max": [0, 1, 2, 3, 4, 6],
    "sweep_min": [0, 1, 2, 3, 4],
    "min_level_dbfs": [None, -45, -40, -35, -30, -25],
    "min_confidence": [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    "tonal_hz": None,
}


def apply(entry, key, value, base):
    """Sets one search knob on a copy of entry (tol_scale/sweep_* are derived knobs)."""
    e = copy.deepcopy(entry)
    if key == "tol_scale":
        e["band_tolerance_db"] = [t if t >= 60 else float(min(59, max(1, round(t * value, 1))))
                                  for t in base["band_tolerance_db"]]
        e["_tol_scale"] = value
    elif key == "sweep_max":
        e["sweep_bins"] = [min(e["sweep_bins"][0], value) if value else e["sweep_bins"][0], value]
    elif key == "sweep_min":
        mx = e["sweep_bins"][1]
        e["sweep_bins"] = [value if (mx == 0 or value <= mx) else mx, mx]
    elif key == "max_tonality_db":
        mn = e["min_tonality_db"]
        e[key] = value if (value is None or mn is None or value >= mn) else mn
    elif key == "min_tonality_db":
        mx = e["max_tonality_db"]
        e[key] = value if (value is None or mx is None or value <= mx) else mx
    elif key == "max_duration_ms":
        e[key] = max(value, e["min_duration_ms"])
    elif key == "min_duration_ms":
        e[key] = min(value, e["max_duration_ms"])
    else:
        e[key] = value
    return e


def knob(entry, key):
    if key == "tol_scale":
        return entry.get("_tol_scale", 1)
    if key == "sweep_max":
        return entry["sweep_bins"][1]
    if key == "sweep_min":
        return entry["sweep_bins"][0]
    return entry[key]


def clean(entry):
    return {k: v for k, v in entry.items() if not k.startswith("_")}


class Data:
    def __init__(self, eval_dir):
        ev = os.path.join(eval_dir, "mix", "dev", "events")
        self.ebr = {}
        with open(os.path.join(ev, "mixtures.tsv")) as f:
            next(f)
            for line in f:
                name, ebr, *_ = line.rstrip("\n").split("\t")
                self.ebr[name] = None if ebr == "" else int(ebr)
        self.files = [n for n, e in self.ebr.items() if e is None or e >= 0]
        self.ref = defaultdict(lambda: defaultdict(list))  # class -> file -> onsets
        with open(os.path.join(ev, "reference.txt")) as f:
            for line in f:
                name, on, off, c = line.rstrip("\n").split("\t")
                self.ref[c][name].append(float(on))
        self.frames = {p: os.path.join(eval_dir, f"dev-{p}.frames") for p in ("events", "fp")}


def read_est(path):
    est = defaultdict(lambda: defaultdict(list))
    with open(path) as f:
        for line in f:
            name, on, off, c = line.rstrip("\n").split("\t")
            est[c][name].append(float(on))
    return est


def match(refs, ests):
    """One-to-one greedy onset matching within the collar: returns TP."""
    used = [False] * len(refs)
    tp = 0
    for t in sorted(ests):
        best, bi = COLLAR + 1e-9, -1
        for i, r in enumerate(refs):
            if not used[i] and abs(t - r) <= best:
                best, bi = abs(t - r), i
        if bi >= 0:
            used[bi] = True
            tp += 1
    return tp


def class_score(data, c, est_events, est_fp):
    tp = fp = fn = 0
    for f in data.files:
        refs, ests = data.ref[c].get(f, []), est_events[c].get(f, [])
        m = match(refs, ests)
        tp += m
        fp += len(ests) - m
        fn += len(refs) - m
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    bg = sum(len(v) for v in est_fp[c].values())
    return {"f1": f1, "tp": tp, "fp": fp, "fn": fn, "bg_fp": bg, "obj": f1 - LAMBDA * bg}


def run(tune_bin, data, entries, workdir):
    """entries: list of (tag, entry). Candidates are packed 16 to a table under
    the names t0, t1, … (entries run independently, so this is the same as one
    table each, at a fraction of the cost). Returns {tag: (est_events, est_fp)}."""
    paths = []
    for k in range(0, len(entries), 16):
        chunk = []
        for j, (tag, e) in enumerate(entries[k:k + 16]):
            e = clean(e)
            e["name"] = f"t{k + j}"
            chunk.append(e)
        p = os.path.join(workdir, f"chunk{k // 16}.json")
        with open(p, "w") as f:
            json.dump({"version": 1, "entries": chunk}, f)
        paths.append(p)
    ests = {}
    for part in ("events", "fp"):
        d = os.path.join(workdir, part)
        os.makedirs(d, exist_ok=True)
        subprocess.run([tune_bin, "detect", data.frames[part], d] + paths, check=True)
        merged = defaultdict(lambda: defaultdict(list))
        for k in range(len(paths)):
            for c, files in read_est(os.path.join(d, f"chunk{k}.txt")).items():
                merged[c] = files
        ests[part] = merged
    out = {}
    for i, (tag, _) in enumerate(entries):
        c = tag.split("__")[0]
        ev = defaultdict(lambda: defaultdict(list)); fp = defaultdict(lambda: defaultdict(list))
        ev[c] = ests["events"].get(f"t{i}", {})
        fp[c] = ests["fp"].get(f"t{i}", {})
        out[tag] = (ev, fp)
    return out


def save(table, by_name, best, classes, path):
    for c in classes:
        by_name[c] = clean(best[c])
    table["entries"] = [by_name[e["name"]] for e in table["entries"]]
    with open(path, "w") as f:
        json.dump(table, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", required=True)
    ap.add_argument("--tune", required=True, help="earshot-tune binary")
    ap.add_argument("--start", required=True, help="starting table (JSON)")
    ap.add_argument("--out", required=True, help="best table (JSON)")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--classes", default=",".join(CLASSES))
    ap.add_argument("--lambda", dest="lam", type=float, default=0.03,
                    help="objective: F1 - LAMBDA x background false positives (default 0.03)")
    ap.add_argument("--keys", default="", help="comma-separated knobs to search (default: all)")
    ap.add_argument("--extra", action="append", default=[],
                    help="alternative start table(s): per class, the better start is kept")
    args = ap.parse_args()
    global LAMBDA
    LAMBDA = args.lam
    data = Data(args.eval_dir)
    table = json.load(open(args.start))
    by_name = {e["name"]: e for e in table["entries"]}
    classes = [c for c in args.classes.split(",") if c in by_name]
    work = tempfile.mkdtemp(prefix="tune-", dir=args.eval_dir)
    best, base, score = {}, {}, {}
    cands = [(f"{c}__start", by_name[c]) for c in classes]
    for k, extra in enumerate(args.extra):
        alt = {e["name"]: e for e in json.load(open(extra))["entries"]}
        cands += [(f"{c}__alt{k}", alt[c]) for c in classes if c in alt]
    res = run(args.tune, data, cands, work)
    for tag, e in cands:
        c = tag.split("__")[0]
        s = class_score(data, c, *res[tag])
        print(f"start {tag}: {s}", flush=True)
        if c not in score or s["obj"] > score[c]["obj"]:
            best[c], base[c], score[c] = e, copy.deepcopy(e), s
    for p in range(args.passes):
        keys = sorted(set(IMPULSIVE_GRID) | set(SUSTAINED_GRID))
        if args.keys:
            keys = [k for k in args.keys.split(",") if k in keys]
        for key in keys:
            cands = []
            for c in classes:
                grid = IMPULSIVE_GRID if best[c]["kind"] == "impulsive" else SUSTAINED_GRID
                if key not in grid:
                    continue
                values = grid[key]
                if key == "tonal_hz":  # the start's bins or every configured bin
                    values = [base[c]["tonal_hz"], []]
                for j, v in enumerate(values):
                    if v != knob(best[c], key):
                        cands.append((f"{c}__{key}_{j}", apply(best[c], key, v, base[c])))
            if not cands:
                continue
            res = run(args.tune, data, cands, work)
            for tag, e in cands:
                c = tag.split("__")[0]
                s = class_score(data, c, *res[tag])
                if s["obj"] > score[c]["obj"] + 1e-9:
                    print(f"pass {p} {c}: {key} {knob(best[c], key)} -> {knob(e, key)}: "
                          f"F1 {score[c]['f1']:.3f} -> {s['f1']:.3f}, bg FP {score[c]['bg_fp']} -> {s['bg_fp']}", flush=True)
                    best[c], score[c] = e, s
            save(table, by_name, best, classes, args.out)  # checkpoint after every knob
    save(table, by_name, best, classes, args.out)
    for c in classes:
        print(f"final {c}: {score[c]}")


if __name__ == "__main__":
    main()
