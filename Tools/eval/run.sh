#!/usr/bin/env bash
# make eval: mix soundscapes from the corpus, run `earshot analyze --format dcase`
# (and --format jsonl, for the confidences of the operating points) over them, run the
# YAMNet anchor on the same mixtures (anchor.py --self-test first; EVAL_ANCHOR=0 skips both),
# score both with sed_eval; operating points, OUT_DIR/det.png, OUT_DIR/operating_points.tsv.
# Usage: run.sh EARSHOT_BINARY CORPUS OUT_DIR PYTHON
set -euo pipefail
earshot=$1 corpus=$2 out=$3 py=$4
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $corpus/MANIFEST.tsv ]] || { echo "eval: no MANIFEST.tsv in corpus '$corpus' (set CORPUS=…)" >&2; exit 2; }
rm -rf "$out/mix" "$out/est" "$out/anchor" "$out"/det*.png "$out/operating_points.tsv"
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
# The same events with their confidence (the operating-point sweep); not timed above.
for split in dev heldout; do
  for part in events fp; do
    "$earshot" analyze --format jsonl ${EVAL_ANALYZE_ARGS:-} "$out/mix/$split/$part" > "$out/est/$split-$part.jsonl"
  done
done
anchor=()
if [[ ${EVAL_ANCHOR:-1} != 0 ]]; then
  "$py" "$here/anchor.py" --self-test  # model, feature recipe, quantisation on a tone; fails the eval if off
  a0=$(date +%s.%N)
  "$py" "$here/anchor.py" --mix "$out/mix" --cache "$out/anchor-cache" --out "$out/anchor"
  awk -v s="$a0" -v e="$(date +%s.%N)" 'BEGIN { printf "eval: anchor stage took %.1f s\n", e-s }'
  anchor=(--anchor "$out/anchor")
fi
"$py" "$here/score.py" --mix "$out/mix" --est "$out/est" "${anchor[@]}" --out "$out"
