#!/usr/bin/env python3
"""Builds the extra Earshot corpus from Debian *main* packages (issue 14 §2).

  build.py [--selection Tools/corpus/selection.tsv] [--out .build-corpus]
           [--cache .build-corpus-cache] [--shared ../shared/corpus]
  build.py sheet --package PKG [--grep REGEX] [--out DIR]   spectrogram contact sheets (curation)
  build.py list --package PKG [--grep REGEX]                audio files inside a package

The curated selection (Tools/corpus/selection.tsv, in git) names, per clip: the Debian
package, its pinned version, the split the package belongs to (dev|heldout, whole package),
the path inside the package, the class and a note. A path may point into an archive the
package ships: `…/pak0.pk3!sound/x.wav` (zip/pk3 member), `…/core.rcc!gcompris/src/core/resource/sounds/x.wav` (Qt resource
entry) or `…/freedoom2.wad!DSPISTOL` (Doom WAD sound lump).

For every package the build
  1. refuses it if it is in FORBIDDEN (kept for independent checking) or already used by
     the shared corpus (its MANIFEST.tsv), or if the archive has it outside `main`;
  2. `apt-get download PKG=VERSION` into the cache (no root needed; already cached .debs are
     reused); warns when the archive's candidate version differs from the pinned one and
     falls back to the candidate only when the pinned .deb is gone;
  3. `dpkg-deb -x` into the cache;
and for every clip it decodes the file (soundfile: WAV/OGG/FLAC; DMX lumps by hand),
averages channels, resamples to 16 kHz (scipy resample_poly), trims leading/trailing
audio below -50 dBFS, caps events/confusers at 10 s and beds at 60 s, writes 16-bit mono
WAV to OUT/<class>/<package>__<name>.wav and a MANIFEST.tsv with the shared corpus's
columns. The licence is read from the package's DEP-5 copyright file (the last `Files:`
stanza matching the file, else `Files: *`); a non-empty `license` column in the selection
overrides it (used for packages whose copyright file is not machine-readable). Exact
duplicates (same samples after conversion, within this corpus or of the shared corpus)
are dropped with a warning. The output folder is rewritten from scratch, so the build is
idempotent; the cache is kept.
"""
import argparse
import csv
import fnmatch
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import wave
import zipfile
import zlib
from math import gcd

import numpy as np

RATE = 16000
SILENCE_DBFS = -50.0
MAX_EVENT_S = 10.0
MAX_BED_S = 60.0
CLASSES = ["gunshot", "explosion", "glass_break", "scream", "power_tool",
           "car_horn", "aerosol_spray", "siren", "tire_screech"]
KINDS = CLASSES + ["_background", "_confuser"]
COLUMNS = ["split", "class", "file", "source_package", "package_version",
           "original_path_in_package", "license", "duration_s", "notes"]

# Kept for independent checking (issue 14 §2): never downloaded, never used.
FORBIDDEN = {
    "asterisk-prompt-it-menardi-wav", "brainparty-data", "btanks-data", "dustracing2d-data",
    "etw-data", "flightgear-data-base", "freedroidrpg-data", "hyperrogue-music", "lugaru-data",
    "megaglest-data", "naev-data", "openttd-opensfx", "redeclipse-data", "scorched3d-data",
    "simutrans-pak64", "supertux-data", "torcs-data", "triplea", "tuxfootball",
    "warzone2100-data",
}

AUDIO = re.compile(r"\.(wav|ogg|oga|flac|opus|mp3|au|aiff?|voc)$", re.I)


def die(msg):
    print(f"corpus: {msg}", file=sys.stderr)
    sys.exit(2)


def warn(msg):
    print(f"corpus: warning: {msg}", file=sys.stderr)


def check_allowed(pkg, shared_pkgs):
    if pkg in FORBIDDEN:
        die(f"{pkg} is FORBIDDEN (kept for independent checking, issue 14): remove it from the selection")
    if pkg in shared_pkgs:
        die(f"{pkg} is already used by the shared corpus: pick another package")


