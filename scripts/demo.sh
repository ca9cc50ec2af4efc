#!/bin/sh
# The end-to-end demo behind `make run`: every stage lutforge has, on an embedded default.
set -eu
LF=${1:-target/release/lutforge}
OUT=${2:-out/demo}
mkdir -p "$OUT"

step() { printf '\n== %s ==\n' "$*"; }

step "1. functions lutforge knows"
"$LF" functions

step "2. import the GQA-LUT style 8-segment GELU table (examples/gelu_gqa.json)"
"$LF" import --from gqa examples/gelu_gqa.json --function gelu -o "$OUT/gelu_gqa.json"

step "3. metrics of every scale, hardware output rounding included"
"$LF" eval "$OUT/gelu_gqa.json"

step "4. export back to GQA-LUT JSON"
"$LF" export --to gqa "$OUT/gelu_gqa.json" -o "$OUT/gelu_gqa_export.json"
echo "wrote $OUT/gelu_gqa_export.json"

printf '\nNot built yet, so not run: search, sim, cost, gen, verify, synth, pareto.\n'
printf 'Outputs are in %s\n' "$OUT"
