"""The unit Pareto front's energy objective re-checked at gate level (docs/results.md,
"Gate-level power"): `lutforge pareto --function gelu` with its defaults, five members spread
evenly over the front's energy range, each generated (`lutforge gen`, its own input scale) and
measured with `lutforge synth DIR --power --json`. Prints each member's energy by the front
(its own reference inputs), by the cost model on the testbench's stimulus and at gate level,
and Kendall's tau between the rankings.

    python3 scripts/power_rank.py [path/to/lutforge]
"""

import json
import os
import sys
import tempfile
from itertools import combinations

from power_goals import run


def tau(a, b):
    """Kendall's tau-a of two equally long sequences (no ties expected)."""
    s = 0
    for i, j in combinations(range(len(a)), 2):
        x = (a[i] - a[j]) * (b[i] - b[j])
        s += (x > 0) - (x < 0)
    return s / (len(a) * (len(a) - 1) / 2)


def main(lf):
    d = tempfile.mkdtemp(prefix="lutforge-rank-")
    front = os.path.join(d, "front.json")
    tables = os.path.join(d, "T")
    run(lf, "pareto", "--function", "gelu", "-q", "-o", front, "--tables", tables)
    doc = json.load(open(front))
    members = sorted(
        range(len(doc["members"])), key=lambda i: doc["members"][i]["score"]["energy_pj"]
    )
    picks = [members[round(k * (len(members) - 1) / 4)] for k in range(5)]
    rows = []
    print(
        "| member | segments, input bits | front energy pJ | cost model pJ/sample "
        "| gate level pJ/sample (data path) |"
    )
    print("|---|---|---|---|---|")
    for i in picks:
        m = doc["members"][i]
        t = os.path.join(tables, doc["tables"][i][0])
        frac = m["score"]["per_function"][0]["input_frac"]
        out = os.path.join(d, f"m{i}")
        run(lf, "gen", t, "--scale", str(frac), "-o", out)
        j = json.loads(run(lf, "synth", out, "--power", "--json"))
        row = (
            m["score"]["energy_pj"],
            j["per_sample"]["cost_model_pj"],
            j["per_sample"]["gate_level_pj"],
            j["per_sample"]["gate_level_datapath_pj"],
        )
        rows.append(row)
        des = m["design"]
        print(
            f"| {i} | {des['segments']}, {des['input_bits']} | {row[0]:.3f} | {row[1]:.3f} "
            f"| {row[2]:.3f} ({row[3]:.3f}) |"
        )
    cols = list(zip(*rows))
    print()
    print(f"Kendall tau, front energy vs gate level: {tau(cols[0], cols[2]):.2f}")
    print(f"Kendall tau, cost model vs gate level (same stimulus): {tau(cols[1], cols[2]):.2f}")
    print(f"Kendall tau, cost model vs gate-level data path: {tau(cols[1], cols[3]):.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/lutforge")
