"""The Pareto searches' evaluations as Dask tasks.

NSGA-II stays in the calling process; each generation's new genomes are cut into batches (two
per worker unless told), evaluated on the cluster's workers by `lutforge._lutforge.evaluate`
(the same problem, built by each worker from the same command line), and gathered back in
order. The evaluations are pure functions of the genome, so the front is the same bytes on any
cluster and any number of workers. Workers need lutforge installed and the task's data (run
`make data`, or point LUTFORGE_DATA at a shared copy); the model travels with the tasks.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

Evaluations = list[tuple[list[float], float]]


def _evaluate(genomes: list[list[int]], argv: list[str], model_json: str | None) -> Evaluations:
    """A worker's batch. The model file is written once per worker, named by its hash."""
    from lutforge import _lutforge

    if model_json is not None:
        digest = hashlib.sha256(model_json.encode()).hexdigest()[:16]
        path = os.path.join(tempfile.gettempdir(), f"lutforge-model-{digest}.json")
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}"
            with open(tmp, "w") as f:
                f.write(model_json)
            os.replace(tmp, path)
        argv = list(argv)
        argv[argv.index("--model") + 1] = path
    return _lutforge.evaluate(argv, genomes)


def evaluator(
    client: Any, argv: list[str], model_json: str | None = None, batch: int | None = None
) -> Callable[[list[list[int]]], Evaluations]:
    """The map a search hands its generations to: batches as Dask tasks on `client`. The
    command line and the model go to the workers once (scattered), not with every task."""
    shared: dict[str, Any] = {}

    def run(genomes: list[list[int]]) -> Evaluations:
        if not shared:
            shared["spec"] = client.scatter((argv, model_json), broadcast=True)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = batch or max(1, -(-len(genomes) // (2 * workers)))
        batches = [genomes[i : i + size] for i in range(0, len(genomes), size)]
        futures = client.map(_evaluate_spec, batches, spec=shared["spec"], pure=False)
        return [e for part in client.gather(futures) for e in part]

    return run


def _evaluate_spec(genomes: list[list[int]], spec: tuple[list[str], str | None]) -> Evaluations:
    return _evaluate(genomes, *spec)
