"""Gate-level energy of GRU cells against the cost model (docs/results.md, "Gate-level power"):
three members of a GRU front — the smallest (the narrowest widths), the recommended one (mixed)
and the 8-bit baseline — each generated with `lutforge gru gen` and measured with `lutforge gru
synth DIR --power --json` on its own testbench's sequences. Prints one Markdown row per cell.
With `--rank`, five members spread evenly over the front's energy instead, and Kendall's tau
between the front's energy objective, the cost model on the testbench's sequences and the
gate-level figure.

    python3 scripts/power_gru.py FRONT.json [path/to/lutforge] [--rank]
"""

import json
import os
import sys
import tempfile

from power_rank import run, tau


def rank(front, lf):
    doc = json.load(open(front))
    order = sorted(range(len(doc["members"])), key=lambda i: doc["members"][i]["energy_pj"])
    picks = [order[round(k * (len(order) - 1) / 4)] for k in range(5)]
    d = tempfile.mkdtemp(prefix="lutforge-gru-rank-")
    rows = []
    print(
        "| member | size (bits) | front energy pJ | cost model pJ/inference "
        "| gate level pJ/inference |"
    )
    print("|---|---|---|---|---|")
    for i in picks:
        out = os.path.join(d, f"m{i}")
        run(lf, "gru", "gen", front, "--member", str(i), "-o", out)
        j = json.loads(run(lf, "gru", "synth", out, "--power", "--json"))
        m = doc["members"][i]
        row = (
            m["energy_pj"],
            j["per_inference"]["cost_model_pj"],
            j["per_inference"]["gate_level_pj"],
        )
        rows.append(row)
        print(f"| {i} | {m['size_bits']} | {row[0]:.0f} | {row[1]:.0f} | {row[2]:.0f} |")
    cols = list(zip(*rows))
    print()
    print(f"Kendall tau, front energy vs gate level: {tau(cols[0], cols[2]):.2f}")
    print(f"Kendall tau, cost model vs gate level (same sequences): {tau(cols[1], cols[2]):.2f}")


def main(front, lf):
    doc = json.load(open(front))
    sizes = [m["size_bits"] for m in doc["members"]]
    smallest = min(range(len(sizes)), key=lambda i: sizes[i])
    d = tempfile.mkdtemp(prefix="lutforge-gru-power-")
    print(
        "| cell | genome | gate level pJ/inference (data path + clock) "
        "| cost model pJ/inference at 1.10 V (data path + clock) | ratio | data path | clock | s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, member in [("smallest", str(smallest)), ("recommended", None), ("int8", "int8")]:
        out = os.path.join(d, label)
        args = ["gru", "gen", front, "-o", out]
        if member is not None:
            args += ["--member", member]
        run(lf, *args)
        j = json.loads(run(lf, "gru", "synth", out, "--power", "--json"))
        genome = (
            doc["members"][int(member)]["genome"]
            if member not in (None, "int8")
            else (member or f"member {doc['saving']['member']}")
        )
        p = j["per_inference"]
        print(
            f"| {label} | {genome} | {p['gate_level_pj']:.0f} ({p['gate_level_datapath_pj']:.0f} "
            f"+ {p['gate_level_clock_pj']:.0f}) | {p['cost_model_at_library_pj']:.0f} "
            f"({p['cost_model_datapath_at_library_pj']:.0f} + "
            f"{p['cost_model_clock_at_library_pj']:.0f}) | {p['ratio']:.2f} "
            f"| {p['ratio_datapath']:.2f} | {p['ratio_clock']:.2f} | {j['seconds']:.0f} |"
        )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--rank"]
    lf = args[1] if len(args) > 1 else "target/release/lutforge"
    (rank if "--rank" in sys.argv else main)(args[0], lf)
