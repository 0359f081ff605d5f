"""Positions into the store in data-time order across partitions (pure: batches in, batches out).

The workers' partitions progress at their own pace: after a restart one partition's outputs
can be read hours of data time ahead of another's. The store's thinner expires an aircraft
unheard for 10 minutes of *its* data time (the newest it has seen); fed a partition that is
ahead, it would expire the aircraft of the partitions behind, and keep different track points
than one process does. So ``run --from`` holds each position until every partition's
watermark has passed it, and hands the store cells of :data:`CELL_S` of data time, in order,
each sorted by time and address: the store then sees one time-ordered stream whatever order
the partitions arrive in (and whatever a restart re-reads). The map is not held back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flyvakt.checkpoint import decode_array, decode_columns, encode_array, encode_columns
from flyvakt.model import PositionBatch

__all__ = ["StoreOrder", "by_cell", "cells_doc", "cells_from_doc"]

# Why 1 s cells, as the fleet stage's: fine enough that a store batch spans about the data
# time of one live step, coarse enough that the per-cell work stays small.
CELL_S = 1.0
NO_TIME_CELL = -(2**62)  # the cell of positions without a finite time: before all others


def by_cell(positions: PositionBatch, cell_s: float) -> list[tuple[int, PositionBatch]]:
    """``positions`` cut into cells of ``cell_s`` of data time, in cell order (one sort and
    one cut per cell: a batch spanning hours holds thousands of cells)."""
    if not len(positions):
        return []
    cells = np.floor(positions.time_s / cell_s)
    cells[~np.isfinite(cells)] = NO_TIME_CELL
    cell = cells.astype(np.int64)
    order = np.argsort(cell, kind="stable")
    cell = cell[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], len(cell)]
    return [
        (int(cell[a]), positions.take(order[a:b]))
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def cells_doc(held: dict[int, list[PositionBatch]]) -> dict[str, Any]:
    """Positions held by cell as one batch and its cells (a checkpoint of thousands of cells
    as a few arrays: per-cell documents took seconds to write and read)."""
    cells = sorted(c for c, parts in held.items() if parts)
    batches = [PositionBatch.concat(held[c]) for c in cells]
    sizes = [len(b) for b in batches]
    return {
        "cells": encode_array(np.repeat(np.array(cells, dtype=np.int64), sizes)),
        "positions": encode_columns(
            PositionBatch.concat(batches) if batches else PositionBatch.empty(0)
        ),
    }


def cells_from_doc(doc: dict[str, Any]) -> dict[int, list[PositionBatch]]:
    """The inverse of :func:`cells_doc`."""
    cell = decode_array(doc["cells"]).astype(np.int64)
    pos = decode_columns(PositionBatch, doc["positions"])
    if len(cell) != len(pos):
        raise ValueError(f"{len(cell)} cells for {len(pos)} positions")
    if not len(cell):
        return {}
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], len(cell)]
    return {
        int(cell[a]): [pos.take(np.arange(a, b))]
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    }


@dataclass
class StoreOrder:
    """:meth:`add` every positions message; :meth:`ready` returns what every partition has
    passed, in time order; :meth:`drain` the rest at the end of the data."""

    partitions: int
    cell_s: float = CELL_S
    late: int = 0  # positions that arrived after their cell was released (sent with the next)
    _wm: list[float] = field(default_factory=list)
    _held: dict[int, list[PositionBatch]] = field(default_factory=dict)
    _done_cell: int | None = None

    def __post_init__(self) -> None:
        if not self._wm:
            self._wm = [-math.inf] * self.partitions

    def add(self, partition: int, positions: PositionBatch, watermark_s: float | None) -> None:
        for cell, part in by_cell(positions, self.cell_s):
            if self._done_cell is not None and cell <= self._done_cell:
                self.late += len(part)
                cell = self._done_cell + 1
            self._held.setdefault(cell, []).append(part)
        if watermark_s is not None:
            self._wm[partition] = max(self._wm[partition], watermark_s)

    @property
    def held(self) -> int:
        return sum(len(p) for parts in self._held.values() for p in parts)

    def ready(self) -> PositionBatch | None:
        wm = min(self._wm)
        if not math.isfinite(wm):
            return None
        return self._through(math.floor(wm / self.cell_s) - 1)

    def drain(self) -> PositionBatch | None:
        return self._through(max(self._held)) if self._held else None

    def _through(self, last: int) -> PositionBatch | None:
        todo = sorted(c for c in self._held if c <= last)
        if self._done_cell is None or last > self._done_cell:
            self._done_cell = last
        if not todo:
            return None
        out = []
        for c in todo:
            cell = PositionBatch.concat(self._held.pop(c))
            out.append(cell.take(np.lexsort((cell.icao24, cell.time_s))))
        return PositionBatch.concat(out)

    def to_doc(self) -> dict[str, Any]:
        return {
            "cell_s": self.cell_s,
            "late": self.late,
            "wm": self._wm,
            "held": cells_doc(self._held),
            "done_cell": self._done_cell,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> StoreOrder:
        wm = [float(w) for w in doc["wm"]]
        done = doc["done_cell"]
        return cls(
            len(wm),
            float(doc["cell_s"]),
            int(doc["late"]),
            wm,
            cells_from_doc(doc["held"]),
            None if done is None else int(done),
        )
