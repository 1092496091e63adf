#!/usr/bin/env python3
"""A `tune.py` eval dir whose DEV split is `make augment`'s street-augmented dev clips, so
that the table search can tune on them (issue 14 §2) and `score_table.sh` then scores the
result on `make eval`'s unaugmented mixtures.

  augment_tune_dir.py --augment .build-augment --out DIR [--eval-dir .build-eval]
                      [--with-dev-events] [--with-dev-background]

DIR/mix/dev/events: the augmented event clips (6 s, one event at 2.000 s; symlinks named
aug_<class>_<n>.wav) with mixtures.tsv (EBR rounded to dB) and reference.txt in mix.py's
format; DIR/mix/dev/fp: the augmented 30 s backgrounds. --with-dev-events adds `make
eval`'s dev event mixtures, --with-dev-background its dev background hour (both from
--eval-dir). Dump the frames (`earshot-tune dump DIR/dev-events.frames DIR/mix/dev/events`,
the same for fp) and run tune.py on DIR; tune.py counts background false positives, so
scale --lambda by 1 / hours of background to keep its per-hour price.
Only dev material enters (make augment asserts that of its output).
"""
import argparse
import csv
import os


def link(src, dst):
    if not os.path.lexists(dst):
        os.symlink(os.path.abspath(src), dst)


def link_wavs(src_dir, dst_dir, prefix=""):
    """Links every *.wav of src_dir into dst_dir as prefix + its name."""
    for n in sorted(os.listdir(src_dir)):
        if n.endswith(".wav"):
            link(os.path.join(src_dir, n), os.path.join(dst_dir, prefix + n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--augment", required=True, help="make augment's output (AUGMENT_OUT)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval-dir", default=".build-eval", help="make eval's EVAL_DIR (for --with-dev-*)")
    ap.add_argument("--with-dev-events", action="store_true")
    ap.add_argument("--with-dev-background", action="store_true")
    args = ap.parse_args()
    events = os.path.join(args.out, "mix", "dev", "events")
    fp = os.path.join(args.out, "mix", "dev", "fp")
    os.makedirs(events, exist_ok=True)
    os.makedirs(fp, exist_ok=True)
    mixtures = ["filename\tebr_db\tn_events\tn_confusers\tgain_db\n"]
    reference = []
    with open(os.path.join(args.augment, "events", "labels.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            name = "aug_" + r["file"].replace("/", "_")
            link(os.path.join(args.augment, "events", r["file"]), os.path.join(events, name))
            mixtures.append(f"{name}\t{round(float(r['ebr_db']))}\t1\t0\t0\n")
            reference.append(f"{name}\t{float(r['onset_s']):.4f}\t{float(r['offset_s']):.4f}\t{r['class']}\n")
    link_wavs(os.path.join(args.augment, "background"), fp, "aug_bg_")
    if args.with_dev_events:
        d = os.path.join(args.eval_dir, "mix", "dev", "events")
        with open(os.path.join(d, "mixtures.tsv")) as f:
            next(f)
            mixtures += list(f)
        with open(os.path.join(d, "reference.txt")) as f:
            reference += list(f)
        link_wavs(d, events)
    if args.with_dev_background:
        link_wavs(os.path.join(args.eval_dir, "mix", "dev", "fp"), fp)
    with open(os.path.join(events, "mixtures.tsv"), "w") as f:
        f.writelines(mixtures)
    with open(os.path.join(events, "reference.txt"), "w") as f:
        f.writelines(reference)
    n_fp = sum(1 for n in os.listdir(fp) if n.endswith(".wav"))
    print(f"augment_tune_dir: {args.out}: {len(mixtures) - 1} event files, {n_fp} background files")


if __name__ == "__main__":
    main()