# ---------------------------------------------------------------- packages

def apt_show(pkg):
    """Candidate version and pool component of pkg, or (None, None)."""
    r = subprocess.run(["apt-cache", "show", "--no-all-versions", pkg],
                       capture_output=True, text=True)
    ver = comp = None
    for line in r.stdout.splitlines():
        if line.startswith("Version:") and ver is None:
            ver = line.split(None, 1)[1].strip()
        elif line.startswith("Filename:") and comp is None:
            parts = line.split(None, 1)[1].split("/")
            comp = parts[1] if len(parts) > 1 and parts[0] == "pool" else "?"
    return ver, comp


def deb_name(pkg, version):
    return f"{pkg}_{version.replace(':', '%3a')}_"


def fetch(pkg, version, cache, shared_pkgs):
    """Returns (extracted root, version used)."""
    check_allowed(pkg, shared_pkgs)
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    have = [f for f in os.listdir(debs) if f.startswith(deb_name(pkg, version)) and f.endswith(".deb")]
    used = version
    if not have:
        cand, comp = apt_show(pkg)
        if cand is None:
            die(f"{pkg}: not known to apt (run apt-get update?)")
        if comp != "main":
            die(f"{pkg}: archive has it in '{comp}', only Debian main is allowed")
        if cand != version:
            warn(f"{pkg}: pinned {version}, archive candidate is {cand}")
        r = subprocess.run(["apt-get", "download", f"{pkg}={version}"], cwd=debs,
                           capture_output=True, text=True)
        if r.returncode != 0:
            warn(f"{pkg}={version} not downloadable ({r.stderr.strip().splitlines()[-1:]}); using {cand}")
            r = subprocess.run(["apt-get", "download", f"{pkg}={cand}"], cwd=debs,
                               capture_output=True, text=True)
            if r.returncode != 0:
                die(f"{pkg}: apt-get download failed: {r.stderr.strip()}")
            used = cand
        have = [f for f in os.listdir(debs) if f.startswith(deb_name(pkg, used)) and f.endswith(".deb")]
        if not have:
            die(f"{pkg}: downloaded, but no {deb_name(pkg, used)}*.deb in {debs}")
    root = os.path.join(cache, "x", f"{pkg}_{used.replace(':', '%')}")
    if not os.path.isdir(root):
        tmp = root + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.dirname(root), exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", os.path.join(debs, sorted(have)[0]), tmp], check=True)
        os.rename(tmp, root)
    return root, used


# ---------------------------------------------------------------- licences

