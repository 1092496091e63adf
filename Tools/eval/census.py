#!/usr/bin/env python3
"""Why labelled events are missed: a census of the first failing rule per class.

  census.py MIX_EVENTS_DIR EARSHOT_BIN CLASS[,CLASS…] [--table T.json] [--jobs 2]

Runs `earshot listen --file M --fast --json` (the agent's own detector, the same
per-hop scores and state-machine reasons `earshot listen` shows a technician) over
every event mixture of MIX_EVENTS_DIR (Tools/eval/mix.py output: mixtures.tsv,
reference.txt) with EBR >= 0 dB, and for each reference event of the named classes
takes its class's best-scoring update between onset and min(offset, onset + 3 s).
Prints per class how many fired (an event of the class within 0.5 s of the onset),
how many failed which per-hop gate at their best hop (spectral, snr, tonal, level;
"none" = all passed), the temporal rule that last turned them down
(`last_rejection`, a table field), and the first measured values
(band error / limit, SNR / limit, tonality / limit, dB).
Use it on the dev split (it reads labels); never to choose a table by held-out results.
"""
import argparse
import collections
import concurrent.futures as cf
import json
import os
import subprocess


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mix")
    ap.add_argument("earshot")
    ap.add_argument("classes")
    ap.add_argument("--table")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    classes = args.classes.split(",")
    ebr = {}
    with open(os.path.join(args.mix, "mixtures.tsv")) as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            ebr[p[0]] = p[1]
    refs = collections.defaultdict(list)
    with open(os.path.join(args.mix, "reference.txt")) as f:
        for line in f:
            name, on, off, c = line.rstrip("\n").split("\t")
            if c in classes and ebr.get(name) not in ("", None) and int(ebr[name]) >= 0:
                refs[name].append((float(on), float(off), c))
    extra = ["--table", args.table] if args.table else []

    def one(name):
        out = subprocess.run([args.earshot, "listen", "--file", os.path.join(args.mix, name), "--fast",
                              "--json", "--top", "12"] + extra, capture_output=True, text=True, check=True).stdout
        ups = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        res = []
        for on, off, c in refs[name]:
            best = None
            for u in ups:
                if on - 0.1 <= u["t_s"] <= min(off, on + 3) + 0.2:
                    for k in u["classes"]:
                        if k["class"] == c and (best is None or k["score"] > best["score"]):
                            best = k
            fired = any(e["class"] == c and abs(e["onset_s"] - on) < 0.6 for u in ups for e in u.get("events", []))
            res.append((c, fired, best))
        return res

    agg = collections.defaultdict(collections.Counter)
    vals = collections.defaultdict(list)
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        for r in ex.map(one, sorted(refs)):
            for c, fired, b in r:
                agg[c]["events"] += 1
                if fired:
                    agg[c]["fired"] += 1
                    continue
                if b is None:
                    agg[c]["no update"] += 1
                    continue
                failed = [k for k in ("spectral", "snr", "tonal", "level") if not b["gates"].get(k, True)]
                agg[c]["gate failed: " + ("+".join(failed) or "none")] += 1
                if b.get("last_rejection"):
                    agg[c]["rejected by " + b["last_rejection"]["rule"]] += 1
                vals[c].append(f'{b["band_error_db"]:.1f}/{b["max_band_error_db"]} '
                               f'{b["snr_db"]:.1f}/{b["min_snr_db"]} {b.get("tonality_db")}/{b.get("min_tonality_db")}')
    for c in classes:
        print(f"{c}: " + ", ".join(f"{k} {v}" for k, v in agg[c].most_common()))
        print("  missed, error/limit snr/limit tonality/limit dB: " + "; ".join(vals[c][:8]))


if __name__ == "__main__":
    main()
