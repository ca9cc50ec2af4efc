"""lutforge from Python: tables, their bit-exact units, GRU models and both Pareto searches.

A thin face over the Rust crates: a `Table` is lutforge's table, `Table.unit()` is the
simulator's unit (the golden model's outputs, bit for bit), and `search` runs `lutforge search`
in this process, so a table from Python is the table the command line writes. Errors are
`lutforge.Error` (a `ValueError`) with the command line's one-line message.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from . import _lutforge
from ._lutforge import Error, Table, Unit

__all__ = ["Error", "Table", "Unit", "search", "__version__"]
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
