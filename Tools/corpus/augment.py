#!/usr/bin/env python3
"""Augmented training recordings from labelled clips: street acoustics, microphones, levels.

Turns the dev split of one or more corpora (MANIFEST.tsv layout of ../shared/corpus) into
recordings that sound like a sensor box on a street, so that what a table or a model learns
is the sound and not the recording (issue 14, section 2). Deterministic for a seed.

  augment.py --corpus DIR [--corpus DIR2 ...] --split dev --out OUT --seed 14 \
             --per-clip 12 --background-minutes 60 [--min-per-class 150] [--jobs 1]

Output
  OUT/events/<class>/<nnnnn>.wav  6.0 s, 16 kHz mono 16-bit: a dev background bed segment
                                  (random offset), sometimes a dev confuser placed away from the
                                  event, and ONE labelled event whose direct sound arrives at
                                  exactly 2.000 s (after the room response).
  OUT/events/labels.tsv           one row per file (columns: LABEL_COLUMNS below)
  OUT/events/reference.txt        the same events as a DCASE list (file onset offset class)
  OUT/background/<nnnnn>.wav      30 s: a bed + 0-3 dev confusers, same mic/level augmentation,
                                  no labelled event
  OUT/background/list.tsv         one row per component (bed, confuser) of each file
  OUT/rirs.npz, OUT/rirs.tsv      the pool of room impulse responses and their geometry
  OUT/augment.json                arguments, split rule, counts, timings

Per example (each drawn independently and recorded):
- source: the clip cut to <= 4 s (start kept, 50 ms fade-out), band-limited with p 0.25
  (8th-order zero-phase Butterworth low-pass at 4-7.8 kHz: cheap recordings);
- room: one RIR of a pool generated once per seed (image-source method, pyroomacoustics):
  p 0.7 a street canyon (shoebox 100-300 m long, 12-30 m wide, 15-40 m high; open sky
  absorption 0.99, facades 0.05-0.4, ground 0.02-0.1; the street's ends open (0.99) or, p 0.4,
  one closed by a far building (0.3-0.8); image order 8-15), p 0.3 a single facade (the
  opposite side open, 0.99). A fraction 0.1-0.6 of the energy arriving after the direct
  sound is made diffuse (facade scattering). Source 0.5-2.5 m high (p 0.15: 3-8 m, a window
  or balcony), microphone on a pole 3-6 m high, 0.5-4 m from a facade, distance 5-80 m;
  air absorption per ISO 9613-1 (temperature -5...30 C, humidity 20-95 %) applied along the
  response by path length (a reflection arriving at t has travelled c*t). The direct path is
  aligned to 2.000 s; geometric spreading is absorbed by the EBR;
- microphone: any of MEMS high-pass (2nd-order Butterworth 80-250 Hz, p 0.5), cheap USB
  roll-off (Butterworth low-pass 4-7.5 kHz, order 2-6, p 0.35), wind screen (high shelf
  -2...-6 dB above 3 kHz, p 0.35); "flat" when none; applied to every component;
- level: bed -50...-25 dBFS (RMS re a full-scale sine, as Tools/eval/mix.py), event-to-
  background ratio uniform -6...+12 dB, defined as mix.py does (DCASE 2017 task 2): mean
  square of the event, as the microphone records it, over [onset, offset] divided by that of
  the bed over the same span; confusers at -6...+12 dB the same way;
- pass-by (siren, car_horn, tire_screech, p 0.5): the vehicle drives past at 5-20 m/s;
  Doppler-resampled and weighted by 1/r along its path (column doppler);
- clipping: p 0.05, the mixture is scaled 3-12 dB above full scale and hard-clipped at
  +-32767; otherwise a mixture peaking above 0.99 FS is scaled down (gain_db records it).

Only dev files are used. The split of each corpus is Tools/eval/corpus.py's assign_splits
(the MANIFEST split column when it distinguishes anything, else the package rule). A
package that contributes any held-out labelled clip in any corpus, and every package that
issue 14 keeps for independent checking, is excluded altogether (its dev beds and
confusers too); the script asserts before writing labels that no held-out file or package
is in the output.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

import numpy as np
from scipy import signal
from scipy.ndimage import uniform_filter1d

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "eval"))
from corpus import CLASSES, RATE, assign_splits, load_wav, read_manifest, write_wav  # noqa: E402

EVENT_S = 6.0
ONSET_S = 2.0
MAX_CLIP_S = 4.0
BG_S = 30.0
SPEED = 343.0
RIR_MAX_S = 2.5
RIR_VERSION = 1     # bump when make_rir changes: OUT/rirs.npz of another version is recomputed
# Debian packages issue 14 keeps for independent checking: never in training data.
RESERVED_PACKAGES = {
    "asterisk-prompt-it-menardi-wav", "brainparty-data", "btanks-data", "dustracing2d-data",
    "etw-data", "flightgear-data-base", "freedroidrpg-data", "hyperrogue-music", "lugaru-data",
    "megaglest-data", "naev-data", "openttd-opensfx", "redeclipse-data", "scorched3d-data",
    "simutrans-pak64", "supertux-data", "torcs-data", "triplea", "tuxfootball",
    "warzone2100-data",
}
LABEL_COLUMNS = [
    "file", "class", "onset_s", "offset_s", "ebr_db", "distance_m", "rir", "mic",
    "source_file", "source_package",
    # extra, after the required ones
    "corpus", "rt60_s", "rir_kind", "source_lp_hz", "bed_file", "bed_offset_s",
    "bed_level_dbfs", "confuser_file", "confuser_onset_s", "confuser_offset_s",
    "confuser_ratio_db", "gain_db", "clipped", "doppler",
]
BG_COLUMNS = ["file", "kind", "source_file", "source_package", "onset_s", "offset_s",
              "level_db", "rir", "distance_m", "mic", "gain_db", "clipped", "corpus",
              "bed_offset_s"]


# ---------------------------------------------------------------- air absorption (ISO 9613-1)

def air_absorption_db_per_m(f, temp_c, humidity_pct, pressure_kpa=101.325):
    """Pure-tone atmospheric absorption coefficient in dB/m (ISO 9613-1:1993, eq. 3-5)."""
    T = temp_c + 273.15
    T0, T01, pr = 293.15, 273.16, 101.325
    pa = pressure_kpa / pr
    C = -6.8346 * (T01 / T) ** 1.261 + 4.6151
    h = humidity_pct * 10 ** C / pa
    frO = pa * (24 + 4.04e4 * h * (0.02 + h) / (0.391 + h))
    frN = pa * (T / T0) ** -0.5 * (9 + 280 * h * np.exp(-4.170 * ((T / T0) ** (-1 / 3) - 1)))
    f2 = np.asarray(f, dtype=np.float64) ** 2
    return 8.686 * f2 * (1.84e-11 / pa * (T / T0) ** 0.5 + (T / T0) ** -2.5 * (
        0.01275 * np.exp(-2239.1 / T) / (frO + f2 / frO)
        + 0.1068 * np.exp(-3352.0 / T) / (frN + f2 / frN)))


def apply_air_absorption(h, temp_c, humidity_pct, t0_samples):
    """Attenuates each part of an impulse response by the air along its path (c * t)."""
    nper = 256
    f, t, Z = signal.stft(h, fs=RATE, nperseg=nper, noverlap=nper * 3 // 4, boundary="even",
                          padded=True)
    alpha = air_absorption_db_per_m(f, temp_c, humidity_pct)
    path = np.maximum(t - t0_samples / RATE, 0.0) * SPEED
    Z *= 10 ** (-np.outer(alpha, path) / 20)
    _, y = signal.istft(Z, fs=RATE, nperseg=nper, noverlap=nper * 3 // 4, boundary=True)
    return y[:len(h)]


# ---------------------------------------------------------------- room impulse responses

def add_scattering(h, s, start, rng):
    """Turns a fraction s of the specular energy after `start` into a diffuse tail.

    An image-source response between parallel facades is a train of discrete flutter
    echoes; real facades scatter part of each reflection. The diffuse part is Gaussian noise
    following the specular energy envelope smoothed over 20 ms, so the decay is kept and the
    comb is smeared (a cheap stand-in for the scattering of a hybrid ray tracer)."""
    tail = h[start:]
    if len(tail) < 64:
        return h
    w = int(0.02 * RATE)
    env = uniform_filter1d(tail * tail, w, mode="constant")
    noise = rng.standard_normal(len(tail)) * np.sqrt(np.maximum(env, 0.0))
    out = h.copy()
    out[start:] = math.sqrt(1 - s) * tail + math.sqrt(s) * noise
    return out


def rt60_of(h):
    """T30 from the Schroeder decay curve (-5...-35 dB, extrapolated to 60 dB), seconds."""
    e = np.cumsum((h * h)[::-1])[::-1]
    e = 10 * np.log10(e / e[0] + 1e-30)
    i5 = np.argmax(e <= -5)
    i35 = np.argmax(e <= -35)
    if i35 <= i5:
        i25 = np.argmax(e <= -25)
        if i25 <= i5:
            return float("nan")
        return 3.0 * (i25 - i5) / RATE
    return 2.0 * (i35 - i5) / RATE


def make_rir(rng, index):
    """One street RIR. Returns (rir float32 starting 40 samples before the direct path, meta)."""
    import pyroomacoustics as pra
    kind = "canyon" if rng.random() < 0.7 else "facade"
    L = float(rng.uniform(100, 300))
    W = float(rng.uniform(12, 30))
    H = float(rng.uniform(15, 40))
    fac = [float(rng.uniform(0.05, 0.4)), float(rng.uniform(0.05, 0.4))]
    if kind == "facade":
        fac[1] = 0.99
    ground = float(rng.uniform(0.02, 0.1))
    # the street's ends are open (0.99); with p 0.4 one of them is closed by a far building
    ends = [0.99, 0.99]
    if rng.random() < 0.4:
        ends[int(rng.integers(2))] = float(rng.uniform(0.3, 0.8))
    scatter = float(rng.uniform(0.1, 0.6))    # facade scattering (windows, balconies)
    order = int(rng.integers(8, 16))
    temp = float(rng.uniform(-5, 30))
    hum = float(rng.uniform(20, 95))
    dist = float(rng.uniform(5, 80))
    zm = float(rng.uniform(3, 6))
    ym = float(rng.uniform(0.5, 4))           # pole on the pavement in front of facade 0
    high_source = rng.random() < 0.15         # e.g. a window on an upper floor
    for _ in range(1000):
        zs = float(rng.uniform(3, 8) if high_source else rng.uniform(0.5, 2.5))
        ys = float(rng.uniform(0.5, W - 0.5))
        dyz2 = (ys - ym) ** 2 + (zs - zm) ** 2
        if dyz2 < dist * dist:
            break
    dx = math.sqrt(max(dist * dist - dyz2, 0.0))
    sign = 1 if rng.random() < 0.5 else -1     # source up or down the street
    xm = float(rng.uniform(1.0, L - 1.0 - dx)) + (dx if sign < 0 else 0.0)
    xs = xm + sign * dx
    mats = pra.make_materials(west=ends[0], east=ends[1], south=fac[0], north=fac[1],
                              floor=ground, ceiling=0.99)
    room = pra.ShoeBox([L, W, H], fs=RATE, materials=mats, max_order=order, air_absorption=False)
    room.add_source([xs, ys, zs])
    room.add_microphone([xm, ym, zm])
    room.compute_rir()
    h = np.asarray(room.rir[0][0], dtype=np.float64)
    d = math.dist([xs, ys, zs], [xm, ym, zm])
    half = pra.constants.get("frac_delay_length") // 2
    direct = d / SPEED * RATE + half           # where pyroomacoustics puts the direct path
    h = add_scattering(h, scatter, int(round(direct)) + int(0.005 * RATE), rng)
    h = apply_air_absorption(h, temp, hum, half)
    start = int(math.floor(direct)) - half
    h = h[start:start + int(RIR_MAX_S * RATE)]
    # cut where the decay curve is 60 dB down (or at RIR_MAX_S), 20 ms fade
    e = np.cumsum((h * h)[::-1])[::-1]
    end = int(np.argmax(10 * np.log10(e / e[0] + 1e-30) <= -60)) or len(h)
    end = max(end, 2 * half + 1)
    h = h[:end].copy()
    nf = min(320, len(h) // 4)
    h[len(h) - nf:] *= np.linspace(1, 0, nf)
    h /= np.max(np.abs(h))
    meta = dict(rir=f"rir{index:03d}", kind=kind, length_m=round(L, 1), width_m=round(W, 1),
                height_m=round(H, 1), facade_abs=f"{fac[0]:.2f}/{fac[1]:.2f}",
                ground_abs=round(ground, 3), ends_abs=f"{ends[0]:.2f}/{ends[1]:.2f}",
                max_order=order, scattering=round(scatter, 2), temp_c=round(temp, 1), humidity_pct=round(hum, 0),
                source=f"{xs:.1f},{ys:.1f},{zs:.1f}", mic=f"{xm:.1f},{ym:.1f},{zm:.1f}",
                distance_m=round(d, 2), frac_delay=round(direct - math.floor(direct), 3),
                rt60_s=round(rt60_of(h), 3), length_s=round(len(h) / RATE, 3))
    return h.astype(np.float32), meta


def rir_pool(out, seed, n):
    path = os.path.join(out, "rirs.npz")
    if os.path.exists(path):
        z = np.load(path, allow_pickle=False)
        if (int(z["seed"]) == seed and len(z["offsets"]) - 1 == n
                and int(z.get("version", -1)) == RIR_VERSION):
            metas = json.loads(str(z["meta"]))
            off, data = z["offsets"], z["data"]          # each z[...] decompresses anew
            return [data[off[i]:off[i + 1]].copy() for i in range(n)], metas, True
    rirs, metas = [], []
    for i in range(n):
        h, m = make_rir(np.random.default_rng([seed, 1, i]), i)
        rirs.append(h)
        metas.append(m)
    off = np.cumsum([0] + [len(h) for h in rirs])
    np.savez_compressed(path, seed=seed, version=RIR_VERSION, data=np.concatenate(rirs), offsets=off,
                        meta=json.dumps(metas))
    with open(os.path.join(out, "rirs.tsv"), "w") as f:
        keys = list(metas[0])
        f.write("\t".join(keys) + "\n")
        for m in metas:
            f.write("\t".join(str(m[k]) for k in keys) + "\n")
    return rirs, metas, False


# ---------------------------------------------------------------- microphones and filters

def high_shelf_sos(f0, gain_db, fs=RATE):
    """RBJ cookbook high shelf, S = 1, as one second-order section."""
    A = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f0 / fs
    alpha = math.sin(w0) / 2 * math.sqrt(2)
    cw, sa = math.cos(w0), 2 * math.sqrt(A) * alpha
    b = [A * ((A + 1) + (A - 1) * cw + sa), -2 * A * ((A - 1) + (A + 1) * cw),
         A * ((A + 1) + (A - 1) * cw - sa)]
    a = [(A + 1) - (A - 1) * cw + sa, 2 * ((A - 1) - (A + 1) * cw), (A + 1) - (A - 1) * cw - sa]
    return np.array([[b[0] / a[0], b[1] / a[0], b[2] / a[0], 1.0, a[1] / a[0], a[2] / a[0]]])


def draw_mic(rng):
    """Returns (description, list of SOS arrays)."""
    parts, sos = [], []
    if rng.random() < 0.5:
        fc = float(rng.uniform(80, 250))
        parts.append(f"mems_hp{fc:.0f}")
        sos.append(signal.butter(2, fc, "highpass", fs=RATE, output="sos"))
    if rng.random() < 0.35:
        fc = float(rng.uniform(4000, 7500))
        order = int(rng.integers(2, 7))
        parts.append(f"usb_lp{fc:.0f}o{order}")
        sos.append(signal.butter(order, fc, "lowpass", fs=RATE, output="sos"))
    if rng.random() < 0.35:
        g = float(rng.uniform(-6, -2))
        parts.append(f"windscreen{g:.1f}dB")
        sos.append(high_shelf_sos(3000.0, g))
    return ("+".join(parts) or "flat"), sos


def mic_filter(x, sos_list, preroll=0):
    """Causal filtering; `preroll` leading samples are dropped (filter settling)."""
    for s in sos_list:
        x = signal.sosfilt(s, x)
    return x[preroll:]


# ---------------------------------------------------------------- mixing helpers

def ms(x):
    return float(np.mean(x * x)) + 1e-20


def db_fs(x):
    return 10 * math.log10(ms(x) / 0.5)


def trim_fades(x, drop_db=6.0):
    """A bed without its fade-in and fade-out: leading and trailing 50 ms frames more than
    drop_db below the median frame level go (short beds are looped, and a fade at each loop
    would put a periodic dip into the background)."""
    n = RATE // 20
    k = len(x) // n
    if k < 8:
        return x
    e = 10 * np.log10(np.mean(x[:k * n].reshape(k, n) ** 2, axis=1) + 1e-20)
    ok = np.nonzero(e >= np.median(e) - drop_db)[0]
    return x[ok[0] * n:(ok[-1] + 1) * n] if len(ok) else x


def bed_segment(bed, n, rng, skip=0):
    """n samples of a bed from a random offset, looped with equal-power crossfades of up to
    250 ms. Returns them and where in the bed (seconds, approximately after a loop) sample
    `skip` of them comes from (the filter pre-roll)."""
    xf = min(RATE // 4, len(bed) // 8)
    start = int(rng.integers(0, len(bed) - xf))
    ramp = np.sin(np.linspace(0, np.pi / 2, xf)) ** 2
    gin, gout = np.sqrt(ramp), np.sqrt(1 - ramp)
    out = bed[start:].copy()
    while len(out) < n:
        out[-xf:] = out[-xf:] * gout + bed[:xf] * gin
        out = np.concatenate([out, bed[xf:]])
    return out[:n].copy(), ((start + skip) % len(bed)) / RATE


def fade(x, n_in, n_out):
    x = x.copy()
    if n_in:
        n_in = min(n_in, len(x))
        x[:n_in] *= np.linspace(0, 1, n_in)
    if n_out:
        n_out = min(n_out, len(x))
        x[len(x) - n_out:] *= np.linspace(1, 0, n_out)
    return x


def reverberate(x, h):
    """x convolved with h (h[40] is the direct path: result index 40 = x's start)."""
    return signal.oaconvolve(x, h.astype(np.float64))


HALF = 40   # samples of h before the direct path (pyroomacoustics' fractional delay half)


def place_confuser(rng, conf, h, gap_lo, gap_hi, total_n):
    """A reverberant confuser (or an excerpt of it) inside [gap_lo, gap_hi) samples.
    Returns (signal of total_n samples, onset_s, offset_s) or None."""
    room = gap_hi - gap_lo
    if room < int(0.3 * RATE):
        return None
    if len(conf) > room:
        s = int(rng.integers(0, len(conf) - room + 1))
        dry = fade(conf[s:s + room], 160, 800)
    else:
        dry = conf
    wet = reverberate(dry, h)
    y = np.zeros(total_n)
    slack = room - len(dry)
    on = gap_lo + (int(rng.integers(0, slack + 1)) if slack > 0 else 0)
    a = on - HALF
    seg = wet[max(0, -a):]
    a = max(a, 0)
    seg = seg[:max(0, gap_hi - a)]
    seg = fade(seg, 0, min(800, len(seg)))     # the tail is cut at the gap's end
    y[a:a + len(seg)] = seg
    return y, on / RATE, (on + len(dry)) / RATE


def finish(rng, x, clip_prob):
    """Clipping (p clip_prob) or protective scaling; returns (x, gain_db, clipped)."""
    peak = float(np.max(np.abs(x))) + 1e-20
    if rng.random() < clip_prob:
        over = float(rng.uniform(3, 12))
        g = 10 ** (over / 20) / peak
        return np.clip(x * g, -32767 / 32768, 32767 / 32768), 20 * math.log10(g), 1
    g = 1.0 if peak <= 0.99 else 0.99 / peak
    return x * g, 20 * math.log10(g), 0


# ---------------------------------------------------------------- the examples

MOVING = {"siren", "car_horn", "tire_screech"}   # sounds of vehicles: may pass by (Doppler)


def pass_by(x, dist, rng):
    """The clip as heard from a vehicle driving past at 5-20 m/s along the street.

    The source moves on a straight line whose closest approach to the microphone is d0
    (max(5 m, dist/4) ... min(dist, 20 m)), at `dist` when the clip starts (approaching with p 0.6, else
    receding). Sound emitted at te arrives at te + r(te)/c: the clip is resampled on that
    map (Doppler shift, +-6 % at 20 m/s) and weighted by dist / r(te) (it grows louder as it
    approaches; the EBR scaling sets the overall level). The clip's start still arrives
    first, at time 0. The room response stays the one of the starting position (an
    approximation). Returns (signal, description)."""
    from scipy.interpolate import CubicSpline
    v = float(rng.uniform(5, 20))
    lo = max(5.0, dist / 4)                       # at most 12 dB louder at the closest point
    d0 = float(rng.uniform(lo, max(lo, min(dist, 20.0))))
    along = math.sqrt(max(dist * dist - d0 * d0, 0.0))
    approach = rng.random() < 0.6
    x0 = -along if approach else along
    te = np.arange(len(x)) / RATE
    r = np.sqrt(d0 * d0 + (x0 + v * te) ** 2)
    tr = te + (r - r[0]) / SPEED                  # strictly increasing: v < c
    out_t = np.arange(int(tr[-1] * RATE) + 1) / RATE
    te_of = np.interp(out_t, tr, te)
    y = CubicSpline(te, x)(te_of) * np.interp(te_of, te, r[0] / r)
    closest = -x0 / v if approach else float("nan")
    desc = (f"{'approach' if approach else 'recede'}{v:.1f}mps_d0{d0:.1f}m"
            + (f"_closest{closest:.2f}s" if approach else ""))
    return y, desc


def event_signal(x, h, sos, n, on, pre):
    """The dry clip x through room h and microphone sos, its direct sound at sample `on` of
    an n-sample signal (h[HALF] is the direct path; `pre` samples of filter pre-roll)."""
    ev = np.zeros(n + pre)
    wet = reverberate(x, h)[:n + pre - (pre + on - HALF)]
    ev[pre + on - HALF:pre + on - HALF + len(wet)] = wet
    return mic_filter(ev, sos, pre)


def make_event(job, ctx):
    """One 6 s event example. job: (class, serial, clip index, example seed index)."""
    cls, serial, ci, k = job
    rng = np.random.default_rng([ctx["seed"], 2, ci, k])
    clip = ctx["clips"][ci]
    x = clip["x"][:int(MAX_CLIP_S * RATE)]
    if len(clip["x"]) > len(x):
        x = fade(x, 0, 800)
    lp = ""
    if rng.random() < 0.25:
        fc = float(rng.uniform(4000, 7800))
        lp = f"{fc:.0f}"
        x = signal.sosfiltfilt(signal.butter(8, fc, "lowpass", fs=RATE, output="sos"), x)
    ri = int(rng.integers(len(ctx["rirs"])))
    h, rm = ctx["rirs"][ri], ctx["rir_meta"][ri]
    doppler = ""
    if cls in MOVING and ctx["doppler_prob"] > 0:
        drng = np.random.default_rng([ctx["seed"], 4, ci, k])   # own stream: other draws unchanged
        if drng.random() < ctx["doppler_prob"]:
            x, doppler = pass_by(x, rm["distance_m"], drng)
            x = x[:int(MAX_CLIP_S * RATE)]
    mic, sos = draw_mic(rng)
    n = int(EVENT_S * RATE)
    on = int(ONSET_S * RATE)
    pre = RATE // 2                               # filter pre-roll, dropped afterwards
    ev = event_signal(x, h, sos, n, on, pre)
    bi = int(rng.integers(len(ctx["beds"])))
    bed_raw, bed_off = bed_segment(ctx["beds"][bi]["x"], n + pre, rng, pre)
    bed = mic_filter(bed_raw, sos, pre)
    level = float(rng.uniform(-50, -25))
    bed *= math.sqrt(0.5 * 10 ** (level / 10) / ms(bed))
    span = slice(on, on + len(x))
    ebr = float(rng.uniform(-6, 12))
    ev *= math.sqrt(10 ** (ebr / 10) * ms(bed[span]) / ms(ev[span]))
    assert abs(10 * math.log10(ms(ev[span]) / ms(bed[span])) - ebr) < 1e-6
    mix = bed + ev
    conf = ("", "", "", "")
    if ctx["confusers"] and rng.random() < ctx["confuser_prob"]:
        gaps = [(0, on - int(0.5 * RATE)), (on + len(x) + int(0.5 * RATE), n)]
        gaps = [g for g in gaps if g[1] - g[0] >= int(0.3 * RATE)]
        if gaps:
            g = gaps[int(rng.integers(len(gaps)))]
            cj = int(rng.integers(len(ctx["confusers"])))
            h2 = ctx["rirs"][int(rng.integers(len(ctx["rirs"])))]
            got = place_confuser(rng, ctx["confusers"][cj]["x"], h2, g[0], g[1], n)
            if got is not None:
                cy, c_on, c_off = got
                cy = mic_filter(np.concatenate([np.zeros(pre), cy]), sos, pre)
                a, b = int(c_on * RATE), int(c_off * RATE)
                ratio = float(rng.uniform(-6, 12))
                if ms(cy[a:b]) > 1e-12:               # an excerpt that is not silence
                    cy *= math.sqrt(10 ** (ratio / 10) * ms(bed[a:b]) / ms(cy[a:b]))
                    mix = mix + cy
                else:
                    got = None
            if got is not None:
                conf = (ctx["confusers"][cj]["file"], f"{c_on:.3f}", f"{min(c_off, EVENT_S):.3f}",
                        f"{ratio:.2f}")
    mix, gain_db, clipped = finish(rng, mix, ctx["clip_prob"])
    name = f"{cls}/{serial:05d}.wav"
    write_wav(os.path.join(ctx["out"], "events", name), mix)
    row = dict(file=name, **{"class": cls}, onset_s=f"{ONSET_S:.3f}",
               offset_s=f"{ONSET_S + len(x) / RATE:.3f}", ebr_db=f"{ebr:.2f}",
               distance_m=f"{rm['distance_m']:.2f}", rir=rm["rir"], mic=mic,
               source_file=clip["file"], source_package=clip["package"], corpus=clip["corpus"],
               rt60_s=f"{rm['rt60_s']:.3f}", rir_kind=rm["kind"], source_lp_hz=lp,
               bed_file=ctx["beds"][bi]["file"], bed_offset_s=f"{bed_off:.3f}",
               bed_level_dbfs=f"{level + gain_db:.2f}", confuser_file=conf[0],
               confuser_onset_s=conf[1], confuser_offset_s=conf[2], confuser_ratio_db=conf[3],
               gain_db=f"{gain_db:.2f}", clipped=str(clipped), doppler=doppler)
    return row


def make_background(i, ctx):
    rng = np.random.default_rng([ctx["seed"], 3, i])
    n = int(BG_S * RATE)
    pre = RATE // 2
    mic, sos = draw_mic(rng)
    bi = int(rng.integers(len(ctx["beds"])))
    bed_raw, bed_off = bed_segment(ctx["beds"][bi]["x"], n + pre, rng, pre)
    bed = mic_filter(bed_raw, sos, pre)
    level = float(rng.uniform(-50, -25))
    bed *= math.sqrt(0.5 * 10 ** (level / 10) / ms(bed))
    mix = bed.copy()
    comps = []
    k = int(rng.integers(0, 4)) if ctx["confusers"] else 0
    taken = []
    for _ in range(k):
        cj = int(rng.integers(len(ctx["confusers"])))
        c = ctx["confusers"][cj]
        dur = min(len(c["x"]), int(8 * RATE))
        for _try in range(30):
            a = int(rng.integers(0, n - dur - RATE // 2))
            if all(a + dur + RATE // 2 <= s or a >= e + RATE // 2 for s, e in taken):
                break
        else:
            continue
        ri = int(rng.integers(len(ctx["rirs"])))
        got = place_confuser(rng, c["x"], ctx["rirs"][ri], a, a + dur + RATE // 2, n)
        if got is None:
            continue
        cy, c_on, c_off = got
        cy = mic_filter(np.concatenate([np.zeros(pre), cy]), sos, pre)
        s, e = int(c_on * RATE), int(c_off * RATE)
        ratio = float(rng.uniform(-6, 12))
        if ms(cy[s:e]) < 1e-12:                       # an excerpt that is silence
            continue
        cy *= math.sqrt(10 ** (ratio / 10) * ms(bed[s:e]) / ms(cy[s:e]))
        mix = mix + cy
        taken.append((s, e))
        comps.append((c, c_on, c_off, ratio, ctx["rir_meta"][ri]))
    mix, gain_db, clipped = finish(rng, mix, ctx["clip_prob"])
    name = f"{i:05d}.wav"
    write_wav(os.path.join(ctx["out"], "background", name), mix)
    b = ctx["beds"][bi]
    rows = [dict(file=name, kind="bed", source_file=b["file"], source_package=b["package"],
                 onset_s="0.000", offset_s=f"{BG_S:.3f}", level_db=f"{level + gain_db:.2f}",
                 rir="", distance_m="", mic=mic, gain_db=f"{gain_db:.2f}", clipped=str(clipped),
                 corpus=b["corpus"])]
    rows[0]["bed_offset_s"] = f"{bed_off:.3f}"
    for c, on, off, ratio, rm in comps:
        rows.append(dict(file=name, kind="confuser", source_file=c["file"],
                         source_package=c["package"], onset_s=f"{on:.3f}", offset_s=f"{off:.3f}",
                         level_db=f"{ratio:.2f}", rir=rm["rir"], distance_m=f"{rm['distance_m']:.2f}",
                         mic=mic, gain_db=f"{gain_db:.2f}", clipped=str(clipped),
                         corpus=c["corpus"]))
    return rows


# ---------------------------------------------------------------- corpus selection

def recording_key(r):
    return (r["source_package"], r.get("original_path_in_package") or r["file"])


def load_corpora(paths, split):
    """Dev rows of every corpus, and the set of held-out files/packages of all of them."""
    chosen, heldout_files, heldout_pkgs, heldout_keys, rules = [], set(), set(), set(), []
    for corpus in paths:
        rows = read_manifest(corpus)
        split_of, rule = assign_splits(rows)
        rules.append(f"{corpus}: {rule}")
        for r in rows:
            key = (os.path.abspath(corpus), r["file"])
            if split_of[r["file"]] != "dev":
                heldout_files.add(key)
                heldout_keys.add(recording_key(r))
                if r["class"] not in ("_background", "_confuser"):
                    heldout_pkgs.add(r["source_package"])
            elif split == "dev":
                chosen.append((corpus, r))
    excluded = heldout_pkgs | RESERVED_PACKAGES
    keep, seen, dupes = [], set(), 0
    for c, r in chosen:
        if r["source_package"] in excluded:
            continue
        # the same recording in two corpora (same package and path in it) is used once, and
        # not at all if any corpus holds it out
        key = recording_key(r)
        if key in heldout_keys:
            dupes += 1
            continue
        if key in seen:
            dupes += 1
            continue
        seen.add(key)
        keep.append((c, r))
    if dupes:
        rules.append(f"{dupes} dev files also in another corpus (same package and path): used "
                     f"once, or not at all where a corpus holds them out")
    dropped = [(c, r) for c, r in chosen if r["source_package"] in excluded]
    return keep, dropped, heldout_files, excluded, rules


def check_no_heldout(rows, heldout_files, excluded, corpus_of_file):
    for r in rows:
        key = (os.path.abspath(corpus_of_file[(r["corpus"], r["source_file"])]), r["source_file"])
        # raised, not `assert`ed: python -O must not skip it
        if key in heldout_files:
            raise AssertionError(f"held-out file in training output: {key}")
        if r["source_package"] in excluded:
            raise AssertionError(f"held-out package in training output: {r}")


def self_test():
    """Checks of the building blocks; exits non-zero on failure."""
    # ISO 9613-1 table 1 (20 C, 70 %): 1 kHz 4.98 dB/km, 2 kHz 9.02, 4 kHz 22.9
    a = air_absorption_db_per_m(np.array([1000.0, 2000.0, 4000.0]), 20, 70) * 1000
    assert np.allclose(a, [4.98, 9.02, 22.9], rtol=0.02), a
    x = np.zeros(4000)
    x[0] = 1.0
    worst_pre, offsets = 0.0, set()
    for i in range(12):
        h, meta = make_rir(np.random.default_rng([99, i]), i)
        assert np.all(np.isfinite(h)) and 0.2 <= meta["length_s"] <= RIR_MAX_S, meta
        _, sos = draw_mic(np.random.default_rng([99, 100 + i]))
        ev = event_signal(x, h, sos, 6 * RATE, 2 * RATE, RATE // 2)
        direct = np.max(np.abs(ev[2 * RATE - 10:2 * RATE + 10]))
        offsets.add(int(np.argmax(np.abs(ev) > 0.2 * direct)) - 2 * RATE)
        worst_pre = max(worst_pre, float(np.max(np.abs(ev[:2 * RATE - 10])) / direct))
    # the direct sound of an impulse arrives at 2.000 s (within the fractional delay and the
    # microphone filters' group delay), nothing before it but the delay filter's pre-ringing
    assert offsets <= {-1, 0, 1, 2}, offsets
    assert worst_pre < 0.1, worst_pre
    # the held-out assertion fires
    bad = dict(corpus="c", source_file="gunshot/x.wav", source_package="p")
    for files, excl in (({(os.path.abspath("c"), "gunshot/x.wav")}, set()), (set(), {"p"})):
        try:
            check_no_heldout([bad], files, excl, {("c", "gunshot/x.wav"): "c"})
        except AssertionError:
            continue
        raise SystemExit("augment: self-test FAILED: a held-out file/package passed the check")
    print(f"augment: self-test ok (air absorption per ISO 9613-1; impulse direct sound at "
          f"2.000 s {sorted(offsets)} samples; pre-ringing <= {worst_pre:.3f} of it)")


def main():
    if "--self-test" in sys.argv:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", required=True, help="corpus folder (repeatable)")
    ap.add_argument("--split", default="dev", choices=["dev"], help="only dev may be augmented")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--per-clip", type=int, default=12, help="examples per clip (default 12)")
    ap.add_argument("--min-per-class", type=int, default=150,
                    help="more examples per clip for classes with few clips (default 150)")
    ap.add_argument("--background-minutes", type=float, default=60.0)
    ap.add_argument("--rirs", type=int, default=200, help="RIR pool size (default 200)")
    ap.add_argument("--confuser-prob", type=float, default=0.3,
                    help="probability of a confuser in an event example (default 0.3)")
    ap.add_argument("--clip-prob", type=float, default=0.05, help="clipped examples (default 0.05)")
    ap.add_argument("--doppler-prob", type=float, default=0.5,
                    help="siren/car_horn/tire_screech examples that pass by (default 0.5)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1, max 2 advised)")
    ap.add_argument("--self-test", action="store_true", help="check the building blocks and exit")
    args = ap.parse_args()
    t_start = time.time()

    out = args.out
    os.makedirs(out, exist_ok=True)
    keep, dropped, heldout_files, excluded, rules = load_corpora(args.corpus, args.split)
    for r in rules:
        print(f"augment: split rule {r}")
    if dropped:
        print(f"augment: {len(dropped)} dev files left out because their package is held out "
              f"elsewhere or reserved: " + ", ".join(sorted({r['source_package'] for _, r in dropped})))

    def entry(corpus, r):
        return dict(x=load_wav(os.path.join(corpus, r["file"])), file=r["file"],
                    package=r["source_package"], corpus=corpus, cls=r["class"])
    clips = [entry(c, r) for c, r in keep if r["class"] in CLASSES]
    beds = [entry(c, r) for c, r in keep if r["class"] == "_background"]
    for b in beds:
        b["x"] = trim_fades(b["x"])
    confusers = [entry(c, r) for c, r in keep if r["class"] == "_confuser"]
    corpus_of_file = {(c, r["file"]): c for c, r in keep}
    assert beds, "no dev background bed"
    print(f"augment: {len(clips)} dev clips, {len(beds)} beds "
          f"({sum(len(b['x']) for b in beds) / RATE / 60:.1f} min), {len(confusers)} confusers")

    t0 = time.time()
    rirs, rir_meta, cached = rir_pool(out, args.seed, args.rirs)
    rt = np.array([m["rt60_s"] for m in rir_meta])
    print(f"augment: {len(rirs)} RIRs {'from cache' if cached else 'computed'} in "
          f"{time.time() - t0:.1f} s; RT60 median {np.nanmedian(rt):.2f} s, "
          f"10-90 % {np.nanpercentile(rt, 10):.2f}-{np.nanpercentile(rt, 90):.2f} s")

    jobs = []
    for cls in CLASSES:
        idx = [i for i, c in enumerate(clips) if c["cls"] == cls]
        if not idx:
            print(f"augment: WARNING no dev clip of {cls}")
            continue
        k = max(args.per_clip, math.ceil(args.min_per_class / len(idx)))
        serial = 0
        for rep in range(k):
            for ci in idx:
                jobs.append((cls, serial, ci, rep))
                serial += 1
    for sub in ("events", "background"):            # our own output: no stale files
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    for cls in CLASSES:
        os.makedirs(os.path.join(out, "events", cls), exist_ok=True)
    os.makedirs(os.path.join(out, "background"), exist_ok=True)
    n_bg = int(round(args.background_minutes * 60 / BG_S))
    ctx = dict(seed=args.seed, clips=clips, beds=beds, confusers=confusers, rirs=rirs,
               rir_meta=rir_meta, out=out, confuser_prob=args.confuser_prob,
               doppler_prob=args.doppler_prob,
               clip_prob=args.clip_prob)

    t0 = time.time()
    if args.jobs > 1:
        import multiprocessing as mp
        global _CTX
        _CTX = ctx
        with mp.get_context("fork").Pool(args.jobs) as pool:
            rows = pool.map(_event_worker, jobs, chunksize=16)
            bg_rows = pool.map(_bg_worker, range(n_bg), chunksize=4)
    else:
        rows = [make_event(j, ctx) for j in jobs]
        bg_rows = [make_background(i, ctx) for i in range(n_bg)]
    t_mix = time.time() - t0
    bg_flat = [r for rs in bg_rows for r in rs]

    # No held-out file or package may reach the training output.
    check_no_heldout(rows, heldout_files, excluded, corpus_of_file)
    check_no_heldout(bg_flat, heldout_files, excluded, corpus_of_file)

    with open(os.path.join(out, "events", "labels.tsv"), "w") as f:
        f.write("\t".join(LABEL_COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in LABEL_COLUMNS) + "\n")
    with open(os.path.join(out, "events", "reference.txt"), "w") as f:   # DCASE event list
        for r in rows:
            f.write(f"{r['file']}\t{float(r['onset_s']):.4f}\t{float(r['offset_s']):.4f}\t{r['class']}\n")
    with open(os.path.join(out, "background", "list.tsv"), "w") as f:
        cols = BG_COLUMNS
        f.write("\t".join(cols) + "\n")
        for r in bg_flat:
            f.write("\t".join(str(r.get(c, "")) for c in cols) + "\n")

    counts = {c: sum(1 for r in rows if r["class"] == c) for c in CLASSES}
    secs = time.time() - t_start
    summary = dict(args=vars(args), rules=rules, excluded_packages=sorted(excluded),
                   counts=counts, events=len(rows), background_files=n_bg,
                   background_minutes=n_bg * BG_S / 60, clipped_events=sum(int(r["clipped"]) for r in rows),
                   confuser_events=sum(1 for r in rows if r["confuser_file"]),
                   seconds_mixing=round(t_mix, 1), seconds_total=round(secs, 1))
    with open(os.path.join(out, "augment.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print("augment: examples per class: " + ", ".join(f"{c} {counts[c]}" for c in CLASSES))
    print(f"augment: {len(rows)} event examples ({len(rows) * EVENT_S / 60:.1f} min; "
          f"{summary['confuser_events']} with a confuser, {summary['clipped_events']} clipped), "
          f"{n_bg * BG_S / 60:.1f} min of background in {n_bg} files")
    print(f"augment: wrote {out} in {secs:.1f} s (mixing {t_mix:.1f} s, jobs {args.jobs}); "
          f"no held-out file or package in the output")


_CTX = None


def _event_worker(job):
    return make_event(job, _CTX)


def _bg_worker(i):
    return make_background(i, _CTX)


if __name__ == "__main__":
    main()
