"""Shared test data for the serve tests: real recordings replayed into a temporary store.

- tests/data/traffic/full_flight_short.jsonl.gz: AFR34ZG (393322, F-GMZC) LFPG → LFBO,
  2024-07-06, real frames (MIT, traffic package).
- tests/data/traffic/calfire.json.gz: 45 real aircraft state vectors (OpenSky via traffic).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from flyvakt.runtime.replay import replay_files
from flyvakt.store import AircraftRecord, StoreWriter

DATA = Path(__file__).resolve().parents[2] / "data" / "traffic"
AFR = DATA / "full_flight_short.jsonl.gz"
CALFIRE = DATA / "calfire.json.gz"
AFR_HEX = "393322"


def build_store(path: Path) -> Path:
    """Replay both recordings into a store at ``path`` (about 3 s)."""
    writer = StoreWriter(path, queue_size=100_000)
    for rec in (AFR, CALFIRE):
        result = replay_files([str(rec)])
        assert writer.offer(result.positions)
        assert writer.offer(result.events)
    # The registration is what `flyvakt run` learns from its aircraft database; from the
    # provenance notes of the recording (F-GMZC).
    assert writer.offer(AircraftRecord(int(AFR_HEX, 16), registration="F-GMZC", type="A320"))
    writer.close()
    return path


class FakeSubscription:
    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.dropped = 0


class FakeHub:
    """In-memory stand-in for flyvakt.runtime.hub.Hub (synthetic: no engine behind it)."""

    def __init__(self, aircraft: list[dict[str, Any]], now_s: float) -> None:
        self._aircraft = aircraft
        self._now_s = now_s
        self.subs: list[FakeSubscription] = []
        self.unsubscribed = 0

    @property
    def now_s(self) -> float | None:
        return self._now_s

    def aircraft_now(self, now_s: float | None = None) -> list[dict[str, Any]]:
        return list(self._aircraft)

    def subscribe(self, maxsize: int) -> FakeSubscription:
        sub = FakeSubscription(maxsize)
        self.subs.append(sub)
        return sub

    def unsubscribe(self, sub: Any) -> None:
        self.subs.remove(sub)
        self.unsubscribed += 1

    def publish(self, msg: dict[str, Any]) -> None:
        """Never blocks: a full client queue drops and counts (as the real hub must)."""
        for sub in self.subs:
            try:
                sub.queue.put_nowait(msg)
            except asyncio.QueueFull:
                sub.dropped += 1

    def status(self) -> dict[str, Any]:
        return {"messages": 1234, "aircraft": len(self._aircraft), "subscribers": len(self.subs)}
