"""The unit from Python equals `lutforge sim --input` on every input code: an integer table,
the same widened to INT16, in FP32, an affine (quantized) table, and the direct table."""

from __future__ import annotations

import json
import os

import lutforge
import numpy as np
import pytest
from conftest import all_codes, signed, sim_outputs


def test_integer_unit_equals_sim_on_every_code(gelu8):
    t, path = gelu8
    u = t.unit(4)
    codes = all_codes(8)
    got = u(codes)
    want = [signed(h, 8) for h in sim_outputs(path, [str(c) for c in codes], 4)]
    assert got.tolist() == want
    assert got.dtype == np.int64


def test_widened_int16_unit_equals_sim(gelu8):
    t, path = gelu8
    u = t.unit(4, format="int16")
    codes = all_codes(8) * 256  # the INT8 codes at the widened scale, and between them
    codes = np.concatenate([codes, codes + 77])
    want = [
        signed(h, 16) for h in sim_outputs(path, [str(c) for c in codes], 4, "--format", "int16")
    ]
    assert u(codes).tolist() == want


def test_fp32_unit_equals_sim(gelu8):
    t, path = gelu8
    u = t.unit(4, format="fp32")
    assert u.arith == "fp32"
    x = np.concatenate([all_codes(8) / 16.0, np.linspace(-9, 9, 101)]).astype(np.float32)
    words = [f"0x{v:08x}" for v in x.view(np.uint32)]
    want = np.array(
        [int(h, 16) for h in sim_outputs(path, words, 4, "--format", "fp32")], np.uint32
    )
    got = u(x)
    assert got.dtype == np.float32
    assert got.view(np.uint32).tolist() == want.tolist()


def test_affine_unit_equals_sim(affine_gelu):
    t, path = affine_gelu
    u = t.unit()
    codes = all_codes(8)
    want = [signed(h, 8) for h in sim_outputs(path, [str(c) for c in codes], 0)]
    assert u(codes).tolist() == want
    # Real values in, real values out: the affine quantization of the table's file.
    q = t.metrics()["quant"]
    x = np.array([0.0, 0.5, -1.0])
    assert u.quantize(x).tolist() == [round(v / q["input"]["scale"]) + 3 for v in x]
    assert u.dequantize(np.array([-60, -50])).tolist() == pytest.approx([0.0, 10 * 0.0119])


def test_direct_table_equals_sim(gelu8):
    t, path = gelu8
    u = t.unit(4, arch="rom")
    codes = all_codes(8)
    want = [signed(h, 8) for h in sim_outputs(path, [str(c) for c in codes], 4, "--arch", "rom")]
    assert u(codes).tolist() == want


def test_shapes_are_kept_and_bad_codes_raise(gelu8):
    t, _ = gelu8
    u = t.unit(4)
    x = np.arange(-12, 12).reshape(2, 3, 4)
    assert u(x).shape == (2, 3, 4)
    assert u(x).ravel().tolist() == u(x.ravel()).tolist()
    with pytest.raises(lutforge.Error, match="does not fit the 8-bit input"):
        u(np.array([0, 128]))
    with pytest.raises(TypeError, match="integer codes"):
        u(np.array([0.5]))
    with pytest.raises(lutforge.Error, match="scale"):
        t.unit(9)


def test_tables_round_trip_and_metrics_are_evals(gelu8, tmp_path, capfd):
    t, path = gelu8
    again = lutforge.Table.load(path)
    assert again.to_json() == t.to_json()
    p = tmp_path / "copy.json"
    t.save(os.fspath(p))
    assert p.read_text() == t.to_json()
    m = t.metrics()
    capfd.readouterr()
    lutforge._lutforge.run(["eval", path, "--json"])
    assert m == json.loads(capfd.readouterr().out)
    assert m["function"] == "gelu" and m["scales"][0]["frac"] == 4
    g = lutforge.Table.from_gqa(t.to_gqa(), function="gelu")
    assert g.unit(4)(all_codes(8)).tolist() == t.unit(4)(all_codes(8)).tolist()


def test_search_is_the_commands_search(tmp_path):
    out = tmp_path / "cli.json"
    lutforge._lutforge.run(
        [
            "search",
            "--function",
            "sigmoid",
            "--segments",
            "4",
            "--seed",
            "3",
            "--generations",
            "20",
            "--scales",
            "2..3",
            "-q",
            "-o",
            os.fspath(out),
        ]
    )
    t = lutforge.search("sigmoid", 4, seed=3, generations=20, scales=range(2, 4))
    assert t.to_json() == out.read_text()


def test_bad_input_raises_the_commands_one_line_message():
    with pytest.raises(lutforge.Error) as e:
        lutforge.search("gelu", 0)
    assert "--segments 0" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ValueError):
        lutforge.Table.from_json("{}")
    with pytest.raises(lutforge.Error, match="nope.json"):
        lutforge.Table.load("nope.json")
