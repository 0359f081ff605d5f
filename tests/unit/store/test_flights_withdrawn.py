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


def test_a_mix_of_events_and_records_is_settled_in_order() -> None:
    """Events and records mixed (a record's withdrawal takes back an Event's landing): the rest
    keep their order. Each kind was settled apart and the kinds concatenated: the withdrawal,
    a record, could not reach the landing, an Event, and the order was lost."""
    from flyvakt.store.flights import _settled

    raw = _raw()
    # The landing (an Event) and its withdrawal (a record), the rest alternating.
    mixed = [
        e.to_json() if k % 2 == 0 or e.type == "landing_withdrawn" else e for k, e in enumerate(raw)
    ]
    assert any(isinstance(e, Event) and e.type == "landing" for e in mixed)
    got = _settled(mixed)  # type: ignore[arg-type]
    assert not any(
        (e.type if isinstance(e, Event) else e["type"]) in ("landing", "landing_withdrawn")
        and (e.details if isinstance(e, Event) else e.get("details", {})).get("signal_lost_after")
        for e in got
    )
    kept = [e for e in mixed if any(e is g for g in got)]
    assert [id(e) for e in got] == [id(e) for e in kept]  # same order as given
    assert len(got) == len(mixed) - 2
