"""Shared helpers: the command line run in-process (`lutforge._lutforge.run`), and tables."""

from __future__ import annotations

import os

import lutforge
import numpy as np
import pytest
from lutforge import _lutforge


def sim_outputs(table_path: str, words: list[str], scale: int, *extra: str) -> list[str]:
    """`lutforge sim TABLE --input FILE --trace T`: the out_data of every valid output cycle,
    as the trace's hex words."""
    d = os.path.dirname(table_path)
    inp, trace = os.path.join(d, "in.txt"), os.path.join(d, "trace.txt")
    with open(inp, "w") as f:
        f.write("\n".join(words) + "\n")
    _lutforge.run(
        ["sim", table_path, "--scale", str(scale), "--input", inp, "--trace", trace, *extra]
    )
    out = []
    with open(trace) as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.split()
            if cols[4] == "1" and cols[5] == "1":
                out.append(cols[6])
    return out


def signed(hex_word: str, bits: int) -> int:
    v = int(hex_word, 16)
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


@pytest.fixture(scope="session")
def gelu8(tmp_path_factory: pytest.TempPathFactory) -> tuple[lutforge.Table, str]:
    t = lutforge.search("gelu", 8, method="exact", scales=range(4, 5))
    path = str(tmp_path_factory.mktemp("gelu") / "gelu8.json")
    t.save(path)
    return t, path


@pytest.fixture(scope="session")
def affine_gelu(tmp_path_factory: pytest.TempPathFactory) -> tuple[lutforge.Table, str]:
    t = lutforge.search(
        "gelu",
        8,
        method="exact",
        input_scale=0.0235,
        input_zero_point=3,
        output_scale=0.0119,
        output_zero_point=-60,
    )
    path = str(tmp_path_factory.mktemp("affine") / "affine.json")
    t.save(path)
    return t, path


def all_codes(bits: int) -> np.ndarray:
    return np.arange(-(1 << (bits - 1)), 1 << (bits - 1), dtype=np.int64)
