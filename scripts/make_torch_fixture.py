"""Regenerates crates/gru/tests/corpus/torch_vowels: a small nn.GRU trained by PyTorch on the
vowels task, its state dict as safetensors, and what PyTorch computes with it on the test
split (accuracy, and the logits of the first sequences), so that `lutforge gru import` and
`gru eval` are checked against PyTorch itself.

Needs torch and safetensors (not used by the build or the tests):
    python3 scripts/make_torch_fixture.py ~/.cache/lutforge/data/sktime-1.2.0-py3-none-any.whl
"""

import json
import sys
import zipfile

import torch
from safetensors.torch import save_file
from ts_file import read_ts

OUT = "crates/gru/tests/corpus/torch_vowels"


def main(wheel):
    z = zipfile.ZipFile(wheel)
    base = "sktime/datasets/data/JapaneseVowels/JapaneseVowels_"
    train, _ = read_ts(z.read(base + "TRAIN.ts").decode())
    test, _ = read_ts(z.read(base + "TEST.ts").decode())
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(12, 8, batch_first=True)
            self.fc = torch.nn.Linear(8, 9)

        def forward(self, x):
            _, h = self.gru(x)
            return self.fc(h[-1])

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    for _ in range(40):
        for steps, y in train:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(torch.tensor([steps])), torch.tensor([y]))
            loss.backward()
            opt.step()
    with torch.no_grad():
        logits = [net(torch.tensor([s]))[0] for s, _ in test]
    correct = sum(int(row.argmax()) == y for row, (_, y) in zip(logits, test))
    state = {k: v.contiguous() for k, v in net.state_dict().items()}
    # nn.GRU inside a module: names `gru.weight_ih_l0`, …, and the head `fc.*`.
    save_file(state, f"{OUT}/model.safetensors")
    with open(f"{OUT}/expected.json", "w") as f:
        json.dump(
            {
                "torch": torch.__version__,
                "test_sequences": len(test),
                "test_correct": correct,
                "first_logits": [row.tolist() for row in logits[:8]],
            },
            f,
            indent=1,
        )
        f.write("\n")
    print(f"test accuracy {correct}/{len(test)}")


if __name__ == "__main__":
    main(sys.argv[1])
