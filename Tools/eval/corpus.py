"""Corpus access for the Earshot evaluation: MANIFEST, source split, audio loading.

The split is by SOURCE so that tuning never sees the sounds it is scored on:
- If MANIFEST.tsv's `split` column holds anything besides `dev`, it is used as is
  (`dev` = tuning, anything else = held-out).
- Otherwise (the corpus as shipped: every row says `dev`) labelled event clips are
  split by `source_package` with HELDOUT_PACKAGES below, chosen so that every class
  has at least one package on each side. Packages not in the table go by the parity
  of crc32(package name).
- Background beds and confusers carry no labels; they are split by FILE, alternating
  in sorted order within each package (so both sides hear every kind of confuser,
  never the same recording). One package (0ad-data) holds 21 of the 29 beds, so a
  package split would leave one side with 100 s of background.
"""
import csv
import os
import wave
import zlib

import numpy as np

CLASSES = ["gunshot", "explosion", "glass_break", "scream", "power_tool",
           "car_horn", "aerosol_spray", "siren", "tire_screech"]
RATE = 16000

# Event-clip packages reported as held-out (the rest tune).
HELDOUT_PACKAGES = {
    "hedgewars-data", "minetest-data", "supertuxkart-data", "micropolis-data",
    "wesnoth-1.16-data", "xemacs21-basesupport", "widelands-data", "freedink-data",
    "netpanzer-data", "tuxpaint-stamps-default",
}


def read_manifest(corpus):
    with open(os.path.join(corpus, "MANIFEST.tsv"), newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def assign_splits(rows):
    """Returns {file: 'dev'|'heldout'} and a one-line description of the rule used."""
    explicit = any(r["split"] != "dev" for r in rows)
    out = {}
    if explicit:
        for r in rows:
            out[r["file"]] = "dev" if r["split"] == "dev" else "heldout"
        return out, "MANIFEST split column"
    by_pkg = {}
    for r in rows:
        if r["class"] in ("_background", "_confuser"):
            by_pkg.setdefault((r["class"], r["source_package"]), []).append(r["file"])
        else:
            pkg = r["source_package"]
            held = pkg in HELDOUT_PACKAGES if pkg in HELDOUT_PACKAGES or _known(pkg) else zlib.crc32(pkg.encode()) % 2 == 1
            out[r["file"]] = "heldout" if held else "dev"
    for (cls, pkg), files in sorted(by_pkg.items()):
        phase = zlib.crc32(pkg.encode()) % 2
        for i, f in enumerate(sorted(files)):
            out[f] = "heldout" if (i + phase) % 2 == 1 else "dev"
    return out, "events by source package (Tools/eval/corpus.py HELDOUT_PACKAGES), beds/confusers by file"


_DEV_PACKAGES = {"cube2-data", "warmux-data", "enigma-data", "madbomber-data", "sumo-tools",
                 "trophy-data", "lincity-ng-data", "scratch", "hannah-data", "searchandrescue-data"}


def _known(pkg):
    return pkg in _DEV_PACKAGES


def read_corpora(paths):
    """Several corpora as one: (rows, {file: split}, [rule per corpus]).

    Each corpus is split by its own rule (assign_splits on its own MANIFEST: the shared
    corpus by the package table above, the extra corpus of Tools/corpus/build.py by its
    split column). Every row gets `path` (where its WAV is). Rows of the first corpus keep
    their `file` as in its MANIFEST (so a single corpus mixes exactly as before); rows of
    the others are named <corpus folder>/<file>, which keeps names unique.
    """
    rows, split_of, rules = [], {}, []
    for i, corpus in enumerate(paths):
        own = read_manifest(corpus)
        sp, rule = assign_splits(own)
        rules.append(f"{corpus}: {rule}")
        for r in own:
            name = r["file"] if i == 0 else os.path.join(corpus, r["file"])
            if name in split_of:
                raise ValueError(f"{name} is in two corpora")
            split_of[name] = sp[r["file"]]
            rows.append(dict(r, file=name, path=os.path.join(corpus, r["file"])))
    return rows, split_of, rules


def load_wav(path):
    """Mono float64 in [-1, 1] at 16 kHz (channels averaged, resampled if needed)."""
    with wave.open(path, "rb") as w:
        ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    if width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) / 128
    elif width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float64) / (1 << 23)
    else:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float64) / (1 << 31)
    x = x.reshape(-1, ch).mean(axis=1)
    if rate != RATE:
        from math import gcd
        from scipy.signal import resample_poly
        g = gcd(rate, RATE)
        x = resample_poly(x, RATE // g, rate // g)
    return x


def write_wav(path, x):
    """Writes float samples as 16-bit PCM mono at 16 kHz (rounded, clipped)."""
    q = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(q.tobytes())
