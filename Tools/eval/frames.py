#!/usr/bin/env python3
"""Reads `earshot-tune dump` frame files (see Tools/eval/tune/main.swift) into numpy.

load(path) -> {basename: int16 array (hops, 51)}; column names in FIELDS.
"""
import numpy as np

FIELDS = ([f"band{k}" for k in range(8)] + [f"bg{k}" for k in range(8)] + [f"snr{k}" for k in range(8)]
          + [f"bin{k}" for k in range(16)]
          + ["levelA", "levelZ", "backgroundZ", "peak", "envelope", "riseRate", "crest", "onsetOffset", "clipped", "pitchHz", "pitchProminence"])
COL = {n: i for i, n in enumerate(FIELDS)}
BINS_HZ = [400, 500, 800, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 450, 700, 960, 1200, 1800, 2400]


def load(path):
    raw = open(path, "rb").read()
    out, i = {}, 0
    while i < len(raw):
        n = int.from_bytes(raw[i:i + 2], "little")
        name = raw[i + 2:i + 2 + n].decode()
        i += 2 + n
        hops = int.from_bytes(raw[i + 4:i + 8], "little")
        i += 8
        out[name] = np.frombuffer(raw, dtype="<i2", count=hops * len(FIELDS), offset=i).reshape(hops, len(FIELDS))
        i += hops * len(FIELDS) * 2
    return out
