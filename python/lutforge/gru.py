"""Mixed-precision GRUs from Python: a PyTorch `nn.GRU` + `nn.Linear` (or an ONNX export, or a
`lutforge-gru/1` file) as lutforge's model, its integer model for any genome, and the Pareto
search over bit widths — each through the crates' own code (`gru import`, `gru pareto`), so a
front from Python is byte for byte the front the command line writes with the same arguments.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

from . import Front, _flags, _lutforge, _run_search
from ._lutforge import Error, IntModel

__all__ = ["Model", "IntModel", "Front", "pareto"]


class Model:
    """A float GRU with its head and input standardization, for a task (`lutforge-gru/1`)."""

    def __init__(self, inner: _lutforge.Model) -> None:
        self._m = inner

    # Reading and writing.
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        return cls(_lutforge.Model.load(os.fspath(path)))

    @classmethod
    def from_json(cls, text: str) -> Model:
        return cls(_lutforge.Model.from_json(text))

    def to_json(self) -> str:
        return self._m.to_json()

    def save(self, path: str | os.PathLike[str]) -> None:
        self._m.save(os.fspath(path))

    # From PyTorch and ONNX, through `lutforge gru import`.
    @classmethod
    def from_state_dict(
        cls,
        state: dict[str, Any],
        *,
        task: str,
        head: str = "fc",
        norm: Any = None,
    ) -> Model:
        """A state dict of `nn.GRU` (`weight_ih_l0`, …, with or without a module prefix) and
        its head (`HEAD.weight`, `HEAD.bias`). `norm`: None (inputs as they are), "fit"
        (standardize over the task's training split), or the (mean, std) the model was trained
        with (x' = (x − mean) / std)."""
        tensors = []
        for name, t in state.items():
            a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
            a = np.ascontiguousarray(a, dtype=np.float32)
            tensors.append((name, list(a.shape), a.ravel().tolist()))
        with tempfile.TemporaryDirectory(prefix="lutforge-") as d:
            st = os.path.join(d, "model.safetensors")
            out = os.path.join(d, "model.json")
            _lutforge.write_safetensors(st, tensors)
            argv = ["gru", "import", st, "--task", task, "--head", head, "-q", "-o", out]
            argv += _norm_flags(norm, d)
            _lutforge.run(argv)
            return cls.load(out)

    @classmethod
    def from_torch(cls, gru: Any, fc: Any, *, task: str, norm: Any = None) -> Model:
        """`nn.GRU` + `nn.Linear` (the head on the last layer's final state, h[-1])."""
        import torch

        if not isinstance(gru, torch.nn.GRU):
            raise Error(f"gru: a torch.nn.GRU is needed, not {type(gru).__name__}")
        if not isinstance(fc, torch.nn.Linear):
            raise Error(f"fc: a torch.nn.Linear is needed, not {type(fc).__name__}")
        if gru.bidirectional:
            raise Error("gru: a bidirectional GRU; lutforge runs forward GRUs")
        for name, p in [*gru.named_parameters(), *fc.named_parameters()]:
            if p.device.type != "cpu":
                raise Error(f"{name} is on {p.device}; move the model to the CPU (.cpu())")
        if fc.in_features != gru.hidden_size:
            raise Error(
                f"fc takes {fc.in_features} inputs; the GRU has {gru.hidden_size} hidden units"
            )
        state: dict[str, Any] = {}
        h = gru.hidden_size
        for k in range(gru.num_layers):
            for kind in ("ih", "hh"):
                state[f"weight_{kind}_l{k}"] = getattr(gru, f"weight_{kind}_l{k}")
                bias = getattr(gru, f"bias_{kind}_l{k}", None)
                state[f"bias_{kind}_l{k}"] = bias if bias is not None else np.zeros(3 * h)
        state["fc.weight"] = fc.weight
        state["fc.bias"] = fc.bias if fc.bias is not None else np.zeros(fc.out_features)
        return cls.from_state_dict(state, task=task, norm=norm)

    @classmethod
    def from_onnx(cls, path: str | os.PathLike[str], *, task: str) -> Model:
        """An ONNX export of `nn.GRU` + `nn.Linear` (its standardization, if the graph has
        one, becomes the model's), as `lutforge gru import model.onnx`."""
        with tempfile.TemporaryDirectory(prefix="lutforge-") as d:
            out = os.path.join(d, "model.json")
            _lutforge.run(["gru", "import", os.fspath(path), "--task", task, "-q", "-o", out])
            return cls.load(out)

    # What the model is and computes.
    @property
    def task(self) -> str:
        return self._m.task

    @property
    def classes(self) -> list[str]:
        return self._m.classes

    @property
    def shape(self) -> dict[str, int]:
        return self._m.shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The float model's outputs for one sequence of shape (steps, features)."""
        return self._m.forward(np.ascontiguousarray(x, dtype=np.float64))

    def data(self, split: str) -> list[tuple[np.ndarray, Any]]:
        """The task's sequences of a split ("train", "val", "test") with their labels."""
        return self._m.data(split)

    def quantize(
        self, genome: str, *, calibration: str = "mse", weight_scales: str = "tensor"
    ) -> IntModel:
        """The integer model of a genome ("int8", "all=4,h=8", or every gene in order),
        calibrated on the training split as `gru eval --bits` does."""
        return self._m.quantize(genome, calibration=calibration, weight_scales=weight_scales)

    def __repr__(self) -> str:
        return repr(self._m)


def _norm_flags(norm: Any, d: str) -> list[str]:
    if norm is None:
        return []
    if isinstance(norm, str):
        if norm != "fit":
            raise Error(f"norm '{norm}': None, 'fit' or (mean, std)")
        return ["--normalize"]
    if isinstance(norm, dict):
        mean, std = norm["mean"], norm["std"]
    else:
        mean, std = norm
    path = os.path.join(d, "norm.json")
    with open(path, "w") as f:
        json.dump(
            {
                "mean": [float(v) for v in np.asarray(mean).ravel()],
                "std": [float(v) for v in np.asarray(std).ravel()],
            },
            f,
        )
    return ["--norm", path]


def pareto(
    model: Model | str | os.PathLike[str] | None = None,
    *,
    task: str,
    client: Any = None,
    batch: int | None = None,
    map: Callable[[list[list[int]]], list[tuple[list[float], float]]] | None = None,
    **options: Any,
) -> Front:
    """The bit-width Pareto front of `model` on `task`, as `lutforge gru pareto --task TASK
    --model MODEL` with every other option a keyword (`seed=1`, `population=48`,
    `generations=40`, `bits=range(2, 9)`, `search_data="held_out.npz"`, …). Without a model the
    command trains one with the task's defaults.

    `client`: a Dask client; each generation's evaluations run as tasks on its workers,
    `batch` genomes per task (default: two tasks per worker). `map`: any callable taking a
    generation's genomes and returning their evaluations in order (what `client` builds). The
    front is the same bytes either way."""
    with tempfile.TemporaryDirectory(prefix="lutforge-") as d:
        out = os.path.join(d, "front.json")
        argv = ["gru", "pareto", "--task", task, "-q", "-o", out]
        model_json = None
        if isinstance(model, Model):
            path = os.path.join(d, "model.json")
            model.save(path)
            argv += ["--model", path]
            model_json = model.to_json()
        elif model is not None:
            argv += ["--model", os.fspath(model)]
            with open(model) as f:
                model_json = f.read()
        return _run_search(argv + _flags(options), out, client, map, batch, model_json)
