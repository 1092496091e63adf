#!/usr/bin/env python3
"""Operating points of Earshot and the YAMNet anchor (`make eval`, called by score.py).

For each detector a global confidence knob is swept; at each setting, per class:
- recall = reference events matched / reference events, on the event mixtures with
  EBR >= 0 dB (one-to-one greedy onset matching within the 0.5 s collar, tune.py's match);
- false alarms per hour = the class's detections in the background + confuser mixtures
  (no labelled event) / their duration in hours.
Earshot's knob: a threshold on each event's `confidence` (earshot analyze --format jsonl);
0 is the detector as it runs. The anchor's knob: one offset, in output levels of the int8
graph (0.757 nats of logit each), added to every class's dev-tuned threshold; 0 is the
tuned anchor. Per class, "recall at <= X false alarms / h" is the best recall of the sweep
where that class's false alarms stay <= X; the macro row averages the recall over the
classes at each setting and sums the false alarms of all classes.

Also writes a detection-error-tradeoff plot (miss rate vs false alarms per hour, macro and
per class) and the table as TSV.
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor  # noqa: E402
from corpus import CLASSES  # noqa: E402
from tune import match  # noqa: E402

BUDGETS = (1, 10)
MIX_SECONDS = 30.0


def read_refs(events_dir):
    ebr = {}
    with open(os.path.join(events_dir, "mixtures.tsv")) as f:
        next(f)
        for line in f:
            name, e, *_ = line.rstrip("\n").split("\t")
            ebr[name] = None if e == "" else int(e)
    files = [n for n, e in ebr.items() if e is None or e >= 0]
    ref = defaultdict(lambda: defaultdict(list))
    with open(os.path.join(events_dir, "reference.txt")) as f:
        for line in f:
            name, on, _, c = line.rstrip("\n").split("\t")
            if name in files:
                ref[c][name].append(float(on))
    return files, ref


def point(files, ref, c, onsets_ev, fa_count, hours):
    nref = sum(len(ref[c].get(f, [])) for f in files)
    tp = sum(match(ref[c].get(f, []), onsets_ev.get(f, [])) for f in files if ref[c].get(f))
    return (tp / nref if nref else float("nan")), fa_count / hours, nref


def earshot_curves(jsonl_events, jsonl_fp, files, ref, n_fp):
    """{class: [(setting, recall, fa_per_h)]} over confidence thresholds, and the settings."""
    def load(path):
        out = []
        with open(path) as f:
            for line in f:
                if line.strip():
                    e = json.loads(line)
                    if e["class"] in CLASSES:
                        out.append((os.path.basename(e["file"]), e["class"], float(e["onset_s"]), float(e["confidence"])))
        return out
    ev, fp = load(jsonl_events), load(jsonl_fp)
    # The jsonl run must report the events the scored dcase run did (same binary, same files).
    for path, got in ((jsonl_events, ev), (jsonl_fp, fp)):
        dcase = path[:-len(".jsonl")] + ".txt"
        if os.path.exists(dcase):
            want = defaultdict(int)
            with open(dcase) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 4 and parts[3] in CLASSES:
                        want[os.path.basename(parts[0]), parts[3]] += 1
            have = defaultdict(int)
            for name, c, _, _ in got:
                have[name, c] += 1
            if have != want:
                diff = sorted(k for k in set(have) | set(want) if have[k] != want[k])[:5]
                raise SystemExit(f"oppoints: {path} and {dcase} disagree (file, class: jsonl vs dcase): "
                                 + "; ".join(f"{k}: {have[k]} vs {want[k]}" for k in diff))
    taus = sorted({0.0} | {round(x[3], 2) for x in ev + fp} | {1.01})
    hours = n_fp * MIX_SECONDS / 3600
    curves = {c: [] for c in CLASSES}
    for tau in taus:
        for c in CLASSES:
            on = defaultdict(list)
            for name, cls, t, conf in ev:
                if cls == c and conf >= tau:
                    on[name].append(t)
            fa = sum(1 for _, cls, _, conf in fp if cls == c and conf >= tau)
            r, a, _ = point(files, ref, c, on, fa, hours)
            curves[c].append((tau, r, a))
    return curves, taus


def anchor_curves(anchor_dir, split, files, ref):
    tuned = json.load(open(os.path.join(anchor_dir, "tuned.json")))
    rule, th = tuned["onset_rule"], tuned["thresholds_level"]
    ev = anchor.load_scores(os.path.join(anchor_dir, f"scores-{split}-events.npz"))
    fp = anchor.load_scores(os.path.join(anchor_dir, f"scores-{split}-fp.npz"))
    ev = {n: ev[n] for n in files}
    hours = len(fp) * MIX_SECONDS / 3600
    per_level = {}
    for c in CLASSES:
        se, sf = anchor.RunStarts(ev, c), anchor.RunStarts(fp, c)
        for level in range(1, 257):
            fa = sum(len(v) for v in sf.onsets(level, "start+0.00").values())
            per_level[c, level] = point(files, ref, c, se.onsets(level, rule), fa, hours)[:2]
    # one global offset for all classes; an offset that takes a class past 255 turns it off
    offsets = list(range(-255, 257))
    curves = {c: [] for c in CLASSES}
    for d in offsets:
        for c in CLASSES:
            level = min(256, max(1, th[c] + d))
            curves[c].append((d, *per_level[c, level]))
    return curves, offsets


def macro(curves, settings):
    out = []
    for i, s in enumerate(settings):
        rs = [curves[c][i][1] for c in CLASSES if curves[c][i][1] == curves[c][i][1]]
        out.append((s, sum(rs) / len(rs), sum(curves[c][i][2] for c in CLASSES)))
    return out


def best_recall(curve, budget):
    ok = [r for _, r, a in curve if a <= budget + 1e-9 and r == r]
    return max(ok) if ok else 0.0


def det_plot(path, dets, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 5, figsize=(20, 8), sharey=True)
    panels = ["macro"] + CLASSES
    style = {"earshot": ("tab:blue", "o", 2.2, 3), "anchor (YAMNet int8)": ("tab:red", "s", 1.2, 2)}
    for ax, p in zip(axes.flat, panels):
        for name, (curves, mac, settings, op_index) in dets.items():
            curve = mac if p == "macro" else curves[p]
            pts = sorted({(a, 1 - r) for _, r, a in curve if r == r})
            if not pts:
                continue
            # lower envelope: the best miss rate at each false-alarm rate
            xs, ys, best = [], [], 1.0
            for a, m in pts:
                if m < best or not xs:
                    best = min(best, m)
                    xs.append(a); ys.append(best)
            if pts[-1][0] > xs[-1]:  # flat to the most false alarms the sweep reaches
                xs.append(pts[-1][0]); ys.append(best)
            col, mk, lw, z = style.get(name, ("k", "x", 1, 1))
            ax.step(xs, ys, where="post", color=col, lw=lw, zorder=z, marker=".", ms=5, label=name)
            s, r, a = curve[op_index]
            ax.plot([a], [1 - r], mk, color=col, ms=9, mfc="none", mew=1.5, zorder=z + 2)
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(0, 3000)
        ax.set_ylim(-0.02, 1.02)
        for b in BUDGETS:
            ax.axvline(b, color="0.8", lw=0.8, ls="--")
        ax.set_title(p if p == "macro" else p, fontsize=11)
        ax.grid(True, which="major", color="0.92")
        if p in ("macro", CLASSES[4]):
            ax.set_ylabel("miss rate (1 - recall)")
        if p in CLASSES[4:]:
            ax.set_xlabel("false alarms per hour (background + confusers)")
    axes.flat[0].legend(loc="lower left", fontsize=9)
    fig.suptitle(title + "  (marker: the operating point of make eval's F1; dashed: 1 and 10 false alarms / h)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def split_table(mix, est, anchor_dir, split):
    """{detector: (curves, macro curve, settings, index of the running point)}, n_ref, hours."""
    files, ref = read_refs(os.path.join(mix, split, "events"))
    n_fp = sum(1 for f in os.listdir(os.path.join(mix, split, "fp")) if f.endswith(".wav"))
    dets = {}
    jl = os.path.join(est, f"{split}-events.jsonl")
    if os.path.exists(jl):
        curves, taus = earshot_curves(jl, os.path.join(est, f"{split}-fp.jsonl"), files, ref, n_fp)
        dets["earshot"] = (curves, macro(curves, taus), taus, taus.index(0.0))
    if anchor_dir and os.path.exists(os.path.join(anchor_dir, "tuned.json")):
        curves, offs = anchor_curves(anchor_dir, split, files, ref)
        dets["anchor (YAMNet int8)"] = (curves, macro(curves, offs), offs, offs.index(0))
    nref = {c: sum(len(ref[c].get(f, [])) for f in files) for c in CLASSES}
    return dets, nref, n_fp * MIX_SECONDS / 3600


def report(mix, est, anchor_dir, out_dir, splits=("dev", "heldout")):
    """Prints the operating-point table of each split, writes operating_points.tsv (all
    splits), det.png (held-out) and det-<split>.png (the others) into out_dir.
    Returns {split: {detector: {class|macro: (r@1, r@10)}}}."""
    os.makedirs(out_dir, exist_ok=True)
    tsv = os.path.join(out_dir, "operating_points.tsv")
    result, rows, pngs = {}, [], []
    for split in splits:
        dets, nref, hours = split_table(mix, est, anchor_dir, split)
        if not dets:
            continue
        nref["macro"] = sum(nref.values())
        table = {name: {p: tuple(best_recall(mac if p == "macro" else curves[p], b) for b in BUDGETS)
                        for p in ["macro"] + CLASSES}
                 for name, (curves, mac, _, _) in dets.items()}
        result[split] = table
        print(f"operating points ({split}: recall on the EBR >= 0 dB event mixtures at <= 1 and <= 10 false alarms "
              f"per hour of the {hours:.2f} h background + confuser run, sweeping one confidence knob per detector; "
              f"macro: mean recall, false alarms of all classes summed)")
        names = list(dets)
        print("  class          n_ref  " + "  ".join(f"{n[:22]:>22}" for n in names))
        print("                        " + "  ".join(f"{'R@1/h':>10}  {'R@10/h':>10}" for _ in names))
        for p in CLASSES + ["macro"]:
            print(f"  {p:<14} {nref[p]:5d}  " + "  ".join(f"{table[n][p][0]:10.3f}  {table[n][p][1]:10.3f}" for n in names))
            rows += [f"{split}\t{n}\t{p}\t{nref[p]}\t{table[n][p][0]:.4f}\t{table[n][p][1]:.4f}\n" for n in names]
        png = os.path.join(out_dir, "det.png" if split == "heldout" else f"det-{split}.png")
        det_plot(png, dets, f"make eval, {split} split: detection error tradeoff")
        pngs.append(png)
    if not result:
        return {}
    with open(tsv, "w") as f:
        f.write("split\tdetector\tclass\tn_ref\trecall_at_1_fa_per_h\trecall_at_10_fa_per_h\n")
        f.writelines(rows)
    print(f"  DET plot: {' '.join(pngs)}; table: {tsv}")
    return result
