"""Gate-level power against the cost model for the standard units (docs/results.md, "Gate-level
power"): the exact 8- and 16-segment GELU tables at input scale 4, as INT8, INT16, INT32 and
FP32 units, fixed and programmable (4 stages, one lane), each generated with `lutforge gen` and
measured with `lutforge synth DIR --power --json` on its own testbench. Prints one Markdown row
per unit, then the INT8 savings by both methods.

    python3 scripts/power_goals.py [path/to/lutforge]
"""

import json
import os
import subprocess
import sys
import tempfile


def run(lf, *args):
    return subprocess.run([lf, *args], check=True, capture_output=True, text=True).stdout


def gelu_table(lf, d, k):
    """The exact K-segment GELU table at input scale 4, written in `d`; its path."""
    t = os.path.join(d, f"gelu{k}.json")
    args = ["--function", "gelu", "--segments", str(k), "--method", "exact", "--scales", "4..4"]
    run(lf, "search", *args, "-q", "-o", t)
    return t


def main(lf):
    d = tempfile.mkdtemp(prefix="lutforge-power-")
    rows = {}
    print(
        "| segments | format | table | cells | flip-flops "
        "| gate level pJ/sample (data path + clock) "
        "| cost model pJ/sample at 1.10 V (data path + clock) | ratio | data path | clock | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in (8, 16):
        t = gelu_table(lf, d, k)
        for fmt in ("int8", "int16", "int32", "fp32"):
            for fixed in (True, False):
                out = os.path.join(d, f"{fmt}_{k}_{'f' if fixed else 'p'}")
                args = ["gen", t, "--scale", "4", "--format", fmt, "-o", out]
                if fixed:
                    args.append("--fixed")
                run(lf, *args)
                j = json.loads(run(lf, "synth", out, "--power", "--json"))
                p = j["per_sample"]
                gate, cm = p["gate_level_pj"], p["cost_model_at_library_pj"]
                rows[(k, fmt, fixed)] = (gate, cm)
                cells = j["gate_level"]["cells"]
                print(
                    f"| {k} | {fmt} | {'fixed' if fixed else 'programmable'} "
                    f"| {sum(cells.values())} | {cells.get('DFF_X1', 0)} "
                    f"| {gate:.3f} ({p['gate_level_datapath_pj']:.3f} + "
                    f"{p['gate_level_clock_pj']:.3f}) "
                    f"| {cm:.3f} ({p['cost_model_datapath_at_library_pj']:.3f} + "
                    f"{p['cost_model_clock_at_library_pj']:.3f}) "
                    f"| {p['ratio']:.2f} | {p['ratio_datapath']:.2f} | {p['ratio_clock']:.2f} "
                    f"| {j['seconds']:.1f} |"
                )
    print()
    print("| INT8 saving against | segments, table | gate level | cost model |")
    print("|---|---|---|---|")
    for ref in ("int32", "fp32"):
        for k in (8, 16):
            for fixed in (True, False):
                g8, c8 = rows[(k, "int8", fixed)]
                gr, cr = rows[(k, ref, fixed)]
                print(
                    f"| {ref} | {k}, {'fixed' if fixed else 'programmable'} "
                    f"| {100 * (1 - g8 / gr):.1f} % | {100 * (1 - c8 / cr):.1f} % |"
                )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/lutforge")
