#!/usr/bin/env bash
# Builds a synthetic corpus N times the size of SRC for the `recursive` benchmark: N copies of
# SRC side by side (OUT/copy-1 … OUT/copy-N), so it has N times the roots, files and lines with
# the same shape. Rebuilt only when missing or of another size.
set -euo pipefail
SRC=${1:?usage: synth-corpus.sh SRC OUT N}
OUT=${2:?usage: synth-corpus.sh SRC OUT N}
N=${3:?usage: synth-corpus.sh SRC OUT N}
if [ -f "$OUT/.copies" ] && [ "$(cat "$OUT/.copies")" = "$N $SRC" ]; then
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
for i in $(seq 1 "$N"); do
  cp -R "$SRC" "$OUT/copy-$i"
done
echo "$N $SRC" > "$OUT/.copies"
