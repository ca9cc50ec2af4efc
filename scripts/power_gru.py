"""Gate-level energy of GRU cells against the cost model (docs/results.md, "Gate-level power"):
three members of a GRU front — the smallest (the narrowest widths), the recommended one (mixed)
and the 8-bit baseline — each generated with `lutforge gru gen` and measured with `lutforge gru
synth DIR --power --json` on its own testbench's sequences. Prints one Markdown row per cell.

    python3 scripts/power_gru.py FRONT.json [path/to/lutforge]
"""

import json
import os
import subprocess
import sys
import tempfile


def run(lf, *args):
    return subprocess.run([lf, *args], check=True, capture_output=True, text=True).stdout


def main(front, lf):
    doc = json.load(open(front))
    sizes = [m["size_bits"] for m in doc["members"]]
    smallest = min(range(len(sizes)), key=lambda i: sizes[i])
    d = tempfile.mkdtemp(prefix="lutforge-gru-power-")
    print(
        "| cell | genome | gate level pJ/inference (data path + clock) | cost model pJ/inference "
        "| ratio | ratio to the data path | s |"
    )
    print("|---|---|---|---|---|---|---|")
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
        gate = j["gate_level_dynamic_pj_per_inference"]
        data = j["gate_level_datapath_pj_per_inference"]
        cm = j["cost_model_dynamic_pj_per_inference"]
        print(
            f"| {label} | {genome} | {gate:.0f} ({data:.0f} + {gate - data:.0f}) "
            f"| {cm:.0f} | {cm / gate:.2f} | {cm / data:.2f} | {j['seconds']:.0f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "target/release/lutforge")
