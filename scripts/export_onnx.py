"""Exports a corpus model (safetensors state dict + norm.json) to ONNX as a user would:
`torch.onnx.export` of `nn.GRU` + `nn.Linear` with the standardization in the forward pass.

    python3 scripts/export_onnx.py crates/gru/tests/corpus/torch_vowels_h32

writes model.onnx beside the state dict (TorchScript exporter, batch-first input of any batch
size and length).

    python3 scripts/export_onnx.py --two-layers crates/gru/tests/corpus/onnx_two_layers

writes the two-layer fixture (MatMul + Add head, folded affine input) with PyTorch's logits.
"""

import json
import sys

import torch
from safetensors.torch import load_file


class Net(torch.nn.Module):
    def __init__(self, state, mean, std):
        super().__init__()
        hidden, inputs = state["gru.weight_hh_l0"].shape[1], state["gru.weight_ih_l0"].shape[1]
        layers = sum(1 for k in state if k.startswith("gru.weight_ih_l"))
        self.gru = torch.nn.GRU(inputs, hidden, num_layers=layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden, state["fc.weight"].shape[0])
        self.load_state_dict(state)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        _, h = self.gru((x - self.mean) / self.std)
        return self.fc(h[-1])


def main(directory):
    state = load_file(f"{directory}/model.safetensors")
    with open(f"{directory}/norm.json") as f:
        norm = json.load(f)
    net = Net(state, torch.tensor(norm["mean"]), torch.tensor(norm["std"])).eval()
    x = torch.zeros(1, 8, net.gru.input_size)
    torch.onnx.export(
        net,
        (x,),
        f"{directory}/model.onnx",
        dynamo=False,
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {0: "batch", 1: "steps"}},
    )




class TwoLayers(torch.nn.Module):
    """A stacked GRU whose head is applied to a 3-D state: exported as MatMul + Add."""

    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(3, 5, num_layers=2)
        self.fc = torch.nn.Linear(5, 2)

    def forward(self, x):
        _, h = self.gru(x * 0.5 + 1.0)
        return self.fc(h[-1:])[0]


def two_layers(directory):
    """The fixture of a two-layer, sequence-first GRU with a MatMul + Add head and a folded
    affine standardization, and PyTorch's logits on fixed inputs."""
    import os

    torch.manual_seed(7)
    net = TwoLayers().eval()
    x = torch.randn(6, 4, 3)
    with torch.no_grad():
        logits = net(x)
    os.makedirs(directory, exist_ok=True)
    torch.onnx.export(
        net,
        (x,),
        f"{directory}/model.onnx",
        dynamo=False,
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {0: "steps", 1: "batch"}},
    )
    with open(f"{directory}/expected.json", "w") as f:
        json.dump(
            {"inputs": x.permute(1, 0, 2).tolist(), "logits": logits.tolist()}, f, indent=1
        )
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1] == "--two-layers":
        two_layers(sys.argv[2])
    else:
        main(sys.argv[1])
