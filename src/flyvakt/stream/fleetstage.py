"""The fleet stage over the merged outputs of all partitions (pure: records in, events out).

A fleet's members hash to different partitions, so no worker sees a whole fleet: the workers
emit per-aircraft events and positions, and this stage, fed with every partition's outputs
(``flyvakt run --from kafka://``), makes ``fleet_departed``, ``fleet_landed`` and
``fleet_together`` with :func:`flyvakt.pipeline.fleet_stage`, the code the in-process detector
runs.

Order, deterministically, whatever the interleaving of partitions on arrival:

- each partition's *watermark* is the lower of the last mark read on its events partition
  and the watermark of the last positions message read from it (the worker writes both after
  every batch, so every output of that partition up to the watermark has been read);
- the data time is cut into cells of :data:`CELL_S`; a cell is processed when every
  partition's watermark has passed its end: first its events (those *emitted* in the cell,
  in order of time, address, type) then its positions (in time order), exactly as one
  in-process step does with its events and positions;
- events are taken once by id (a re-processed batch re-emits them after a worker kill); an
  output that arrives for a cell already processed (a worker re-processing after a kill,
  with different batch cuts) goes into the next cell and is counted in ``late``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flyvakt.checkpoint import decode_fleets, decode_value, encode_fleets, encode_value
from flyvakt.fleets.events import FleetState
from flyvakt.fleets.registry import FleetRegistry
from flyvakt.model import Event, PositionBatch
from flyvakt.pipeline import fleet_stage, tag_fleets
from flyvakt.stream.align import by_cell, cells_doc, cells_from_doc

__all__ = ["CELL_S", "FleetStage", "SeenIds"]

# Why 1 s cells: the in-process engine steps every ~100 ms (live) or per 16 k frames (files);
# a second of data is as fine as fleet events need (fleet_together looks at fixes up to 60 s
# old, waves span minutes to hours) and keeps the per-cell Python work small.
CELL_S = 1.0
# Why forget event ids after 2 days of data time: a worker re-processes at most a few seconds
# after a kill (docs/scale.md); ids older than that only cost memory.
SEEN_IDS_KEEP_S = 2 * 24 * 3600.0


@dataclass
class SeenIds:
    """Event ids taken so far (effectively once downstream of a re-processing worker),
    forgotten SEEN_IDS_KEEP_S of emission time after they were emitted."""

    _ids: dict[str, float] = field(default_factory=dict)  # event id -> emitted_s
    _latest_s: float = -math.inf
    _forgot_s: float = -math.inf

    def add(self, event_id: str, emitted_s: float) -> bool:
        """True if the id is new (and remember it)."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = emitted_s
        if emitted_s > self._latest_s:
            self._latest_s = emitted_s
            if emitted_s - self._forgot_s >= SEEN_IDS_KEEP_S / 2:  # one scan per day of data
                self._forgot_s = emitted_s
                keep = emitted_s - SEEN_IDS_KEEP_S
                self._ids = {k: t for k, t in self._ids.items() if not t < keep}
        return True

    def __len__(self) -> int:
        return len(self._ids)

    def to_doc(self) -> dict[str, Any]:
        return {"ids": self._ids, "latest_s": self._latest_s, "forgot_s": self._forgot_s}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SeenIds:
        return cls(
            {str(k): float(v) for k, v in doc["ids"].items()},
            float(doc["latest_s"]),
            float(doc["forgot_s"]),
        )


