"""Regenerates crates/gru/tests/corpus/torch_vowels_h32 and torch_motions_h16: GRUs trained by
PyTorch as a practitioner would (inputs standardized with the training split's mean and
standard deviation, Gaussian input noise, AdamW, a cosine learning-rate decay, gradient
clipping), each saved as a safetensors state dict with its normalization (norm.json) and what
PyTorch computes with it on the test split (expected.json). They are the imported models of
the mixed-precision protocol in docs/results.md: models trained elsewhere, whose search data
is only what they were trained on.

Needs torch and safetensors (not used by the build or the tests):
    python3 scripts/make_torch_models.py ~/.cache/lutforge/data/sktime-1.2.0-py3-none-any.whl
"""

import json
import math
import random
import sys
import zipfile

import torch
from safetensors.torch import save_file
from ts_file import read_ts

CORPUS = "crates/gru/tests/corpus"

# name, archive directory, hidden units, epochs, batch, learning rate
MODELS = [
    ("torch_vowels_h32", "JapaneseVowels", 32, 100, 16, 0.01),
    ("torch_motions_h16", "BasicMotions", 16, 100, 8, 0.005),
]


class Net(torch.nn.Module):
    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.gru = torch.nn.GRU(inputs, hidden, batch_first=True)
        self.fc = torch.nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        _, h = self.gru(packed)
        return self.fc(h[-1])


def batch(items, mean, std):
    xs = [(torch.tensor(s, dtype=torch.float32) - mean) / std for s, _ in items]
    lengths = torch.tensor([len(s) for s, _ in items])
    x = torch.nn.utils.rnn.pad_sequence(xs, batch_first=True)
    y = torch.tensor([c for _, c in items])
    return x, lengths, y


def train_one(z, name, directory, hidden, epochs, bsize, lr):
    base = f"sktime/datasets/data/{directory}/{directory}_"
    train, classes = read_ts(z.read(base + "TRAIN.ts").decode())
    test, _ = read_ts(z.read(base + "TEST.ts").decode())
    torch.manual_seed(1)
    random.seed(1)
    steps = torch.tensor([st for s, _ in train for st in s], dtype=torch.float64)
    mean, std = steps.mean(0), steps.std(0, unbiased=False)
    std[std < 1e-12] = 1.0
    m32, s32 = mean.float(), std.float()
    net = Net(len(train[0][0][0]), hidden, len(classes))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    total = epochs * math.ceil(len(train) / bsize)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / total))
    )
    for _ in range(epochs):
        order = list(range(len(train)))
        random.shuffle(order)
        for i in range(0, len(order), bsize):
            x, lengths, y = batch([train[j] for j in order[i : i + bsize]], m32, s32)
            x = x + 0.2 * torch.randn_like(x)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x, lengths), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
    net.eval()
    with torch.no_grad():
        x, lengths, y = batch(test, m32, s32)
        logits = net(x, lengths)
    correct = int((logits.argmax(1) == y).sum())
    out = f"{CORPUS}/{name}"
    import os

    os.makedirs(out, exist_ok=True)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, f"{out}/model.safetensors")
    with open(f"{out}/norm.json", "w") as f:
        json.dump({"mean": mean.tolist(), "std": std.tolist()}, f, indent=1)
        f.write("\n")
    with open(f"{out}/expected.json", "w") as f:
        json.dump(
            {
                "torch": torch.__version__,
                "task": "vowels" if directory == "JapaneseVowels" else "motions",
                "hidden": hidden,
                "test_sequences": len(test),
                "test_correct": correct,
                "first_logits": logits[:8].tolist(),
            },
            f,
            indent=1,
        )
        f.write("\n")
    print(f"{name}: test accuracy {correct}/{len(test)}")


def main(wheel):
    torch.set_num_threads(1)
    z = zipfile.ZipFile(wheel)
    for m in MODELS:
        train_one(z, *m)


if __name__ == "__main__":
    main(sys.argv[1])
