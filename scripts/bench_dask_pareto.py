"""`gru pareto` with its evaluations on a Dask LocalCluster of one and of two worker
processes (one thread each), against the local run, in one run (docs/results.md, "Python").

The model: `lutforge gru train --task vowels` (trained here first, default recipe). Search:
`gru pareto --task vowels --model M` with the defaults, and again with `--finetune 0` (the
search alone: fine-tuning and the front's scoring stay in the calling process). Every run's
front bytes are compared with the local run's. The scheduling overhead per generation is the
two-worker run's time beyond the local run's (both use the machine's two cores), divided by the
generations.

    python3 scripts/bench_dask_pareto.py
"""

import os
import tempfile
import time

from dask.distributed import Client, LocalCluster
from lutforge import _lutforge
from lutforge.gru import pareto


def timed(f):
    t0 = time.perf_counter()
    r = f()
    return time.perf_counter() - t0, r


def main():
    d = tempfile.mkdtemp(prefix="lutforge-bench-")
    model = os.path.join(d, "vowels.json")
    _lutforge.run(["gru", "train", "--task", "vowels", "-q", "-o", model])
    env = {"RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for label, opts in [("defaults", {}), ("--finetune 0", {"finetune": 0})]:
        t_local, local = timed(lambda opts=opts: pareto(model, task="vowels", **opts))
        line = [f"{label}: local (rayon, 2 threads) {t_local:.1f} s"]
        times = {}
        for workers in (1, 2):
            with (
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, env=env) as c,
                Client(c) as client,
            ):
                # A first generation's worth to start the workers' problems, not timed.
                pareto(model, task="vowels", client=client, generations=1, population=8, **opts)
                t, front = timed(
                    lambda client=client, opts=opts: pareto(
                        model, task="vowels", client=client, **opts
                    )
                )
                same = front.to_json() == local.to_json()
                times[workers] = t
                line.append(f"{workers} worker(s) {t:.1f} s (same bytes: {same})")
        line.append(f"speed-up 2 vs 1 worker {times[1] / times[2]:.2f}x")
        gens = 40
        line.append(
            f"overhead per generation vs local {(times[2] - t_local) / (gens + 1) * 1e3:.0f} ms"
        )
        print("; ".join(line))


if __name__ == "__main__":
    main()
