"""The last fix of every aircraft, in columns, so that most fixes never reach Python.

The detector's per-aircraft state machine only sees "hot" fixes; the last fix of each aircraft
in a batch is recorded here with a few vectorised assignments, and turned into a
:class:`~flyvakt.detect.detector.Fix` only when an event needs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.model import PositionBatch
from flyvakt.model.addrindex import merge_sorted, sorted_places

_COLS: dict[str, tuple[Any, Any]] = {
    "t": (np.float64, np.nan),
    "lat": (np.float64, np.nan),
    "lon": (np.float64, np.nan),
    "alt": (np.float64, np.nan),
    "gs": (np.float64, np.nan),
    "vr": (np.float64, np.nan),
    "ground": (np.bool_, False),
    "callsign": (object, None),
    "squawk": (np.int64, -1),
    "alt_gnss": (np.float64, np.nan),
    "ground_known": (np.bool_, False),
    "lost": (np.bool_, False),
    "icao24": (np.int64, 0),
}


# The columns of a Fix, in its field order.
_FIX_ORDER = (
    "t", "lat", "lon", "alt", "gs", "vr", "ground", "callsign", "squawk", "alt_gnss",
    "ground_known",
)  # fmt: skip


def _repeats(a: npt.NDArray[Any]) -> bool:
    """Whether some value of ``a`` occurs twice; at once for strictly increasing values (the
    detector's: the first rows of a batch's aircraft, sorted by address)."""
    if len(a) < 2 or bool(np.all(a[1:] > a[:-1])):
        return False
    return len(np.unique(a)) < len(a)


class LastFixes:
    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self.size = 0
        self.index: dict[int, int] = {}
        # For find(): the addresses in sorted order and their rows, and the index and size they
        # were made for (a new row, or a new index from expiry or a checkpoint, remakes them).
        self._sorted: tuple[dict[int, int], int, npt.NDArray[np.int64], npt.NDArray[np.int64]]
        self._sorted = (self.index, 0, np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.cols: dict[str, npt.NDArray[Any]] = {
            k: np.full(capacity, fill, dtype=dt) for k, (dt, fill) in _COLS.items()
        }

    def find(self, icaos: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """The row of each aircraft, -1 for one without a row: what ``index`` says, looked up
        in one vectorised search (every aircraft of every batch comes here, twice) over the
        ``icao24`` column, which holds each row's address as ``index`` maps it."""
        index, size, keys, rows = self._sorted
        if index is not self.index or size > self.size:
            col = self.cols["icao24"][: self.size]
            rows = np.argsort(col, kind="stable")
            keys = col[rows]
            self._sorted = (self.index, self.size, keys, rows)
        elif size < self.size:  # rows added since (each a new address): merged in, not sorted
            added = self.cols["icao24"][size : self.size]
            order = np.argsort(added, kind="stable")
            new_rows = np.arange(size, self.size, dtype=np.int64)[order]
            keys, rows = merge_sorted(keys, rows, added[order], new_rows)
            self._sorted = (self.index, self.size, keys, rows)
        icaos = np.asarray(icaos, np.int64)
        if len(keys) == 0:
            return np.full(len(icaos), -1, np.int64)
        # The batch's aircraft come sorted by address: placed by a merge when they are many
        # against the rows (sorted_places; ~40,000 of ~50,000 in issue 12's cold sweep).
        at = np.minimum(sorted_places(keys, icaos), len(keys) - 1)
        return np.where(keys[at] == icaos, rows[at], -1)

    def rows_for(
        self, icaos: npt.NDArray[Any], found: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.int64]:
        """The row of each aircraft, new aircraft given the next free rows in the order given
        (an address given twice: one row). ``found``: :meth:`find` of ``icaos``, when the
        caller has it (no row added since)."""
        out = self.find(icaos) if found is None else found.copy()
        new = np.flatnonzero(out < 0)
        if len(new) and _repeats(icaos[new]):
            for k in new.tolist():  # repeated new addresses: one at a time
                r = self.index.get(int(icaos[k]))
                out[k] = self.rows_for(icaos[k : k + 1])[0] if r is None else r
        elif len(new):
            while self.size + len(new) > self.capacity:
                self._grow()
            rows = np.arange(self.size, self.size + len(new), dtype=np.int64)
            addrs = icaos[new]
            self.index.update(zip(addrs.tolist(), rows.tolist(), strict=True))
            self.cols["icao24"][rows] = addrs
            self.size += len(new)
            out[new] = rows
        return out

    def _grow(self) -> None:
        new = self.capacity * 2
        for k, (dt, fill) in _COLS.items():
            col = np.full(new, fill, dtype=dt)
            col[: self.capacity] = self.cols[k]
            self.cols[k] = col
        self.capacity = new

    def record(
        self, p: PositionBatch, idx: npt.NDArray[np.int64], rows: npt.NDArray[np.int64],
        ground: npt.NDArray[np.bool_],
    ) -> None:  # fmt: skip
        """Fixes ``idx`` of ``p`` become the last fixes of aircraft ``rows``."""
        c = self.cols
        c["t"][rows] = p.time_s[idx]
        c["lat"][rows] = p.lat_deg[idx]
        c["lon"][rows] = p.lon_deg[idx]
        c["alt"][rows] = p.altitude_baro_ft[idx]
        c["gs"][rows] = p.groundspeed_kt[idx]
        c["vr"][rows] = p.vertical_rate_fpm[idx]
        c["ground"][rows] = ground[idx]
        c["callsign"][rows] = p.callsign[idx]
        c["squawk"][rows] = p.squawk[idx]
        c["alt_gnss"][rows] = p.altitude_gnss_ft[idx]
        c["ground_known"][rows] = p.on_ground[idx] >= 0
        c["lost"][rows] = False

    def values(self, row: int) -> tuple[Any, ...]:
        """The fields of one aircraft's last fix, in :class:`~flyvakt.detect.state.Fix` order."""
        c = self.cols
        return (
            float(c["t"][row]), float(c["lat"][row]), float(c["lon"][row]),
            float(c["alt"][row]), float(c["gs"][row]), float(c["vr"][row]),
            bool(c["ground"][row]), c["callsign"][row], int(c["squawk"][row]),
            float(c["alt_gnss"][row]), bool(c["ground_known"][row]),
        )  # fmt: skip

    def values_many(self, rows: npt.NDArray[np.int64]) -> list[tuple[Any, ...]]:
        """:meth:`values` of many rows at once (the same Python values, one pass per column)."""
        c = self.cols
        return list(
            zip(
                *(c[k][rows].tolist() for k in _FIX_ORDER),
                strict=True,
            )
        )
