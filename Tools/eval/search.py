#!/usr/bin/env python3
"""Random or grid search of ONE table entry on the DEV split (cached frames), for
classes where tune.py's coordinate descent gets stuck (it accepts each step that
removes background false positives, and for gunshot/glass_break every first step
did so at the cost of all detections).

  search.py --eval-dir DIR --tune BIN --entry ENTRY.json --space SPACE.json
            (--random N [--seed S] | --grid) [--lambda 0.03] [--out BEST.json]

ENTRY.json is one entry object (as in a table's "entries"). SPACE.json maps keys
to lists of candidate values; "tol" sets every checked band tolerance (< 60) to
the value, "tol8" only the 8 kHz band's. --random draws N candidates (one value
per key each), --grid tries the full product. Objective, scorer and runner are
tune.py's (F1 on dev mixtures with EBR >= 0 dB minus LAMBDA x dev background
false positives); the held-out split is never read.
Used for the default gunshot and glass_break entries (see README.md).
"""
import argparse
import copy
import itertools
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tune  # noqa: E402


def set_key(e, base, k, v):
    if k == "tol":
        e["band_tolerance_db"] = [t if t >= 60 else v for t in base["band_tolerance_db"]]
    elif k == "tol8":
        e["band_tolerance_db"][7] = v
    else:
        e[k] = v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", required=True)
    ap.add_argument("--tune", required=True, help="earshot-tune binary")
    ap.add_argument("--entry", required=True)
    ap.add_argument("--space", required=True)
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lambda", dest="lam", type=float, default=0.03)
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--out")
    a = ap.parse_args()
    tune.LAMBDA = a.lam
    base = json.load(open(a.entry))
    space = json.load(open(a.space))
    cls = base["name"]
    data = tune.Data(a.eval_dir)
    cands = [(f"{cls}__base", base)]
    if a.grid:
        keys = list(space)
        for i, vals in enumerate(itertools.product(*[space[k] for k in keys])):
            e = copy.deepcopy(base)
            for k, v in zip(keys, vals):
                set_key(e, base, k, v)
            cands.append((f"{cls}__g{i}", e))
    else:
        rng = random.Random(a.seed)
        for i in range(a.random):
            e = copy.deepcopy(base)
            for k, vals in space.items():
                set_key(e, base, k, rng.choice(vals))
            e["max_duration_ms"] = max(e["max_duration_ms"], e["min_duration_ms"])
            cands.append((f"{cls}__r{i}", e))
    res = tune.run(a.tune, data, cands, tempfile.mkdtemp(prefix="search-", dir=a.eval_dir))
    scored = sorted(((tune.class_score(data, cls, *res[t]), t, e) for t, e in cands), key=lambda x: -x[0]["obj"])
    for s, t, e in scored[:a.top]:
        shown = {k: (e["band_tolerance_db"] if k.startswith("tol") else e[k]) for k in space}
        print(f"{t} obj={s['obj']:.3f} F1={s['f1']:.3f} tp={s['tp']} fp={s['fp']} fn={s['fn']} bg_fp={s['bg_fp']} {shown}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(tune.clean(scored[0][2]), f, indent=2)


if __name__ == "__main__":
    main()
