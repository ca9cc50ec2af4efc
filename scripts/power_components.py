"""The cost model's components against the gate-level netlist's, stage by stage (docs/results.md,
"Gate-level power"): the exact 8-segment GELU table at input scale 4 as INT8, INT32 and FP32
units, each generated with `lutforge gen` and measured with `lutforge synth DIR --power --json`.
The netlist's data path is split by the register each cell feeds (`by_register`), the model's
by component; both in pJ per sample at the library's 1.10 V (the model's 0.9 V figures scaled
by V²). Prints one Markdown table per unit.

    python3 scripts/power_components.py [path/to/lutforge]
"""

import json
import os
import sys
import tempfile

from power_goals import gelu_table, run

# The unit's registers under the names Yosys keeps (the RTL's wires assigned from them).
ALIASES = {
    "cx": "s1_x",
    "lx": "s2_x",
    "ls": "s2_seg",
    "fp": "s3_prod",
    "fb": "s3_icpt",
    "out_data": "s4_y",
}

# Stage → (registers whose incoming logic it is, the model's components).
STAGES = [
    ("comparators, encoder", ["s2_seg"], ["comparators", "segment encoder"]),
    (
        "multiplexers, multiplier",
        ["s3_prod", "s3_icpt"],
        ["multiplexers", "multiplier", "multiplier: exponent, normalize, round"],
    ),
    ("adder, rounding, saturation", ["s4_y"], ["adder", "shifter", "rounding + saturation"]),
]
PIPELINE = ["s1_x", "s2_x", "s2_seg", "s3_prod", "s3_icpt", "s4_y"]


def register(name):
    return ALIASES.get(name, name)


def rows(j):
    """(stage, gate level pJ, cost model pJ) per stage, at the library's supply."""
    per = j["per_sample"]
    scale = per["supply_scale"]
    samples = j["samples"]
    gate = {}
    for key, fj in j["gate_level"]["by_register"].items():
        kind, _, name = key.partition(" ")
        name = register(name)
        if key in ("inputs", "to outputs"):
            stage = "inputs and outputs"
        elif name.startswith("tbl_"):
            stage = "table registers (data)"
        elif kind == "to" and any(name in s[1] for s in STAGES):
            stage = next(s[0] for s in STAGES if name in s[1])
        else:
            stage = "pipeline registers (data)"
        gate[stage] = gate.get(stage, 0.0) + fj / 1000.0 / samples
    comps = {c["name"]: c for c in j["cost_model"]["components"]}

    def model(names):
        return scale * sum(
            comps[n]["energy_pj"] - comps[n]["clock_pj"] for n in names if n in comps
        )

    out = [(s, gate.get(s, 0.0), model(names)) for s, _, names in STAGES]
    out.append(
        (
            "pipeline registers (data)",
            gate.get("pipeline registers (data)", 0.0),
            model(["pipeline registers"]),
        )
    )
    out.append(
        (
            "table registers (data)",
            gate.get("table registers (data)", 0.0),
            model(["table storage"]),
        )
    )
    out.append(("inputs and outputs", gate.get("inputs and outputs", 0.0), 0.0))
    out.append(("clock", per["gate_level_clock_pj"], per["cost_model_clock_at_library_pj"]))
    out.append(("whole", per["gate_level_pj"], per["cost_model_at_library_pj"]))
    return out


def main(lf):
    d = tempfile.mkdtemp(prefix="lutforge-power-components-")
    t = gelu_table(lf, d, 8)
    for fmt, fixed in [
        ("int8", True),
        ("int8", False),
        ("int32", True),
        ("int32", False),
        ("fp32", True),
    ]:
        out = os.path.join(d, f"{fmt}_{'f' if fixed else 'p'}")
        args = ["gen", t, "--scale", "4", "--format", fmt, "-o", out] + (
            ["--fixed"] if fixed else []
        )
        run(lf, *args)
        j = json.loads(run(lf, "synth", out, "--power", "--json"))
        print(f"{fmt}, {'fixed' if fixed else 'programmable'} (pJ/sample at 1.10 V):")
        print()
        print("| stage | gate level | cost model | ratio |")
        print("|---|---|---|---|")
        for stage, g, m in rows(j):
            r = f"{m / g:.2f}" if g > 0 and m > 0 else "—"
            print(f"| {stage} | {g:.4f} | {m:.4f} | {r} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/lutforge")