@dataclass
class FleetStage:
    """Feed it every partition's records with :meth:`add_events`, :meth:`add_mark` and
    :meth:`add_positions`; :meth:`ready` returns the fleet events of the cells now complete."""

    registry: FleetRegistry
    partitions: int
    cell_s: float = CELL_S
    state: FleetState = field(default_factory=FleetState)
    late: int = 0  # outputs that arrived after their cell was processed
    _wm_events: list[float] = field(default_factory=list)
    _wm_positions: list[float] = field(default_factory=list)
    _events: dict[int, list[Event]] = field(default_factory=dict)  # cell -> events
    _positions: dict[int, list[PositionBatch]] = field(default_factory=dict)
    _done_cell: int | None = None  # cells up to this one are processed
    _seen: SeenIds = field(default_factory=SeenIds)

    def __post_init__(self) -> None:
        self._wm_events = [-math.inf] * self.partitions
        self._wm_positions = [-math.inf] * self.partitions

    # -- checkpoint ----------------------------------------------------------------------
    def to_doc(self) -> dict[str, Any]:
        """Everything the stage holds, for ``run --from``'s checkpoint (MessagePack-able)."""
        return {
            "cell_s": self.cell_s,
            "state": encode_fleets(self.state),
            "late": self.late,
            "wm_events": self._wm_events,
            "wm_positions": self._wm_positions,
            "events": {c: [encode_value(e) for e in ev] for c, ev in self._events.items()},
            "positions": cells_doc(self._positions),
            "done_cell": self._done_cell,
            "seen": self._seen.to_doc(),
        }

    @classmethod
    def from_doc(cls, registry: FleetRegistry, doc: dict[str, Any]) -> FleetStage:
        wm_e = [float(w) for w in doc["wm_events"]]
        stage = cls(registry, len(wm_e), float(doc["cell_s"]), decode_fleets(doc["state"]))
        stage.late = int(doc["late"])
        stage._wm_events = wm_e
        stage._wm_positions = [float(w) for w in doc["wm_positions"]]
        stage._events = {int(c): [decode_value(e) for e in ev] for c, ev in doc["events"].items()}
        stage._positions = cells_from_doc(doc["positions"])
        done = doc["done_cell"]
        stage._done_cell = None if done is None else int(done)
        stage._seen = SeenIds.from_doc(doc["seen"])
        return stage

    # -- input ---------------------------------------------------------------------------
    def add_event(self, event_id: str, event: Event, emitted_s: float) -> None:
        """A per-aircraft event (tagged with its fleets here if it is not yet)."""
        if not self._seen.add(event_id, emitted_s):
            return
        if not event.fleet:
            tag_fleets([event], self.registry)
        if not event.fleet:
            return  # not a fleet member: nothing for this stage
        t = emitted_s if math.isfinite(emitted_s) else event.time_s
        self._events.setdefault(self._cell_for(math.floor(t / self.cell_s)), []).append(event)

    def add_mark(self, partition: int, watermark_s: float) -> None:
        self._wm_events[partition] = max(self._wm_events[partition], watermark_s)

    def add_positions(
        self, partition: int, positions: PositionBatch, watermark_s: float | None
    ) -> None:
        """Positions of a partition; ``watermark_s`` None while more of its batch follows."""
        if len(positions):
            rows = self.registry.member_mask(positions.icao24, positions.time_s)
            if rows.any():
                members = positions.take(np.flatnonzero(rows))
                for c, part in by_cell(members, self.cell_s):
                    self._positions.setdefault(self._cell_for(c), []).append(part)
        if watermark_s is not None:
            self._wm_positions[partition] = max(self._wm_positions[partition], watermark_s)

    def _cell_for(self, c: int) -> int:
        if self._done_cell is not None and c <= self._done_cell:
            self.late += 1
            return self._done_cell + 1
        return c

    # -- output --------------------------------------------------------------------------
    @property
    def watermark_s(self) -> float:
        """Data time every partition's outputs have been read through."""
        return min(min(self._wm_events), min(self._wm_positions))

    def ready(self) -> list[Event]:
        """Fleet events of every cell that all partitions have passed, in time order."""
        wm = self.watermark_s
        if not math.isfinite(wm):
            return []
        return self._through(math.floor(wm / self.cell_s) - 1)  # cells ending by wm

    def drain(self) -> list[Event]:
        """Every cell held (the end of the data: nothing more will come)."""
        held = [*self._events, *self._positions]
        return self._through(max(held)) if held else []

    def _through(self, last: int) -> list[Event]:
        todo = sorted(c for c in {*self._events, *self._positions} if c <= last)
        out: list[Event] = []
        for c in todo:
            events = sorted(self._events.pop(c, []), key=lambda e: (e.time_s, e.icao24, e.type))
            parts = self._positions.pop(c, [])
            pos = PositionBatch.concat(parts) if parts else None
            if pos is not None:
                pos = pos.take(np.lexsort((pos.icao24, pos.time_s)))
            self.state, made = fleet_stage(self.state, self.registry, pos, events)
            out += made
        if self._done_cell is None or last > self._done_cell:
            self._done_cell = last
        return sorted(out, key=lambda e: e.time_s)
