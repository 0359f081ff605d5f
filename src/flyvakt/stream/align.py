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

from flyvakt.checkpoint import decode_columns, encode_columns
from flyvakt.model import PositionBatch

__all__ = ["StoreOrder"]

# Why 1 s cells, as the fleet stage's: fine enough that a store batch spans about the data
# time of one live step, coarse enough that the per-cell work stays small.
CELL_S = 1.0


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
        if len(positions):
            cells = np.floor(positions.time_s / self.cell_s)
            cells[~np.isfinite(cells)] = -math.inf
            for c in np.unique(cells).tolist():
                part = positions.take(np.flatnonzero(cells == c))
                cell = int(c) if math.isfinite(c) else -(2**62)
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
            "held": {c: encode_columns(PositionBatch.concat(p)) for c, p in self._held.items()},
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
            {int(c): [decode_columns(PositionBatch, b)] for c, b in doc["held"].items()},
            None if done is None else int(done),
        )
