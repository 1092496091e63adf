#!/usr/bin/env bash
# make eval: mix soundscapes from the corpus, run `earshot analyze --format dcase`
# over them, score with sed_eval. Usage: run.sh EARSHOT_BINARY CORPUS OUT_DIR PYTHON
set -euo pipefail
earshot=$1 corpus=$2 out=$3 py=$4
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $corpus/MANIFEST.tsv ]] || { echo "eval: no MANIFEST.tsv in corpus '$corpus' (set CORPUS=…)" >&2; exit 2; }
rm -rf "$out/mix" "$out/est"
mkdir -p "$out/est"
extra=()  # CORPUS_EXTRA: more corpora (Tools/corpus/build.py), space-separated
for c in ${CORPUS_EXTRA:-}; do
  [[ -f $c/MANIFEST.tsv ]] || { echo "eval: no MANIFEST.tsv in CORPUS_EXTRA '$c' (make corpus-extra)" >&2; exit 2; }
  extra+=(--corpus "$c")
done
"$py" "$here/mix.py" --corpus "$corpus" "${extra[@]}" --out "$out/mix" ${EVAL_MIX_ARGS:-}
start=$(date +%s.%N)
seconds=0
for split in dev heldout; do
  for part in events fp; do
    "$earshot" analyze --format dcase ${EVAL_ANALYZE_ARGS:-} "$out/mix/$split/$part" > "$out/est/$split-$part.txt"
    n=$(find "$out/mix/$split/$part" -name '*.wav' | wc -l)
    seconds=$((seconds + 30 * n))
  done
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v a="$seconds" 'BEGIN { printf "eval: analyzed %.2f h of mixtures in %.1f s (%.0fx real time)\n", a/3600, e-s, a/(e-s) }'
"$py" "$here/score.py" --mix "$out/mix" --est "$out/est"
