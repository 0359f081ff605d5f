"""Flights (takeoff → landing legs) from event records: real AFR34ZG; synthetic where marked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import flyvakt
from flyvakt.model.events import AirportRef, Event
from flyvakt.store import FlightRecord, StoreReader, StoreWriter
from flyvakt.store.flights import flights_from_events
from flyvakt.store.schema import MIGRATIONS, migrate

LFPG = AirportRef("LFPG", "CDG", "Paris CDG", "FR", "Europe/Paris", 49.01, 2.55, 392)
LFBO = AirportRef("LFBO", "TLS", "Toulouse", "FR", "Europe/Paris", 43.63, 1.37, 499)


def _ev(kind: str, t: float, ap: AirportRef | None, basis: str = "observed") -> Event:
    # SYNTHETIC event records: only the shape of a detector's output matters here.
    return Event(kind, "4ca7b3", t, callsign="EIN123", airport=ap, basis=basis)  # type: ignore[arg-type]


def test_afr34zg_leg_from_the_real_recording() -> None:
    [leg] = flyvakt.flights(flyvakt.sample_path())
    assert (leg.origin, leg.destination) == ("LFPG", "LFBO")
    assert (leg.takeoff_basis, leg.landing_basis) == ("observed", "observed")
    assert leg.callsign == "AFR34ZG" and f"{leg.icao24:06x}" == "393322"
    assert leg.takeoff_time_s is not None and leg.landing_time_s is not None
    assert 50 * 60 < leg.landing_time_s - leg.takeoff_time_s < 70 * 60  # a one-hour flight
    df = flyvakt.flights(flyvakt.sample_path()).to_pandas()
    assert list(df.columns) == list(flyvakt.FLIGHT_COLUMNS)
    assert str(df["takeoff_time"].dtype) == "datetime64[ns, UTC]"


def test_open_ends_are_left_open_not_made_up() -> None:
    evs = [
        _ev("landing", 100.0, LFBO),  # first seen airborne: no origin
        _ev("takeoff", 200.0, LFBO),
        _ev("takeoff", 900.0, LFPG),  # the landing in between was never detected
        _ev("landing", 1500.0, LFBO, basis="inferred"),
        _ev("takeoff", 2000.0, LFBO),  # still flying at the end of the data
    ]
    legs = flights_from_events(evs)
    ends = [(f.origin, f.destination, f.takeoff_basis, f.landing_basis) for f in legs]
    assert ends == [
        (None, "LFBO", None, "observed"),
        ("LFBO", None, "observed", None),
        ("LFPG", "LFBO", "observed", "inferred"),
        ("LFBO", None, "observed", None),
    ]
    assert [f.first_seen_s for f in legs] == [100.0, 200.0, 900.0, 2000.0]
    # Event records (JSON) give the same legs as Event objects.
    assert flights_from_events(e.to_json() for e in evs) == legs


def test_a_possible_landing_does_not_close_a_leg() -> None:
    evs = [_ev("takeoff", 0.0, LFPG), _ev("landing", 3000.0, LFBO, basis="possible")]
    [leg] = flights_from_events(evs)
    assert leg.destination is None and leg.landing_time_s is None


def test_stopover_and_touch_and_go_are_not_extra_legs() -> None:
    evs = [
        _ev("takeoff", 0.0, LFPG),
        _ev("landing", 3000.0, LFBO),
        _ev("stopover", 3000.0, LFBO),
        _ev("takeoff", 5000.0, LFBO),
        _ev("touch_and_go", 6000.0, LFBO),
        _ev("landing", 9000.0, LFPG),
    ]
    legs = flights_from_events(evs)
    assert [(f.origin, f.destination) for f in legs] == [("LFPG", "LFBO"), ("LFBO", "LFPG")]


@pytest.mark.parametrize("order", ["in order", "landing first, other batch"])
def test_store_writes_flights_from_events_whatever_the_batching(tmp_path: Path, order: str) -> None:
    up, down = _ev("takeoff", 1000.0, LFPG), _ev("landing", 4000.0, LFBO, basis="inferred")
    batches = [[up, down]] if order == "in order" else [[down], [up]]
    path = tmp_path / "s.db"
    w = StoreWriter(path, queue_size=100)
    for b in batches:
        assert w.offer(b)
    w.close()
    with StoreReader(path) as r:
        [f] = r.flights(icao24="4ca7b3")
    assert f == FlightRecord(
        0x4CA7B3, 1000.0, 4000.0, 1000.0, 4000.0, "LFPG", "LFBO", "EIN123", "observed", "inferred"
    )


def test_migration_keeps_flights_written_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for m in MIGRATIONS[:2]:  # a store written before flights had end bases
        m(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO flights VALUES (1, 10.0, 20.0, 10.0, 20.0, 'LFPG', 'LFBO', 'X')")
    assert migrate(conn) == 2
    conn.close()
    with StoreReader(path) as r:
        [f] = r.flights()
    ends = (f.origin, f.destination, f.takeoff_basis, f.landing_basis)
    assert ends == ("LFPG", "LFBO", None, None)
