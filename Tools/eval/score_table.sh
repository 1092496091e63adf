#!/usr/bin/env bash
# Scores a signature table from cached frames (no re-analysis):
#   score_table.sh EVAL_DIR EARSHOT_TUNE TABLE.json [PYTHON]
# EVAL_DIR holds mix/ (Tools/eval/mix.py output) and {dev,heldout}-{events,fp}.frames
# (`earshot-tune dump`). Writes EVAL_DIR/est-<table>/ and prints score.py's report,
# the same numbers `make eval` gives for that table (the detector path is identical).
set -euo pipefail
dir=$1 tune=$2 table=$3 py=${4:-python3}
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$table" .json)
est=$dir/est-$name
mkdir -p "$est"
for part in dev-events dev-fp heldout-events heldout-fp; do
  mkdir -p "$est/$part"
  "$tune" detect "$dir/$part.frames" "$est/$part" "$table"
  mv "$est/$part/$name.txt" "$est/$part.txt"
  rmdir "$est/$part"
done
"$py" "$here/score.py" --mix "$dir/mix" --est "$est"
