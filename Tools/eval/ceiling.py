#!/usr/bin/env python3
"""How well can ANY classifier learned from this corpus name a recording from a source
it has not heard? (`make eval-ceiling`)

The signature table is tuned on the dev packages and reported on the held-out ones
(Tools/eval/corpus.py). This script measures the ceiling of that protocol on the
corpus itself, independently of Earshot's table: off-the-shelf classifiers (random
forest, logistic regression, 1-nearest-neighbour; scikit-learn) are trained on
isolated, clean event clips and asked for the class of clips they did not see.

Features (one vector per clip):
- `frames`: Earshot's own feature frames (`earshot-tune dump` of each class folder,
  the exact FeatureFrame the detector sees; Q8.8 dB → dB): band profile at the
  loudest hop and averaged over the clip (each relative to its loudest band, 8 + 8),
  log2 duration (hops), largest rise rate, largest crest, log2 time to peak, level
  100 ms and 300 ms after the peak, spread of hop-to-hop level changes, mean tonality
  (strongest Goertzel bin over strongest band), mean spread of the Goertzel bins, mean
  band flux (26 values; the band SNR fields are left out: a clip has no street
  background).
- `logmel`: the DCASE baseline's feature family computed here from the WAV, 40 mel
  bands 50–8000 Hz, 512-point frames every 256 samples, level relative to the clip's
  loudest cell: per band mean, spread and mean absolute frame-to-frame change, plus
  log duration (121 values).

Protocols (accuracy = fraction of clips named right; macro F1 over the 9 classes):
- `cross-source`: leave one source package out. Every clip of the package under test
  is unseen, as a held-out package is in `make eval`.
- `corpus split`: train on the dev packages, test on the held-out ones (make eval's split).
- `same-source`: leave one clip out; other clips of its package stay in training.

Last line: `ceiling_cross_source_acc=… ceiling_cross_source_macro_f1=… same_source_acc=…`
(the best classifier and feature set of each protocol). Chance is printed beside it.
Usage: ceiling.py --corpus DIR --frames DIR (DIR/<class>.frames for each class)
"""
import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import CLASSES, assign_splits, load_wav, read_manifest  # noqa: E402
import frames  # noqa: E402

warnings.filterwarnings("ignore")


def frame_features(a):
    """26 values from one clip's feature frames (see the module doc)."""
    x = a.astype(np.float64) / 256.0
    c = frames.COL
    band = x[:, c["band0"]:c["band0"] + 8]
    bins = x[:, c["bin0"]:c["bin0"] + 16]
    level = x[:, c["levelZ"]]
    peak = int(np.argmax(level))
    at_peak = band[peak] - band[peak].max()
    mean_profile = band.mean(0) - band.mean(0).max()
    after = level[peak:] - level[peak]
    return np.concatenate([at_peak, mean_profile, [
        np.log2(len(x)),
        x[:, c["riseRate"]].max(),
        x[:, c["crest"]].max(),
        np.log2(peak + 1),
        after[min(len(after) - 1, 10)],
        after[min(len(after) - 1, 30)],
        np.std(np.diff(level)) if len(level) > 1 else 0.0,
        (bins.max(1) - band.max(1)).mean(),
        np.std(bins, axis=0).mean(),
        np.abs(np.diff(band, axis=0)).mean() if len(band) > 1 else 0.0,
    ]])


def mel_matrix(n_fft=512, n_mels=40, rate=16000, lo=50.0, hi=8000.0):
    f = np.fft.rfftfreq(n_fft, 1.0 / rate)
    mel = lambda h: 2595.0 * np.log10(1.0 + h / 700.0)  # noqa: E731
    inv = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = inv(np.linspace(mel(lo), mel(hi), n_mels + 2))
    w = np.zeros((n_mels, len(f)))
    for i in range(n_mels):
        l, m, r = edges[i:i + 3]
        w[i] = np.clip(np.minimum((f - l) / (m - l), (r - f) / (r - m)), 0.0, None)
    return w


