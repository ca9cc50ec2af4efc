"""lutforge from Python: tables, their bit-exact units, GRU models and both Pareto searches.

A thin face over the Rust crates: a `Table` is lutforge's table, `Table.unit()` is the
simulator's unit (the golden model's outputs, bit for bit), and `search` runs `lutforge search`
in this process, so a table from Python is the table the command line writes. Errors are
`lutforge.Error` (a `ValueError`) with the command line's one-line message.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

from . import _lutforge
from ._lutforge import Error, Table, Unit

__all__ = ["Error", "Front", "Table", "Unit", "pareto", "search", "__version__"]
__version__: str = _lutforge.version()


def _flags(options: dict[str, Any]) -> list[str]:
    """Keyword arguments as the command's flags: `max_err_lsb=0.5` → `--max-err-lsb 0.5`,
    `fixed=True` → `--fixed`, a pair → `A,B` (a domain), a range → `A..B` (inclusive)."""
    argv: list[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif isinstance(value, range):
            argv += [flag, f"{value.start}..{value.stop - 1}"]
        elif isinstance(value, (tuple, list)):
            argv += [flag, ",".join(str(v) for v in value)]
        else:
            argv += [flag, str(value)]
    return argv


def search(function: str, segments: int | None = None, **options: Any) -> Table:
    """Searches a table as `lutforge search --function FUNCTION --segments N` does; every other
    option of the command is a keyword (`method="exact"`, `scales=range(0, 7)`, `seed=1`,
    `max_err_lsb=0.5`, `input_bits=8`, `domain=(-4, 4)`, …). Same options, same bytes."""
    with tempfile.TemporaryDirectory(prefix="lutforge-") as d:
        path = os.path.join(d, "table.json")
        argv = ["search", "--function", function, "-q", "-o", path]
        if segments is not None:
            argv += ["--segments", str(segments)]
        _lutforge.run(argv + _flags(options))
        return Table.load(path)


Evaluations = list[tuple[list[float], float]]
"""A generation's evaluations in order: (objectives, constraint violation) per genome."""


class Front:
    """A Pareto front as the command writes it: its members, baselines and recommendation."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.doc: dict[str, Any] = json.loads(text)

    def to_json(self) -> str:
        """The bytes the command's `-o` writes."""
        return self._text

    @property
    def members(self) -> list[dict[str, Any]]:
        return self.doc["members"]

    @property
    def baselines(self) -> list[dict[str, Any]]:
        return self.doc["baselines"]

    @property
    def saving(self) -> dict[str, Any] | None:
        """The recommended member with its saving (chosen on the search data alone)."""
        return self.doc.get("saving")

    def __repr__(self) -> str:
        return f"Front({len(self.members)} members)"


def _run_search(
    argv: list[str],
    out: str,
    client: Any,
    map: Callable[[list[list[int]]], Evaluations] | None,
    batch: int | None,
    model_json: str | None = None,
) -> Front:
    """Runs a Pareto search's command line here, its evaluations here (rayon), through `map`,
    or as Dask tasks on `client`'s workers; then reads the front it wrote."""
    if client is not None:
        if map is not None:
            raise Error("give client or map, not both")
        from .dask import evaluator

        map = evaluator(client, argv, model_json, batch)
    if map is not None:
        _lutforge.run_mapped(argv, map)
    else:
        _lutforge.run(argv)
    with open(out) as f:
        return Front(f.read())


def pareto(
    function: str | list[str],
    *,
    client: Any = None,
    batch: int | None = None,
    map: Callable[[list[list[int]]], Evaluations] | None = None,
    **options: Any,
) -> Front:
    """The unit's mixed-precision Pareto front (error, area, energy), as `lutforge pareto
    --function F` with every other option a keyword (`segments=8`, `input_bits=8`, `seed=1`,
    `generations=…`). `client` (a Dask client) or `map` evaluate the generations elsewhere;
    the front is the same bytes."""
    with tempfile.TemporaryDirectory(prefix="lutforge-") as d:
        out = os.path.join(d, "front.json")
        argv = ["pareto", "-q", "-o", out]
        for f in [function] if isinstance(function, str) else function:
            argv += ["--function", f]
        return _run_search(argv + _flags(options), out, client, map, batch)
