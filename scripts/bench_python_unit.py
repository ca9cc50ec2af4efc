"""The unit from Python against the float PWL a PyTorch user writes by hand, one thread each,
in one run (docs/results.md, "Python").

lutforge: `Table.unit(4)` of an 8-segment exact GELU table (INT8, scale 4) on 10^7 random
int64 codes — the golden model's outputs, streamed through the simulator's unit with the GIL
released. PyTorch: the same table's real breakpoints, slopes and intercepts applied with
`torch.bucketize` + gather + multiply-add on the same values as float32. Best of 5 runs each;
then the cost of one call on 256 codes (best of 2000).

    python3 scripts/bench_python_unit.py
"""

import json
import time

import lutforge
import numpy as np
import torch


def best(f, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    torch.set_num_threads(1)
    table = lutforge.search("gelu", 8, method="exact", scales=range(4, 5))
    unit = table.unit(4)
    doc = json.loads(table.to_json())
    s = doc["scales"][0]
    bp = torch.tensor([b / 16 for b in s["breakpoints"]], dtype=torch.float32)
    k = torch.tensor([v / 2 ** doc["slope"]["frac"] for v in s["slopes"]], dtype=torch.float32)
    b = torch.tensor([v / 2 ** doc["intercept"]["frac"] for v in s["intercepts"]])
    b = b.to(torch.float32)
    rng = np.random.default_rng(1)
    codes = rng.integers(-128, 128, 10**7, dtype=np.int64)
    x = torch.from_numpy(codes / 16.0).to(torch.float32)

    def pwl():
        seg = torch.bucketize(x, bp, right=True)
        return k[seg] * x + b[seg]

    t_lf = best(lambda: unit(codes), 5)
    t_pt = best(pwl, 5)
    print(
        f"lutforge unit (bit-exact INT8): {t_lf * 1e3:.1f} ms for 10^7 codes "
        f"({1e7 / t_lf / 1e6:.0f} M codes/s)"
    )
    print(
        f"PyTorch {torch.__version__} float PWL (bucketize + gather + mul-add): "
        f"{t_pt * 1e3:.1f} ms ({1e7 / t_pt / 1e6:.0f} M values/s); lutforge/PyTorch time "
        f"{t_lf / t_pt:.2f}"
    )
    small = np.arange(-128, 128, dtype=np.int64)
    per_call = best(lambda: unit(small), 2000)
    print(f"one call on 256 codes: {per_call * 1e6:.1f} us")


if __name__ == "__main__":
    main()
