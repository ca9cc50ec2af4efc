"""PyTorch: `LutActivation` is the unit in the forward pass and the documented derivative in
the backward pass; a GRU trained in PyTorch, taken with `from_torch` or through an ONNX export,
computes PyTorch's logits; its integer model and its front are the command line's."""

from __future__ import annotations

import bisect
import json
import os

import lutforge
import numpy as np
import pytest
import torch
from conftest import all_codes, signed, sim_outputs
from lutforge import _lutforge
from lutforge.gru import Model, pareto
from lutforge.torch import LutActivation


def test_lut_activation_forward_is_the_unit_and_backward_the_segment_slope(gelu8):
    t, path = gelu8
    act = LutActivation(t, 4)
    codes = all_codes(8)
    # Every input code's real value, and values between codes and beyond the input's range.
    x = torch.tensor(np.concatenate([codes / 16.0, np.linspace(-9.3, 9.3, 57)]), requires_grad=True)
    y = act(x)
    want = [signed(h, 8) / 16.0 for h in sim_outputs(path, [str(c) for c in codes], 4)]
    assert y[: len(codes)].tolist() == want
    y.sum().backward()
    # The documented derivative, computed here from the table file: the slope (2^-6 units) of
    # the segment of the rounded code, 0 where the code saturates.
    scale = json.loads(t.to_json())
    s = scale["scales"][0]
    frac_k = scale["slope"]["frac"]
    for xv, g in zip(x.detach().tolist(), x.grad.tolist()):
        c = int(np.floor(abs(xv) * 16 + 0.5)) * (1 if xv >= 0 else -1)
        k = s["slopes"][bisect.bisect_right(s["breakpoints"], c)] / 2**frac_k
        assert g == (k if -128 <= c <= 127 else 0.0), (xv, c)


def test_lut_activation_trains_inside_a_model(gelu8):
    t, _ = gelu8
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), LutActivation(t, 4), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    x = torch.randn(64, 4)
    target = x.sum(1, keepdim=True).abs()
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), target)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.5 * first


class Net(torch.nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.gru = torch.nn.GRU(12, 16, batch_first=True)
        self.fc = torch.nn.Linear(16, 9)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.gru((x - self.mean) / self.std)
        return self.fc(h[-1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A GRU trained by PyTorch for a few epochs on JapaneseVowels (the task's data as lutforge
    reads it), with its standardization."""
    skeleton = Model.from_torch(torch.nn.GRU(12, 16), torch.nn.Linear(16, 9), task="vowels")
    train = skeleton.data("train")
    steps = np.concatenate([x for x, _ in train])
    mean, std = steps.mean(0), steps.std(0)
    torch.manual_seed(1)
    net = Net(torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(3):
        for x, y in train:
            opt.zero_grad()
            out = net(torch.tensor(x, dtype=torch.float32)[None])
            torch.nn.functional.cross_entropy(out, torch.tensor([y])).backward()
            opt.step()
    return net.eval(), (mean, std), skeleton.data("test")


def test_from_torch_gives_pytorchs_logits(trained):
    net, norm, test = trained
    m = Model.from_torch(net.gru, net.fc, task="vowels", norm=norm)
    assert m.shape == {"input": 12, "hidden": 16, "layers": 1, "outputs": 9}
    with torch.no_grad():
        for x, _ in test[:40]:
            want = net(torch.tensor(x, dtype=torch.float32)[None])[0].double().numpy()
            np.testing.assert_allclose(m.forward(x), want, atol=1e-5, rtol=0)


@pytest.mark.parametrize("dynamo", [False, True])
def test_an_onnx_export_gives_pytorchs_logits(trained, tmp_path, dynamo):
    """Both exporters: TorchScript's (weights inside), and torch.export's, the default since
    PyTorch 2.9 (weights in a file beside the model)."""
    net, _, test = trained
    path = os.fspath(tmp_path / "net.onnx")
    if dynamo:
        torch.onnx.export(net, (torch.zeros(1, 5, 12),), path)
    else:
        torch.onnx.export(
            net,
            (torch.zeros(1, 5, 12),),
            path,
            dynamo=False,
            input_names=["x"],
            output_names=["logits"],
            dynamic_axes={"x": {0: "b", 1: "t"}},
        )
    m = Model.from_onnx(path, task="vowels")
    with torch.no_grad():
        for x, _ in test[:40]:
            want = net(torch.tensor(x, dtype=torch.float32)[None])[0].double().numpy()
            np.testing.assert_allclose(m.forward(x), want, atol=1e-5, rtol=0)


def test_integer_model_scores_as_gru_eval(trained, tmp_path, capfd):
    net, norm, test = trained
    m = Model.from_torch(net.gru, net.fc, task="vowels", norm=norm)
    path = os.fspath(tmp_path / "m.json")
    m.save(path)
    q = m.quantize("int6")
    capfd.readouterr()
    _lutforge.run(["gru", "eval", path, "--homogeneous", "6", "--json"])
    doc = json.loads(capfd.readouterr().out)
    assert q.score("test") == doc["integer"]["scores"]["test"]["value"]
    assert q.size_bits == doc["integer"]["size_bits"]
    codes = q.outputs(test[0][0])
    assert codes.dtype == np.int64 and codes.shape == (9,)


def test_pareto_from_python_is_the_commands_front(trained, tmp_path):
    net, norm, _ = trained
    m = Model.from_torch(net.gru, net.fc, task="vowels", norm=norm)
    path = os.fspath(tmp_path / "m.json")
    m.save(path)
    out = os.fspath(tmp_path / "front.json")
    opts = ["--population", "8", "--generations", "2", "--finetune", "0", "--seed", "5"]
    _lutforge.run(["gru", "pareto", "--task", "vowels", "--model", path, "-q", "-o", out, *opts])
    front = pareto(path, task="vowels", population=8, generations=2, finetune=0, seed=5)
    with open(out) as f:
        assert front.to_json() == f.read()
    assert front.members and front.doc["format"] == "lutforge-gru-front/2"
    # An in-memory model: the same front; only the model's file name differs.
    mem = pareto(m, task="vowels", population=8, generations=2, finetune=0, seed=5)
    assert mem.members == front.members and mem.saving == front.saving


def test_bad_torch_input_raises():
    with pytest.raises(lutforge.Error, match="torch.nn.GRU"):
        Model.from_torch(torch.nn.LSTM(12, 4), torch.nn.Linear(4, 9), task="vowels")
    with pytest.raises(lutforge.Error, match="bidirectional"):
        Model.from_torch(
            torch.nn.GRU(12, 4, bidirectional=True), torch.nn.Linear(8, 9), task="vowels"
        )
    with pytest.raises(lutforge.Error, match="fc takes 5 inputs"):
        Model.from_torch(torch.nn.GRU(12, 4), torch.nn.Linear(5, 9), task="vowels")
    with pytest.raises(lutforge.Error, match="12 features"):
        Model.from_torch(torch.nn.GRU(12, 4), torch.nn.Linear(4, 9), task="fsdd")
    with pytest.raises(ValueError):
        Model.from_onnx(__file__, task="vowels")
