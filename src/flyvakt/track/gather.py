"""A column at a sorted set of rows: a copy, not a gather, when the set is every row.

A state-vector batch has a fix at nearly every row, so the tracker's row sets (given
positions, candidate fixes, accepted fixes) are often all of the batch's rows. NumPy's
fancy-index gather costs ~15-20 instructions per element against ~1 for a copy: before this,
gathers (``mapiter_trivial_get``) were 41 % of a state-vector replay's tracker instructions.
Both give the same values (sorted distinct rows of ``range(n)``, ``n`` of them, are
``range(n)``).
"""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

from flyvakt.model import ObservationBatch
from flyvakt.model.deferred import column_at

__all__ = ["column_rows", "rows_of", "rows_read"]


def rows_of(values: npt.NDArray[Any], rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``values[rows]`` (a new array) for ``rows`` sorted and distinct."""
    return values.copy() if len(rows) == len(values) else values[rows]


def rows_read(values: npt.NDArray[Any], rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``values[rows]`` for ``rows`` sorted and distinct, to be read only: ``values`` itself
    when the set is every row (a copy costs ~8 instructions an element under callgrind's
    count; a state-vector step's candidate fixes are every row)."""
    return values if len(rows) == len(values) else values[rows]


def column_rows(o: ObservationBatch, name: str, rows: npt.NDArray[Any], n: int) -> npt.NDArray[Any]:
    """``column_at(o, name, rows)`` for ``rows`` sorted and distinct; ``n``: ``len(o)``. Every
    row: the whole column is read (a deferred batch's column is gathered once, and kept)."""
    return getattr(o, name).copy() if len(rows) == n else column_at(o, name, rows)
