"""Both Pareto searches with their evaluations on a Dask LocalCluster of two worker processes:
the same front bytes as the local run; a failing evaluator stops the search with one error."""

from __future__ import annotations

import os

import lutforge
import pytest
import torch
from dask.distributed import Client, LocalCluster
from lutforge.gru import Model, pareto


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as c, Client(c) as cl:
        yield cl


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> str:
    torch.manual_seed(3)
    m = Model.from_torch(torch.nn.GRU(12, 8), torch.nn.Linear(8, 9), task="vowels")
    path = os.fspath(tmp_path_factory.mktemp("m") / "m.json")
    m.save(path)
    return path


GRU_OPTS = dict(population=12, generations=3, finetune=0, seed=4)


def test_gru_front_on_two_workers_is_the_local_front(client, model_path):
    local = pareto(model_path, task="vowels", **GRU_OPTS)
    remote = pareto(model_path, task="vowels", client=client, **GRU_OPTS)
    assert remote.to_json() == local.to_json()
    # One genome per task: many small tasks, still the same bytes.
    small = pareto(model_path, task="vowels", client=client, batch=1, **GRU_OPTS)
    assert small.to_json() == local.to_json()


def test_unit_front_on_two_workers_is_the_local_front(client):
    opts = dict(segments=8, generations=4, population=12, seed=2)
    local = lutforge.pareto("gelu", **opts)
    remote = lutforge.pareto("gelu", client=client, **opts)
    assert remote.to_json() == local.to_json()
    assert remote.members


def test_a_failing_evaluator_stops_the_search(model_path, tmp_path):
    def dies(genomes):
        raise RuntimeError("worker lost")

    with pytest.raises(lutforge.Error, match="evaluations of a generation failed.*worker lost"):
        pareto(model_path, task="vowels", map=dies, **GRU_OPTS)

    def short(genomes):
        return [([0.0, 0.0, 0.0], 0.0)] * (len(genomes) - 1)

    with pytest.raises(lutforge.Error, match="returned .* evaluations for"):
        lutforge.pareto("gelu", segments=8, generations=2, population=8, map=short)
    with pytest.raises(lutforge.Error, match="client or map"):
        pareto(model_path, task="vowels", client=object(), map=short)


def test_a_client_whose_cluster_is_gone_stops_the_search(model_path):
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True)
    client = Client(cluster)
    cluster.close()
    try:
        with pytest.raises(lutforge.Error, match="evaluations of a generation failed"):
            pareto(model_path, task="vowels", client=client, **GRU_OPTS)
    finally:
        client.close()
