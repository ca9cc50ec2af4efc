#!/bin/sh
# GELU for an INT8 transformer, into my design. The activations are quantized as PyTorch gives
# them: input scale 0.0235, zero point 3; output scale 0.0119, zero point -60 (signed 8-bit
# codes). Which unit is smallest for a faithful GELU of those codes, as checked Verilog?
# Run from the repository's root with lutforge on the PATH; it writes into the current directory.
set -eu
Q="--input-scale 0.0235 --input-zero-point 3 --output-scale 0.0119 --output-zero-point -60"

# Every architecture that is faithful (below 1 output LSB) for these codes, side by side.
lutforge explore --function gelu $Q --max-err-lsb 0.99

# The fewest-segment PWL table of codes, proven; its errors are in output codes.
lutforge search --function gelu $Q --method exact --max-err-lsb 0.99 -o gelu_q.json
lutforge eval gelu_q.json

# The PWL unit (gen names the smaller direct table when there is one) and the direct table.
lutforge gen gelu_q.json -o gelu_pwl/
lutforge gen gelu_q.json --arch rom --fixed -o gelu_rom/

# Both checked against the simulator under Verilator and Icarus, and synthesized.
lutforge verify gelu_pwl/
lutforge verify gelu_rom/
lutforge synth gelu_rom/
