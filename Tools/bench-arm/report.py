#!/usr/bin/env python3
"""make bench-arm: turns the qemu instruction counts in RUNS into the printed
figures (Tools/bench-arm/README.md defines each one and the cycle model).

usage: report.py RUNS HOPS
RUNS holds, per driver run PROG-RATE-WHAT-HOPS, the QEMU plugin log (.log: insn.c's
"insns: N" and insn_mix.c's "mix total=N ldst=N ...") and the driver's stderr (.err).
"""
import glob
import os
import re
import sys
import tomllib

BIQUADS = 32  # OctaveFilterbank.biquadsPerSample: 8 bands x 4 sections, and CMSIS's 8 cascades of 4
CLASSES = ("total", "ldst", "branch", "imul", "simd", "simd_q", "simd_mul", "ldst_vq")

# Cores and clocks (README: "The cycle model"). Throughput bounds per sample from
# the instruction mix; see cycles_a53 / cycles_a72.
CPUS = {
    "a53": ("Cortex-A53", 1.0e9),   # Raspberry Pi Zero 2 W: RP3A0 (BCM2710A1), 4 x A53 at 1 GHz stock
    "a72": ("Cortex-A72", 1.5e9),   # Raspberry Pi 4 B: BCM2711, 4 x A72 at 1.5 GHz (1.8 GHz on 2022+ boards)
}
BOARD_CPU = {  # board file name prefix -> core; boards not listed are not aarch64 Cortex-A53/A72
    "rpi-zero2w-": "a53",
    "rpi4-": "a72",
}
NOT_ESTIMATED = {
    "beaglebone-black-": "Cortex-A8 (ARMv7-A, 32-bit): these are aarch64 counts",
    "generic": "x86_64 laptop or PC: see make bench",
}


def load(runs, prog, rate, what, hops):
    key = f"{prog}-{rate}-{what}-{hops}"
    with open(os.path.join(runs, key + ".log")) as f:
        text = f.read()
    insns = int(re.search(r"^insns: (\d+)", text, re.M).group(1))
    mix = {c: int(re.search(rf"\b{c}=(\d+)", text).group(1)) for c in CLASSES}
    with open(os.path.join(runs, key + ".err")) as f:
        info = dict(re.findall(r"(\w+)=(-?\d+)", f.read()))
    return insns, mix, info


