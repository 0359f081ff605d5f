"""The live map's aircraft table rebuilt from ``flyvakt.positions`` (no tracker here).

``flyvakt run --from kafka://`` has no tracker of its own: the workers track. The hub reads the
tracker's :class:`flyvakt.track.table.StateTable`; this fills one from accepted positions
(the newest fix per aircraft: position, altitude, speed, track, vertical rate, ground state,
callsign, squawk), so ``aircraft.json`` and the map work unchanged. What positions do not carry
(category, Mode S-only aircraft, Comm-B) is missing on the map in this mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.checkpoint import CheckpointError, decode_array, encode_array
from flyvakt.model import PositionBatch
from flyvakt.track import TrackerState
from flyvakt.track import expire as track_expire
from flyvakt.track.table import COLUMNS, TRACKED_FIELDS, StateTable

__all__ = ["PositionView"]

# Position columns copied to the tracked field of the same name (value, *_t, *_src).
_FIELDS = tuple(name for name in PositionBatch._defaults if name in TRACKED_FIELDS)
# Why 300 s: the hub's own age limit for the map (readsb's); older rows are only memory.
VIEW_SILENCE_S = 300.0


class PositionView:
    """A state table updated from position batches (newest fix per aircraft wins)."""

    def __init__(self) -> None:
        self.tracker = TrackerState()

    @property
    def table(self) -> StateTable:
        return self.tracker.table

    def to_doc(self) -> dict[str, Any]:
        """The table's live rows, MessagePack-able (``run --from``'s checkpoint)."""
        return {k: encode_array(v) for k, v in self.table.to_arrays().items()}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> PositionView:
        cols = {k: decode_array(v) for k, v in doc.items()}
        if set(cols) != set(COLUMNS):
            raise CheckpointError(
                f"checkpoint view columns differ: {sorted(set(cols) ^ set(COLUMNS))}"
            )
        view = cls()
        view.tracker = TrackerState(StateTable.from_arrays(cols))
        return view

    def update(self, p: PositionBatch) -> None:
        if len(p) == 0:
            return
        order = np.lexsort((p.time_s, p.icao24))
        icao = p.icao24[order]
        last = order[np.r_[np.flatnonzero(np.diff(icao)), len(order) - 1]]  # newest per aircraft
        counts = np.bincount(np.searchsorted(np.unique(icao), icao))
        table = self.tracker.table
        rows = table.rows_for(p.icao24[last], p.time_s[last])
        c = table.cols
        t = p.time_s[last]
        newer = ~(c["last_seen_s"][rows] > t)  # NaN (new row) counts as older
        r, i = rows[newer], last[newer]
        c["messages"][rows] += counts
        c["last_seen_s"][r] = p.time_s[i]
        c["lat_deg"][r] = p.lat_deg[i]
        c["lon_deg"][r] = p.lon_deg[i]
        c["pos_t"][r] = p.time_s[i]
        c["pos_src"][r] = p.source[i]
        for name in _FIELDS:
            v = getattr(p, name)[i]
            if v.dtype == object:
                known = np.array([x is not None for x in v.tolist()], dtype=bool)
            elif v.dtype.kind == "f":
                known = ~np.isnan(v)
            else:
                known = v >= 0
            c[name][r[known]] = v[known]
            c[f"{name}_t"][r[known]] = p.time_s[i][known]
            c[f"{name}_src"][r[known]] = p.source[i][known]

    def expire(self, now_s: float) -> int:
        return len(track_expire(self.tracker, now_s, VIEW_SILENCE_S))
