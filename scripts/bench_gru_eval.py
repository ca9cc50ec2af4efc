"""The integer GRU's evaluation against PyTorch's float forward pass, one thread, in one run.

lutforge: `cargo run --release -p lutforge-gru --example eval_speed` (a genome of the 32-unit
JapaneseVowels model over the 270 training sequences, tables cached). PyTorch, when it is
installed: nn.GRU(12, 32) + nn.Linear(32, 9) over the same 270 sequences (read from the sktime
wheel `make deps` fetched), packed, in inference mode, best of 30 runs. Prints both lines.

    python3 scripts/bench_gru_eval.py [WHEEL]
"""
import os
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir():
    if os.environ.get("LUTFORGE_DATA"):
        return os.environ["LUTFORGE_DATA"]
    base = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    return os.path.join(base, "lutforge", "data")


def vowels_train(wheel):
    z = zipfile.ZipFile(wheel)
    text = z.read(
        "sktime/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts"
    ).decode()
    seqs, data = [], False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not data:
            data = line.lower().startswith("@data")
            continue
        *dims, _ = line.split(":")
        series = [[float(v) for v in d.split(",")] for d in dims]
        seqs.append([[s[t] for s in series] for t in range(len(series[0]))])
    return seqs


def torch_forward(seqs):
    try:
        import torch
    except ImportError:
        return "PyTorch: not installed (pip install torch to compare)"
    torch.set_num_threads(1)
    torch.manual_seed(0)
    gru, fc = torch.nn.GRU(12, 32), torch.nn.Linear(32, 9)
    xs = [torch.tensor(s, dtype=torch.float32) for s in seqs]
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.nn.utils.rnn.pad_sequence(xs)
    best = float("inf")
    with torch.inference_mode():
        for _ in range(30):
            t0 = time.perf_counter()
            packed = torch.nn.utils.rnn.pack_padded_sequence(
                padded, lengths, enforce_sorted=False
            )
            _, h = gru(packed)
            fc(h[-1])
            best = min(best, time.perf_counter() - t0)
    return (
        f"PyTorch {torch.__version__} float forward (nn.GRU packed + Linear), H = 32, "
        f"{len(seqs)} sequences: {best * 1e3:.3f} ms per pass, {1 / best:.0f} passes/s"
    )


def main():
    wheel = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        data_dir(), "sktime-1.2.0-py3-none-any.whl"
    )
    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "lutforge-gru", "--example", "eval_speed"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(out)
    print(torch_forward(vowels_train(wheel)))


if __name__ == "__main__":
    main()
