"""Synthesised street-event signals (48 kHz, float, peak 1): impulsive (shot,
glass) and sustained (horn, grinder). Deterministic for a given seed."""
import numpy as np
from scipy import signal


def shot(fs, rng):
    """Muzzle blast: 1 ms N-wave then a 40 ms exponentially decaying noise burst."""
    n = int(0.25 * fs)
    t = np.arange(n) / fs
    x = np.zeros(n)
    nw = int(0.001 * fs)
    x[:nw] = np.linspace(1, -1, nw)
    burst = rng.standard_normal(n) * np.exp(-t / 0.012) * 0.6
    b, a = signal.butter(2, [150, 9000], btype="band", fs=fs)
    x += signal.lfilter(b, a, burst)
    return x / np.max(np.abs(x))


def glass(fs, rng):
    """Breaking glass: broadband crack then many decaying 2-10 kHz partials over 300 ms."""
    n = int(0.4 * fs)
    t = np.arange(n) / fs
    crack = rng.standard_normal(n) * np.exp(-t / 0.004)
    x = crack.copy()
    for _ in range(40):
        f = rng.uniform(1500, 10000)
        t0 = rng.uniform(0, 0.25)
        env = np.where(t >= t0, np.exp(-(t - t0) / rng.uniform(0.01, 0.06)), 0)
        x += 0.4 * env * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return x / np.max(np.abs(x))


def horn(fs, rng):
    """Two-tone car horn (420 + 500 Hz, rich harmonics), 1 s, 30 ms fades."""
    n = int(1.0 * fs)
    t = np.arange(n) / fs
    x = np.zeros(n)
    for f0 in (420.0, 500.0):
        for h in range(1, 16):
            if f0 * h > 9000:
                break
            x += np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi)) / h
    ramp = int(0.03 * fs)
    env = np.ones(n)
    env[:ramp] = np.linspace(0, 1, ramp)
    env[-ramp:] = np.linspace(1, 0, ramp)
    x *= env
    return x / np.max(np.abs(x))


def grinder(fs, rng):
    """Angle grinder: 1-9 kHz noise with a resonance near 6 kHz plus a 190 Hz whine series, 1 s, 100 ms ramp."""
    n = int(1.0 * fs)
    t = np.arange(n) / fs
    b, a = signal.butter(2, [1000, 9000], btype="band", fs=fs)
    x = signal.lfilter(b, a, rng.standard_normal(n))
    b2, a2 = signal.iirpeak(6000, 4, fs=fs)
    x += 2 * signal.lfilter(b2, a2, rng.standard_normal(n))
    x /= np.std(x)
    for h in range(1, 30):
        x += 0.3 * np.sin(2 * np.pi * 190 * h * t + rng.uniform(0, 2 * np.pi)) / np.sqrt(h)
    ramp = int(0.1 * fs)
    env = np.ones(n)
    env[:ramp] = np.linspace(0, 1, ramp)
    x *= env
    return x / np.max(np.abs(x))


SOURCES = {"shot": shot, "glass": glass, "horn": horn, "grinder": grinder}
IMPULSIVE = {"shot", "glass"}


def traffic_noise(fs, n, rng):
    """Traffic-like noise: pink-ish (-3 dB/octave) with more energy below 1 kHz."""
    w = rng.standard_normal(n)
    b, a = signal.butter(1, 800, fs=fs)
    low = signal.lfilter(b, a, w) * 4
    b2, a2 = signal.butter(1, 5000, fs=fs)
    x = low + signal.lfilter(b2, a2, rng.standard_normal(n))
    return x / np.std(x)