def main():
    runs, hops = sys.argv[1], int(sys.argv[2])

    def delta(prog, rate, what):
        """Counts of hops HOPS ... 2*HOPS-1: (insns, mix dict, driver info of the long run)."""
        a, ma, _ = load(runs, prog, rate, what, hops)
        b, mb, info = load(runs, prog, rate, what, 2 * hops)
        return b - a, {c: mb[c] - ma[c] for c in CLASSES}, info

    def per_sample(prog, rate, what, base_what=0):
        """Instructions per input sample of workload WHAT minus workload BASE_WHAT."""
        i, m, info = delta(prog, rate, what)
        j, n, _ = delta(prog, rate, base_what)
        samples = hops * (rate // 100)
        return (i - j) / samples, {c: (m[c] - n[c]) / samples for c in CLASSES}, info

    def cycles_a53(m):
        # In-order, dual issue; one FP/ASIMD pipe with a 64-bit datapath (a 128-bit
        # op holds it two cycles); one load/store pipe, 64 bits wide (a 128-bit
        # SIMD load or store takes two cycles and no NEON op issues beside it);
        # one integer MAC pipe.
        return max(m["total"] / 2, m["simd"] + m["simd_q"] + 2 * m["ldst_vq"], m["ldst"] + m["ldst_vq"], m["imul"])

    def cycles_a72(m):
        # Three-wide decode; two 128-bit ASIMD pipes (F0, F1), integer vector
        # multiply on F0 only; one load and one store pipe; two integer ALUs plus
        # a multi-cycle pipe; one branch pipe.
        alu = m["total"] - m["ldst"] - m["branch"] - m["simd"]
        return max(m["total"] / 3, m["simd"] / 2, m["simd_mul"], m["ldst"] / 2, m["branch"], alu / 2)

    def add(a, b):
        return {c: a[c] + b[c] for c in CLASSES}

    lines = []
    emit = lambda k, v: lines.append(f"{k}={v}")
    f2 = lambda x: f"{x:.2f}"
    res = {}
    for rate in (16000, 48000):
        chain, mchain, _ = per_sample("bench", rate, 2)
        bank, mbank, _ = per_sample("bench", rate, 1)
        det, mdet, dinfo = per_sample("bench", rate, 3, 2)
        stage, mstage, sinfo = per_sample("bench", rate, 5, 4)
        path_mix = add(add(mchain, mdet), mstage)
        res[rate] = dict(chain=chain, bank=bank, det=det, stage=stage, path=chain + det + stage, mix=path_mix,
                         mbank=mbank, dinfo=dinfo, sinfo=sinfo)
    r = res[16000]
    emit("arm_insn_per_sample_chain", f2(r["chain"]))
    emit("arm_insn_per_sample_biquad", f2(r["bank"] / BIQUADS))
    emit("arm_insn_per_sample_detector", f2(r["det"]))
    emit("arm_insn_per_sample_classifier", f2(r["stage"]))
    cand_i, _, _ = delta("bench", 16000, 6)
    base_i, _, _ = delta("bench", 16000, 0)
    emit("arm_insn_per_candidate_classifier", f"{(cand_i - base_i) / hops:.0f}")
    emit("arm_insn_per_sample_path", f2(r["path"]))
    emit("arm_insn_per_sample_chain_48k", f2(res[48000]["chain"]))
    emit("arm_insn_per_sample_path_48k", f2(res[48000]["path"]))
    emit("arm_detector_events", r["dinfo"].get("events", "0"))
    emit("arm_stage_candidates", r["sinfo"].get("candidates", "0"))

    cm = {}
    samples = hops * 160
    for kernel, name in ((1, "q15"), (2, "32x64")):
        best = None
        for variant in ("cmsis", "cmsis-unroll"):
            i, m, _ = delta(variant, 16000, kernel)
            j, n, _ = delta(variant, 16000, 0)
            v = (i - j) / samples / BIQUADS
            mm = {c: (m[c] - n[c]) / samples / BIQUADS for c in CLASSES}
            emit(f"arm_insn_per_sample_cmsis_{name}_{'unrolled' if variant != 'cmsis' else 'pypi'}", f2(v))
            if best is None or v < best[0]:
                best = (v, mm)
        cm[name] = best
        emit(f"arm_insn_per_sample_cmsis_{name}", f2(best[0]))
    biquad = r["bank"] / BIQUADS
    emit("arm_ratio_vs_cmsis", f2(cm["q15"][0] / biquad))
    emit("arm_ratio_vs_cmsis_32x64", f2(cm["32x64"][0] / biquad))
    bank_b = {c: r["mbank"][c] / BIQUADS for c in CLASSES}
    emit("arm_cycle_ratio_vs_cmsis_a53", f2(cycles_a53(cm["q15"][1]) / cycles_a53(bank_b)))
    emit("arm_cycle_ratio_vs_cmsis_32x64_a53", f2(cycles_a53(cm["32x64"][1]) / cycles_a53(bank_b)))

    for core, fn in (("a53", cycles_a53), ("a72", cycles_a72)):
        emit(f"arm_est_cycles_per_sample_{core}", f2(fn(r["mix"])))
        emit(f"arm_est_cycles_per_sample_{core}_48k", f2(fn(res[48000]["mix"])))

    for path in sorted(glob.glob("Boards/*.toml")):
        board = os.path.basename(path)[:-5]
        with open(path, "rb") as f:
            audio = tomllib.load(f).get("audio", {})
        rate = int(audio.get("rate", 16000))
        core = next((c for p, c in BOARD_CPU.items() if board.startswith(p)), None)
        if core is None:
            why = next((w for p, w in NOT_ESTIMATED.items() if board.startswith(p)), "no core model for this board")
            emit(f"arm_est_cpu_percent_per_channel_16k_{board}", f"na ({why})")
            continue
        fn = cycles_a53 if core == "a53" else cycles_a72
        clock = CPUS[core][1]
        emit(f"arm_est_cpu_percent_per_channel_16k_{board}", f"{fn(r['mix']) * 16000 / clock * 100:.3f}")
        if rate in res:
            emit(f"arm_est_cpu_percent_at_board_rate_{board}",
                 f"{fn(res[rate]['mix']) * rate / clock * 100:.3f} ({rate} Hz, one analysis stream, {CPUS[core][0]} at {clock / 1e9:.1f} GHz)")
    a53 = cycles_a53(r["mix"]) * 16000 / CPUS["a53"][1] * 100
    ratio = cm["q15"][0] / biquad
    emit("arm_target_ratio_vs_cmsis_met", f"{'yes' if ratio >= 4 else 'no'} ({f2(ratio)} against >= 4)")
    emit("arm_target_cpu_percent_met", f"{'yes' if a53 <= 1 else 'no'} on the throughput bound ({a53:.3f} % of one Pi Zero 2 W core per 16 kHz channel against <= 1 %; a lower bound: README)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
