"""#9: a withdrawn landing does not end a flight leg, in the store (whatever the batches) and
from events. Real events: calfire a54127 at one record per batch (tests/data/cuts,
tests/unit/detect/test_gap_rejudge.py): a landing at KSTS inferred 20 min after the signal
was lost at 00:23:16, withdrawn when the aircraft was seen again at 00:58:28."""

from __future__ import annotations

from pathlib import Path

from tests.unit.detect.test_gap_rejudge import _run

from flyvakt.model import Event
from flyvakt.store import StoreReader, StoreWriter
from flyvakt.store.flights import flights_from_events


def _raw() -> list[Event]:
    return _run(True)[0]


def test_a_withdrawn_landing_ends_no_leg() -> None:
    raw = _raw()
    before = [e for e in raw if e.type != "landing_withdrawn"]
    assert [f.destination for f in flights_from_events(before)] == ["KSTS"]  # the test can fail
    assert [f.destination for f in flights_from_events(raw)] == []
    assert flights_from_events([e.to_json() for e in raw]) == []


def test_the_store_takes_the_leg_back_when_the_withdrawal_comes(tmp_path: Path) -> None:
    raw = _raw()
    (i,) = [n for n, e in enumerate(raw) if e.type == "landing_withdrawn"]
    path = tmp_path / "s.db"
    w = StoreWriter(path, queue_size=100)
    assert w.offer(raw[:i])  # live: the landing is said, and ends a leg for now
    w.close()
    with StoreReader(path) as r:
        assert [f.destination for f in r.flights(icao24="a54127")] == ["KSTS"]
    w = StoreWriter(path, queue_size=100)
    assert w.offer(raw[i:])  # seen again: withdrawn
    w.close()
    with StoreReader(path) as r:
        assert r.flights(icao24="a54127") == []