def parse_dep5(path):
    """List of (patterns, licence) stanzas of a DEP-5 copyright file, or None."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None
    if "copyright-format" not in text.split("\n", 1)[0]:
        return None
    stanzas = []
    for block in re.split(r"\n\s*\n", text):
        files = lic = None
        cur = None
        for line in block.split("\n"):
            if re.match(r"^[A-Za-z-]+:", line):
                key, val = line.split(":", 1)
                cur = key.lower()
                if cur == "files":
                    files = val.split()
                elif cur == "license":
                    lic = val.strip()
            elif line[:1] in (" ", "\t") and cur == "files":
                files += line.split()
        if files is not None and lic:
            stanzas.append((files, lic))
    return stanzas


def _match(pattern, comps):
    """How well a DEP-5 Files pattern matches a path (list of components): 0 = not at all.
    Source paths differ from installed ones (data/wav/* is installed as
    /usr/share/games/x/wav/...), so a trailing part of the pattern (at least its last
    folder and the file name) may match; a match of the whole pattern scores above any
    partial one, and a longer partial match above a shorter one."""
    pc = pattern.strip("/").split("/")
    if pattern == "*":
        return 1
    if len(pc) == 1:
        return 2 if fnmatch.fnmatchcase(comps[-1], pc[0]) else 0
    if len(comps) >= len(pc) and fnmatch.fnmatchcase("/".join(comps[-len(pc):]), "/".join(pc)):
        return 1000 + len(pc)
    if pc[0] in comps:  # the path has the pattern's top folder: only a whole match counts
        return 0
    for k in range(len(pc) - 1, 1, -1):
        if len(comps) >= k and fnmatch.fnmatchcase("/".join(comps[-k:]), "/".join(pc[-k:])):
            return k + 1
    return 0


def licence_for(root, pkg, path, stanzas):
    """(licence, pattern) for path inside the package: the best-matching stanza (see
    _match); among equally good ones the last, as DEP-5 says."""
    inner = path.split("!")
    cands = [p.strip("/").split("/") for p in inner]
    if len(inner) > 1:  # archive member: also try the archive's folder + member
        cands.append(os.path.dirname(inner[0]).strip("/").split("/") + inner[1].split("/"))
    best, score = None, 0
    for files, lic in stanzas:
        if files == ["debian/*"]:
            continue
        for pat in files:
            sc = max(_match(pat, c) for c in cands)
            if sc and sc >= score:
                best, score = (lic, pat), sc
    return best


# ---------------------------------------------------------------- audio

def read_dmx(data):
    fmt, rate, n = struct.unpack_from("<HHI", data, 0)
    if fmt != 3:
        raise ValueError("not a DMX sound lump")
    s = np.frombuffer(data[8 + 16:8 + n - 16], dtype=np.uint8).astype(np.float64)
    return (s - 128) / 128, rate


def wad_lump(wad_path, name):
    with open(wad_path, "rb") as f:
        data = f.read()
    magic, n, off = struct.unpack_from("<4sII", data, 0)
    if magic not in (b"IWAD", b"PWAD"):
        raise ValueError(f"{wad_path}: not a WAD")
    for i in range(n):
        pos, size, nm = struct.unpack_from("<II8s", data, off + 16 * i)
        if nm.rstrip(b"\0").decode("ascii", "replace").upper() == name.upper():
            return data[pos:pos + size]
    raise KeyError(f"{name} not in {wad_path}")


def rcc_entries(data):
    """{path: bytes} of a Qt resource (.rcc) file (format versions 1-3, zlib or none)."""
    magic, ver, tree, dat, names = struct.unpack_from(">4sIIII", data, 0)
    if magic != b"qres":
        raise ValueError("not a Qt rcc file")
    node = 14 + (8 if ver >= 2 else 0)
    def name(off):
        n, = struct.unpack_from(">H", data, names + off)
        return data[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")
    out = {}
    def walk(i, prefix):
        p = tree + i * node
        noff, flags = struct.unpack_from(">IH", data, p)
        nm = name(noff) if i else ""
        path = f"{prefix}/{nm}" if nm else prefix
        if flags & 2:
            cnt, first = struct.unpack_from(">II", data, p + 6)
            for c in range(first, first + cnt):
                walk(c, path)
        else:
            off, = struct.unpack_from(">I", data, p + 10)
            size, = struct.unpack_from(">I", data, dat + off)
            blob = data[dat + off + 4:dat + off + 4 + size]
            if flags & 1:
                blob = zlib.decompress(blob[4:])
            elif flags & 4:
                raise ValueError("zstd-compressed rcc entry")
            out[path.lstrip("/")] = blob
    walk(0, "")
    return out


def decode(root, path):
    """(mono float64 samples, source rate) of path inside the extracted package."""
    parts = path.split("!")
    outer = os.path.join(root, parts[0].lstrip("/"))
    if len(parts) == 1:
        data = open(outer, "rb").read()
        name = parts[0]
    elif outer.lower().endswith(".wad"):
        return read_dmx(wad_lump(outer, parts[1]))
    elif outer.lower().endswith(".rcc"):
        data = rcc_entries(open(outer, "rb").read())[parts[1]]
        name = parts[1]
    else:
        with zipfile.ZipFile(outer) as z:
            data = z.read(parts[1])
        name = parts[1]
    import soundfile as sf
    try:
        x, rate = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    except Exception as e:  # noqa: BLE001
        raise ValueError(f"{name}: cannot decode ({e})")
    return x.mean(axis=1), rate


def to_rate(x, rate):
    if rate == RATE:
        return x
    from scipy.signal import resample_poly
    g = gcd(int(rate), RATE)
    return resample_poly(x, RATE // g, int(rate) // g)


def trim(x, max_s):
    """Drops leading/trailing audio below SILENCE_DBFS (peak, 5 ms frames), caps at max_s."""
    thr = 10 ** (SILENCE_DBFS / 20)
    loud = np.flatnonzero(np.abs(x) > thr)
    if len(loud) == 0:
        return x[:0]
    a, b = int(loud[0]), int(loud[-1]) + 1
    pad = int(0.005 * RATE)
    a, b = max(0, a - pad), min(len(x), b + pad)
    y = x[a:b]
    return y[:int(max_s * RATE)]


def write_wav(path, x):
    q = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(q.tobytes())
    return q


def pcm_hash(q):
    return hashlib.sha256(q.tobytes()).hexdigest()


def shared_hashes(shared):
    out = {}
    for r in read_tsv(os.path.join(shared, "MANIFEST.tsv")):
        try:
            with wave.open(os.path.join(shared, r["file"]), "rb") as w:
                out[hashlib.sha256(w.readframes(w.getnframes())).hexdigest()] = r["file"]
        except (OSError, wave.Error):
            pass
    return out


# ---------------------------------------------------------------- selection

def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")]
    return rows


def clip_names(rows):
    """<package>__<name> per row: the file's base name, with its folder when two rows of a
    package share a base name."""
    base = lambda p: re.sub(r"\.[A-Za-z0-9]+$", "", p.split("!")[-1].split("/")[-1])  # noqa: E731
    count = {}
    for r in rows:
        count[(r["package"], base(r["path"]))] = count.get((r["package"], base(r["path"])), 0) + 1
    names = []
    for r in rows:
        b = base(r["path"])
        if count[(r["package"], b)] > 1:
            parent = r["path"].split("!")[-1].split("/")
            b = (parent[-2] + "_" if len(parent) > 1 else "") + b
        names.append(re.sub(r"[^A-Za-z0-9._+-]", "_", f"{r['package']}__{b}"))
    return names


def load_selection(path, shared_pkgs):
    rows = read_tsv(path)
    need = {"package", "version", "split", "path", "class", "notes"}
    if not rows or not need <= set(rows[0]):
        die(f"{path}: needs columns {sorted(need)}")
    split_of, ver_of = {}, {}
    for i, r in enumerate(rows, 2):
        p = r["package"]
        check_allowed(p, shared_pkgs)
        if r["class"] not in KINDS:
            die(f"{path}:{i}: unknown class {r['class']!r}")
        if r["split"] not in ("dev", "heldout"):
            die(f"{path}:{i}: split must be dev or heldout, not {r['split']!r}")
        if split_of.setdefault(p, r["split"]) != r["split"]:
            die(f"{path}:{i}: {p} is both {split_of[p]} and {r['split']}: a package belongs wholly to one split")
        if ver_of.setdefault(p, r["version"]) != r["version"]:
            die(f"{path}:{i}: {p} pinned to two versions")
    return rows


# ---------------------------------------------------------------- commands

def build(args):
    shared_rows = read_tsv(os.path.join(args.shared, "MANIFEST.tsv")) if args.shared else []
    shared_pkgs = {r["source_package"] for r in shared_rows}
    if args.shared and not shared_rows:
        die(f"no MANIFEST.tsv in {args.shared}")
    rows = load_selection(args.selection, shared_pkgs)
    names = clip_names(rows)
    seen_shared = shared_hashes(args.shared) if args.shared else {}
    tmp = args.out.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for k in KINDS:
        os.makedirs(os.path.join(tmp, k), exist_ok=True)
    roots, stanzas = {}, {}
    out_rows, seen = [], {}
    for r, name in zip(rows, names):
        p = r["package"]
        if p not in roots:
            roots[p] = fetch(p, r["version"], args.cache, shared_pkgs)
            stanzas[p] = parse_dep5(os.path.join(roots[p][0], "usr/share/doc", p, "copyright"))
        root, used = roots[p]
        try:
            x, rate = decode(root, r["path"])
        except (OSError, KeyError, ValueError) as e:
            die(f"{p}: {r['path']}: {e}")
        y = trim(to_rate(x, rate), MAX_BED_S if r["class"] == "_background" else MAX_EVENT_S)
        if len(y) < int(0.05 * RATE):
            warn(f"{p}: {r['path']}: silent or shorter than 50 ms after trimming, skipped")
            continue
        lic = (r.get("license") or "").strip()
        lic_note = ""
        if not lic:
            if stanzas[p] is None:
                die(f"{p}: copyright file is not DEP-5: give the licence in the selection's license column")
            m = licence_for(root, p, r["path"], stanzas[p])
            if m is None:
                die(f"{p}: no copyright stanza matches {r['path']}: give the licence in the license column")
            lic = m[0]
            lic_note = "" if m[1] == "*" else f"; licence from copyright stanza {m[1]}"
        rel = f"{r['class']}/{name}.wav"
        if os.path.exists(os.path.join(tmp, rel)):
            die(f"two selection rows write {rel}")
        q = write_wav(os.path.join(tmp, rel), y)
        h = pcm_hash(q)
        dup = seen.get(h) or seen_shared.get(h)
        if dup:
            warn(f"{rel}: same samples as {dup}, dropped")
            os.remove(os.path.join(tmp, rel))
            continue
        seen[h] = rel
        notes = r["notes"].strip()
        if rate < RATE:
            notes += f"{'; ' if notes else ''}source {rate} Hz"
        if len(x) / rate > (MAX_BED_S if r["class"] == "_background" else MAX_EVENT_S) + 0.01:
            notes += f"{'; ' if notes else ''}first {len(y) / RATE:.1f} s of {len(x) / rate:.1f} s"
        out_rows.append({"split": r["split"], "class": r["class"], "file": rel, "source_package": p,
                         "package_version": used, "original_path_in_package": r["path"],
                         "license": lic, "duration_s": f"{len(y) / RATE:.2f}", "notes": notes + lic_note})
    with open(os.path.join(tmp, "MANIFEST.tsv"), "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    for p, (root, used) in sorted(roots.items()):
        src = os.path.join(root, "usr/share/doc", p, "copyright")
        os.makedirs(os.path.join(tmp, "_copyright"), exist_ok=True)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(tmp, "_copyright", f"{p}.copyright"))
    shutil.rmtree(args.out, ignore_errors=True)
    os.rename(tmp, args.out)
    summary(out_rows, args.out)


def summary(rows, out):
    print(f"corpus: wrote {len(rows)} clips to {out} "
          f"({sum(float(r['duration_s']) for r in rows):.1f} s), MANIFEST.tsv")
    for k in KINDS:
        for s in ("dev", "heldout"):
            rs = [r for r in rows if r["class"] == k and r["split"] == s]
            pk = sorted({r["source_package"] for r in rs})
            print(f"corpus: {k:14s} {s:8s} {len(rs):3d} clips {sum(float(r['duration_s']) for r in rs):7.1f} s  "
                  f"{len(pk)} packages: {' '.join(pk)}")


def listing(root, grep):
    rx = re.compile(grep, re.I) if grep else None
    out = []
    for dp, _, fn in os.walk(root):
        for f in sorted(fn):
            full = os.path.join(dp, f)
            rel = "/" + os.path.relpath(full, root)
            if os.path.islink(full):
                continue
            items = []
            if AUDIO.search(f):
                items = [rel]
            elif f.lower().endswith((".pk3", ".zip")):
                with zipfile.ZipFile(full) as z:
                    items = [f"{rel}!{i.filename}" for i in z.infolist() if AUDIO.search(i.filename)]
            elif f.lower().endswith(".rcc"):
                items = [f"{rel}!{k}" for k in sorted(rcc_entries(open(full, "rb").read())) if AUDIO.search(k)]
            elif f.lower().endswith(".wad"):
                data = open(full, "rb").read()
                _, n, off = struct.unpack_from("<4sII", data, 0)
                for i in range(n):
                    pos, size, nm = struct.unpack_from("<II8s", data, off + 16 * i)
                    nm = nm.rstrip(b"\0").decode("ascii", "replace")
                    if nm.upper().startswith("DS") and size > 24 and data[pos:pos + 2] == b"\x03\x00":
                        items.append(f"{rel}!{nm}")
            out += [i for i in items if rx is None or rx.search(i)]
    return sorted(out)


def cmd_list(args):
    ver, _ = apt_show(args.package)
    root, _ = fetch(args.package, args.version or ver, args.cache, set())
    for i in listing(root, args.grep):
        print(i)


def cmd_sheet(args):
    """Spectrogram contact sheets of a package's audio files (for curation, not the build)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.signal import spectrogram
    ver, _ = apt_show(args.package)
    root, used = fetch(args.package, args.version or ver, args.cache, set())
    items = args.paths or listing(root, args.grep)
    os.makedirs(args.out, exist_ok=True)
    per = 12
    for s in range(0, len(items), per):
        chunk = items[s:s + per]
        fig, axes = plt.subplots(len(chunk), 2, figsize=(13, 1.55 * len(chunk)),
                                 gridspec_kw={"width_ratios": [4, 1]}, squeeze=False)
        for ax, item in zip(axes, chunk):
            try:
                x, rate = decode(root, item)
                y = trim(to_rate(x, rate), 10.0)
            except Exception as e:  # noqa: BLE001
                ax[0].set_title(f"{item}: {e}", fontsize=7)
                continue
            if len(y) < 600:
                ax[0].set_title(f"{item}: silent or < 40 ms", fontsize=7)
                continue
            f, t, S = spectrogram(y, RATE, nperseg=512, noverlap=384)
            ax[0].pcolormesh(t, f / 1000, 10 * np.log10(S + 1e-12), shading="auto", vmin=-110, vmax=-30)
            ax[0].set_title(f"{item.split('!')[-1][-70:]}  {len(x) / rate:.2f}s @{rate}", fontsize=7, loc="left")
            ax[0].tick_params(labelsize=6)
            tt = np.arange(len(y)) / RATE
            ax[1].plot(tt, y, lw=0.3)
            ax[1].set_ylim(-1, 1)
            ax[1].tick_params(labelsize=6)
        fig.tight_layout()
        png = os.path.join(args.out, f"{args.package}_{s // per:02d}.png")
        fig.savefig(png, dpi=72)
        plt.close(fig)
        print(png)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=".build-corpus-cache")
    sub = ap.add_subparsers(dest="cmd")
    b = sub.add_parser("build")
    for p in (ap, b):
        p.add_argument("--selection", default=os.path.join(here, "selection.tsv"))
        p.add_argument("--out", default=".build-corpus")
        p.add_argument("--shared", default="../shared/corpus",
                       help="the shared corpus (its packages are refused, its clips deduplicated); '' = none")
    for name, fn in (("list", cmd_list), ("sheet", cmd_sheet)):
        s = sub.add_parser(name)
        s.add_argument("--package", required=True)
        s.add_argument("--version")
        s.add_argument("--grep")
        s.add_argument("--out", default=".build-corpus-cache/sheets")
        s.add_argument("paths", nargs="*")
        s.set_defaults(fn=fn)
    args = ap.parse_args()
    if args.cmd in ("list", "sheet"):
        if args.package in FORBIDDEN:
            die(f"{args.package} is FORBIDDEN (kept for independent checking)")
        args.fn(args)
    else:
        build(args)


if __name__ == "__main__":
    main()
