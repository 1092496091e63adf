#!/usr/bin/env python3
"""Prints a signature table JSON in the canonical form of SignatureFile.encode
(the form DefaultSignatures.json must have), rounding every value the way the
loader stores it (dB to Q8.8, fractions to Q15 / UInt16), so the text parses to
the same table as the input.   encode_table.py TABLE.json > canonical.json
"""
import json
import sys

ORDER = ["name", "kind", "band_template_db", "band_tolerance_db", "max_band_error_db", "tonal_hz",
         "min_tonality_db", "max_tonality_db", "sweep_bins", "pitch_hz", "min_pitch_prominence_db", "pitch_step_hz",
         "min_pitch_continuity", "min_pitch_moving", "min_pitch_span", "min_rise_db_per_ms", "min_crest_db",
         "min_duration_ms", "max_duration_ms", "decay_db", "max_decay_ms", "max_hold_ms", "min_transients", "repetition_hz",
         "gap_ms", "min_match_fraction", "max_level_drop_db", "min_snr_db", "min_level_dbfs", "min_level_db_spl",
         "min_confidence", "cooldown_ms"]
DB = {"band_template_db", "band_tolerance_db", "max_band_error_db", "min_tonality_db", "max_tonality_db",
      "min_rise_db_per_ms", "min_crest_db", "decay_db", "repetition_hz", "max_level_drop_db", "min_snr_db",
      "min_level_dbfs", "min_level_db_spl", "min_pitch_prominence_db", "min_pitch_span"}
# Optional keys a table written before they existed may lack (the loader's defaults).
DEFAULTS = {"max_hold_ms": 0, "pitch_hz": [0, 0], "min_pitch_prominence_db": 0, "pitch_step_hz": 40,
            "min_pitch_continuity": 0, "min_pitch_moving": 0, "min_pitch_span": None}


def num(x):
    return str(int(x)) if x == round(x) else repr(float(x))


def q88(x):
    return round(x * 256) / 256  # Swift .rounded(): half away from zero; ties do not occur at 0.1 dB steps


def value(k, v):
    if v is None:
        return "null"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(value(k, x) for x in v) + "]"
    if k in DB:
        return num(q88(v))
    if k in ("min_match_fraction", "min_pitch_continuity", "min_pitch_moving"):
        return num(round(min(32767, round(v * 32768)) / 32768 * 10000) / 10000)
    if k == "min_confidence":
        return num(round(round(v * 65535) / 65535 * 10000) / 10000)
    return num(v)


def encode(table):
    out = '{\n  "version": 1,\n  "entries": ['
    for i, e in enumerate(table["entries"]):
        out += "\n" if i == 0 else ",\n"
        out += "    {\n" + ",\n".join(f'      "{k}": {value(k, e.get(k, DEFAULTS.get(k)))}' for k in ORDER) + "\n    }"
    out += "\n  ]\n}\n"
    return out


if __name__ == "__main__":
    sys.stdout.write(encode(json.load(open(sys.argv[1]))))
