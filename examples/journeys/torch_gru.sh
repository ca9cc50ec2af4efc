#!/bin/sh
# My PyTorch nn.GRU(12, 32) + Linear(32, 9), trained on JapaneseVowels, as the smallest GRU
# accelerator within a point of its 8-bit model. The model is a safetensors file of the
# module's state_dict with the mean and std its inputs were standardized with (norm.json);
# scripts/make_torch_models.py made this one.
# Run from the repository's root with lutforge on the PATH; it writes into the current directory.
set -eu
M=${1:-crates/gru/tests/corpus/torch_vowels_h32}

# Into lutforge's model file, with the inputs' normalization; float and 8-bit accuracy.
lutforge gru import "$M/model.safetensors" --task vowels --norm "$M/norm.json" -o torch.json
lutforge gru eval torch.json --homogeneous 8

# Per-operator widths by NSGA-II over error, model size and energy, chosen on search data
# (never the test split); the summary names the recommended member and compares it with the
# 8-bit model on the test split, paired. (--cell-lanes 4 prices every genome as its GRU cell
# instead: closer to the silicon, ten times slower.)
lutforge gru pareto --task vowels --model torch.json -o front.json --plot front.svg --csv front.csv

# The recommended member as a GRU cell of 4 MAC lanes, checked and priced.
lutforge gru gen front.json --lanes 4 -o cell/
lutforge gru verify cell/
lutforge gru synth cell/
lutforge gru cost cell/
