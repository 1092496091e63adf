#!/usr/bin/env python3
"""CMSIS-DSP reference timing for `make bench`.

Runs arm_biquad_cascade_df1_q15 (PyPI package `cmsisdsp`, the C library
compiled for this host) over the same number of samples and biquad sections
as Earshot's filterbank benchmark, and prints
    cmsis_ns_per_sample_biquad=<ns>
Timing is the best of several runs over large blocks, so Python call overhead
is negligible (one call per 2^20 samples).
"""
import argparse
import time

import numpy as np
import cmsisdsp as dsp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600.0, help="audio seconds")
    ap.add_argument("--rate", type=int, default=16000, help="sample rate, Hz")
    ap.add_argument("--stages", type=int, default=24, help="biquad sections in the cascade")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    n = int(args.seconds * args.rate)
    rng = np.random.default_rng(1)
    samples = (rng.standard_normal(n) * 3000).clip(-32768, 32767).astype(np.int16)

    # A stable low-pass section repeated: CMSIS q15 layout {b0, 0, b1, b2, a1, a2},
    # coefficients in Q(15 - postShift) with postShift = 1 (values up to ±2).
    b = [0.2, 0.4, 0.2]
    a1, a2 = 0.6, -0.2  # CMSIS sign convention: y += a1*y[n-1] + a2*y[n-2]
    post_shift = 1
    q = lambda v: int(round(v * (1 << (15 - post_shift))))
    section = [q(b[0]), 0, q(b[1]), q(b[2]), q(a1), q(a2)]
    coefs = np.array(section * args.stages, dtype=np.int16)

    block = 1 << 20
    best = float("inf")
    for _ in range(args.repeat):
        inst = dsp.arm_biquad_casd_df1_inst_q15()
        state = np.zeros(4 * args.stages, dtype=np.int16)
        dsp.arm_biquad_cascade_df1_init_q15(inst, args.stages, coefs, state, post_shift)
        t0 = time.perf_counter()
        for start in range(0, n, block):
            dsp.arm_biquad_cascade_df1_q15(inst, samples[start:start + block])
        best = min(best, time.perf_counter() - t0)
    ns = best * 1e9 / (n * args.stages)
    print(f"cmsis_samples={n} cmsis_stages={args.stages} cmsis_seconds={best:.3f}")
    print(f"cmsis_ns_per_sample_biquad={ns:.3f}")


if __name__ == "__main__":
    main()