def logmel_features(x, w):
    """121 values from one clip's samples (see the module doc)."""
    if len(x) < 1024:
        x = np.pad(x, (0, 1024 - len(x)))
    seg = np.lib.stride_tricks.sliding_window_view(x, 512)[::256] * np.hanning(512)
    power = np.abs(np.fft.rfft(seg, axis=1)) ** 2
    lm = 10.0 * np.log10(power @ w.T + 1e-10)
    lm -= lm.max()
    d = np.abs(np.diff(lm, axis=0)).mean(0) if len(lm) > 1 else np.zeros(w.shape[0])
    return np.concatenate([lm.mean(0), lm.std(0), d, [np.log(len(lm))]])


def classifiers():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return {
        "random_forest": lambda: RandomForestClassifier(n_estimators=200, random_state=0),
        "logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=3000)),
        "nearest_neighbour": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(1)),
    }


def evaluate(make, x, y, folds):
    """Predictions for every clip, each from a model that never saw its fold."""
    pred = np.empty(len(y), dtype=object)
    for test in folds:
        train = np.ones(len(y), dtype=bool)
        train[test] = False
        model = make()
        model.fit(x[train], y[train])
        pred[test] = model.predict(x[test])
    return pred


def main():
    from sklearn.metrics import f1_score
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--frames", required=True, help="folder of <class>.frames (earshot-tune dump)")
    args = ap.parse_args()
    rows = [r for r in read_manifest(args.corpus) if r["class"] in CLASSES]
    split, _ = assign_splits(read_manifest(args.corpus))
    dumped = {}
    for cls in CLASSES:
        path = os.path.join(args.frames, cls + ".frames")
        if not os.path.exists(path):
            sys.exit(f"ceiling: no frames file '{path}' (earshot-tune dump {path} CORPUS/{cls})")
        dumped[cls] = frames.load(path)
    w = mel_matrix()
    feats = {"frames": [], "logmel": []}
    y, pkg, held = [], [], []
    for r in rows:
        name = os.path.basename(r["file"])
        a = dumped[r["class"]].get(name)
        if a is None or len(a) == 0:
            sys.exit(f"ceiling: clip '{r['file']}' is missing from {r['class']}.frames")
        feats["frames"].append(frame_features(a))
        feats["logmel"].append(logmel_features(load_wav(os.path.join(args.corpus, r["file"])), w))
        y.append(r["class"])
        pkg.append(r["source_package"])
        held.append(split[r["file"]] == "heldout")
    y, pkg, held = np.array(y), np.array(pkg), np.array(held)
    counts = {c: int((y == c).sum()) for c in CLASSES}
    chance = max(counts.values()) / len(y)
    print(f"ceiling: {len(y)} clips, {len(set(pkg))} source packages, per class "
          + " ".join(f"{c}={n}" for c, n in counts.items()))
    print(f"ceiling: chance (always the largest class) accuracy {chance:.3f}")
    protocols = {
        "cross-source": [np.where(pkg == p)[0] for p in sorted(set(pkg))],
        "corpus split": [np.where(held)[0]],
        "same-source": [np.array([i]) for i in range(len(y))],
    }
    best = {}
    print(f"  {'protocol':<13} {'features':<7} {'classifier':<18} {'accuracy':>8} {'macro_f1':>8}")
    for proto, folds in protocols.items():
        scored = np.concatenate(folds)
        for fname, x in feats.items():
            x = np.array(x)
            for cname, make in classifiers().items():
                pred = evaluate(make, x, y, folds)
                acc = float((pred[scored] == y[scored]).mean())
                f1 = float(f1_score(y[scored], pred[scored].astype(str), labels=CLASSES, average="macro", zero_division=0))
                print(f"  {proto:<13} {fname:<7} {cname:<18} {acc:8.3f} {f1:8.3f}")
                if acc > best.get(proto, (-1.0, 0.0))[0]:
                    best[proto] = (acc, f1)
    print(f"ceiling_cross_source_acc={best['cross-source'][0]:.3f} "
          f"ceiling_cross_source_macro_f1={best['cross-source'][1]:.3f} "
          f"corpus_split_acc={best['corpus split'][0]:.3f} "
          f"same_source_acc={best['same-source'][0]:.3f} chance_acc={chance:.3f}")


if __name__ == "__main__":
    main()
