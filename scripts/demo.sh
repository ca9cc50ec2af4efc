#!/bin/sh
# The end-to-end demo behind `make run`: GELU in INT8, from search to synthesized Verilog.
set -eu
LF=${1:-target/release/lutforge}
OUT=${2:-out/demo}
mkdir -p "$OUT"

step() { printf '\n== %s ==\n' "$*"; }

step "1. search: 8-segment GELU, input scales 0..6, quantization-aware GA (seed 1)"
"$LF" search --function gelu --segments 8 --scales 0..6 --seed 1 --quiet -o "$OUT/gelu.json"
"$LF" eval "$OUT/gelu.json"

step "2. the published method (GQA-LUT genetic algorithm) and the exact optimum, same formats"
"$LF" search --function gelu --segments 8 --scales 0..6 --method gqa --seed 1 --quiet -o "$OUT/gelu_gqa.json"
"$LF" search --function gelu --segments 8 --scales 0..6 --method exact --quiet -o "$OUT/gelu_exact.json"
for m in gqa exact; do
  echo "-- $m"; "$LF" eval "$OUT/gelu_$m.json" 2>/dev/null
done
"$LF" plot "$OUT/gelu.json" --scale 4 -o "$OUT/gelu_scale4.svg"
echo "plot: $OUT/gelu_scale4.svg"

step "2b. an error bound instead of K: the fewest segments for a correctly rounded GELU (proven minimax)"
"$LF" search --function gelu --scales 0..6 --method exact --max-err-lsb 0.5 --quiet -o "$OUT/gelu_rounded.json"
"$LF" eval "$OUT/gelu_rounded.json"

step "3. simulate the INT8 unit cycle by cycle (scale 4, 10000 samples, 20% output stalls), with waveforms"
"$LF" sim "$OUT/gelu.json" --scale 4 --samples 10000 --stall-prob 0.2 --vcd "$OUT/gelu_scale4.vcd"
echo "waveform: $OUT/gelu_scale4.vcd (open with gtkwave or surfer)"

step "4. area and power: INT8 against INT16, INT32 and FP32"
"$LF" cost "$OUT/gelu.json" --scale 4 --format all

step "5. generate Verilog with a self-checking testbench"
"$LF" gen "$OUT/gelu.json" --scale 4 --force -o "$OUT/rtl"

step "6. verify the RTL against the simulator with Verilator, every scale (and the testbench under Icarus)"
"$LF" verify "$OUT/gelu.json" --random 1000

step "7. synthesize with Yosys"
"$LF" synth "$OUT/rtl"

step "8. mixed-precision bit widths: NSGA-II Pareto front of error vs area vs energy (short run)"
"$LF" pareto --function gelu --segments 4..8 --input-bits 6..8 --generations 12 --population 24 \
  --seed 1 -o "$OUT/gelu_front.json" --plot "$OUT/gelu_front.svg" --csv "$OUT/gelu_front.csv" \
  --tables "$OUT/front_tables"
echo "front: $OUT/gelu_front.json, plot: $OUT/gelu_front.svg, one table per member in $OUT/front_tables"

step "8b. one programmable unit for GELU and exp: a two-function front, its first member generated and verified per function"
"$LF" pareto --function gelu,exp --segments 4..8 --input-bits 6..8 --generations 8 --population 16 \
  --seed 1 --quiet -o "$OUT/gelu_exp_front.json" --tables "$OUT/gelu_exp_tables"
"$LF" gen "$OUT/gelu_exp_tables/member-000-gelu.json" "$OUT/gelu_exp_tables/member-000-exp.json" \
  --force -o "$OUT/rtl_shared"
"$LF" verify "$OUT/rtl_shared" --random 500

step "9. a mixed-precision GRU: train on JapaneseVowels, the 8-bit integer model, a short bit-width search"
"$LF" gru train --task vowels --seed 1 -o "$OUT/vowels_gru.json"
"$LF" gru eval "$OUT/vowels_gru.json" --homogeneous 8
"$LF" gru pareto --task vowels --model "$OUT/vowels_gru.json" --population 24 --generations 10 \
  --seed 1 -o "$OUT/vowels_front.json" --plot "$OUT/vowels_front.svg" --csv "$OUT/vowels_front.csv"
echo "front: $OUT/vowels_front.json, plot: $OUT/vowels_front.svg"

step "10. the front's recommended member (chosen on the search data) as a GRU cell: Verilog, verified over the test split, synthesized"
"$LF" gru gen "$OUT/vowels_front.json" --lanes 4 --name vowels_cell -o "$OUT/gru_cell"
"$LF" gru verify "$OUT/gru_cell"
"$LF" gru sim "$OUT/gru_cell"
"$LF" gru cost "$OUT/gru_cell"
"$LF" gru synth "$OUT/gru_cell" | tail -n 2

printf '\nOutputs are in %s\n' "$OUT"
