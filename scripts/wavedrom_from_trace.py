"""A lutforge-trace/1 file as a WaveDrom timing diagram (JSON), for the docs.

    python3 scripts/wavedrom_from_trace.py TRACE > diagram.json
    npx wavedrom-cli -i diagram.json -s diagram.svg        # npm package wavedrom-cli

Buses show their hex value where it changes; 1-bit signals are drawn as levels.
"""
import json
import sys

COLS = ["cycle", "in_valid", "in_ready", "in_data", "out_valid", "out_ready", "out_data",
        "cfg_we", "cfg_addr", "cfg_data"]
SHOW = ["cfg_we", "cfg_addr", "cfg_data", "in_valid", "in_ready", "in_data", "out_valid",
        "out_ready", "out_data"]


def main(path):
    with open(path) as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rows = [dict(zip(COLS, line.split())) for line in lines]
    signals = [{"name": "clk", "wave": "p" + "." * (len(rows) - 1)}]
    for name in SHOW:
        vals = [r[name] for r in rows]
        if name in ("cfg_we", "in_valid", "in_ready", "out_valid", "out_ready"):
            wave = "".join(v if i == 0 or v != vals[i - 1] else "." for i, v in enumerate(vals))
            signals.append({"name": name, "wave": wave})
        else:
            wave, data = "", []
            for i, v in enumerate(vals):
                if i > 0 and v == vals[i - 1]:
                    wave += "."
                else:
                    wave += "="
                    data.append(v)
            signals.append({"name": name, "wave": wave, "data": data})
    json.dump({"signal": signals, "head": {"tick": 0}}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
