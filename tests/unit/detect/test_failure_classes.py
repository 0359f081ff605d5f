"""One regression test per failure class of issue 9, each on a real track cut from real-ga.

Every cut in ``tests/data/real-ga/`` is real adsb.lol data (ODbL 1.0; provenance in that folder's
README.md and ``cuts.csv``), replayed through the normal pipeline. The times asserted come from
the hand labels in ``labels.csv`` (made without the detector). "Before" names the detector that
fails the test: *old* is the detector before the rebuild (79bdc6c), *s2* the rebuilt one as the
second session left it (a781fc6); every test here fails on at least one of them.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np

from flyvakt.model import Event
from flyvakt.runtime.replay import ReplayResult, replay_files

REAL_GA = Path(__file__).resolve().parents[2] / "data" / "real-ga"


@cache
def run(cut: str) -> ReplayResult:
    return replay_files([str(REAL_GA / cut)])


def ts(hms: str, day: str) -> float:
    return datetime.fromisoformat(f"{day}T{hms}+00:00").timestamp()


KWVI, MRY = "2025-12-13", "2025-06-01"


def phase(cut: str, kind: str, lo: float, hi: float) -> list[Event]:
    return [e for e in run(cut).events if e.type == kind and lo <= e.time_s <= hi]


def named(events: list[Event]) -> list[str]:
    return [e.airport.icao for e in events if e.airport is not None]


def one_near(cut: str, kind: str, airport: str, at: float, within_s: float) -> Event:
    """The single ``kind`` event within ``within_s`` of ``at``; it names ``airport``."""
    hits = phase(cut, kind, at - within_s, at + within_s)
    assert len(hits) == 1, [(e.type, e.time_iso, e.reason) for e in run(cut).events]
    assert named(hits) == [airport], hits[0].reason
    return hits[0]


def test_missing_vertical_rate_is_missing_not_carried() -> None:
    """Missing fields read as evidence. Before (old, s2): the tracker carried the one vertical
    rate this track reported (+64 ft/min, hours earlier) onto every later fix, and the
    touch-and-go at 21:29 was missed."""
    p = run("kwvi1213_a864dd.csv.gz").positions
    t = p.time_s
    window = (t >= ts("21:28:00", KWVI)) & (t <= ts("21:31:00", KWVI))
    assert window.sum() > 20
    assert np.isnan(p.vertical_rate_fpm[window]).all()  # the source has no rate there
    one_near("kwvi1213_a864dd.csv.gz", "touch_and_go", "KWVI", ts("21:29:17", KWVI), 30)


def test_no_landing_inferred_from_a_track_leaving_the_field() -> None:
    """Missing fields read as evidence: 1,700 ft 1.6 NM from KWVI heading away, then a 39-min
    gap. Before (old): a landing named at KWVI inside the gap."""
    lo, hi = ts("18:55:00", KWVI), ts("19:34:09", KWVI)
    assert named(phase("kwvi1213_a8b764.csv.gz", "landing", lo, hi)) == []


def test_physics_beats_the_flags() -> None:
    """Ground flags trusted over physics. ab46a7 sends "airborne" on every fix, yet rolls out
    at its ground reading from 62 to 22 kt at KMRY; a9d789 still reports the approach's
    -512 ft/min on ground-flagged fixes (with the rate no longer carried, that held-over rate
    cancelled the landing until a descent stopped counting against a ground flag). Before (old):
    no landing for ab46a7."""
    ev = one_near("mry0601_ab46a7.csv.gz", "landing", "KMRY", ts("19:02:48", MRY), 30)
    assert ev.basis == "observed"
    ev = one_near("kwvi1213_a9d789.csv.gz", "landing", "KWVI", ts("22:18:52", KWVI), 30)
    assert ev.basis == "observed"


def test_flapping_flags_still_make_a_landing() -> None:
    """Flapping flags (T F F T F F T T T on the rollout) after a final with no vertical rate.
    Before (s2): no landing at all (the phase was never known to be airborne)."""
    one_near("mry0601_ace95b.csv.gz", "landing", "KSNS", ts("20:30:40", MRY), 30)
    one_near("kwvi1213_a8b764.csv.gz", "touch_and_go", "KWVI", ts("20:46:34", KWVI), 30)


def test_taxi_after_a_gap_is_not_a_takeoff() -> None:
    """Taxiing after a gap. a9d789 is on KWVI's runway before a 5-min gap and flagged
    "airborne" at its ground reading after it. Before (s2): a takeoff inferred inside the gap
    (22:21:45) instead of the roll observed at 22:24."""
    cut = "kwvi1213_a9d789.csv.gz"
    gap_lo, gap_hi = ts("22:19:18", KWVI), ts("22:24:12", KWVI)
    assert phase(cut, "takeoff", gap_lo, gap_hi) == []
    one_near(cut, "takeoff", "KWVI", ts("22:24:28", KWVI), 15)


def test_departure_from_the_surface_before_a_long_gap() -> None:
    """On KMRY's surface when a 23-min gap starts, at 4,950 ft 12 NM away when it ends: the
    takeoff can only have been from KMRY (time inside the gap, inferred). Before (s2): no
    airport named."""
    lo, hi = ts("19:03:35", MRY), ts("19:26:21", MRY)
    ev = phase("mry0601_ab46a7.csv.gz", "takeoff", lo, hi)
    assert named(ev) == ["KMRY"] and ev[0].basis == "inferred"


def test_no_airport_guessed_across_a_long_gap() -> None:
    """Airports guessed across long gaps / the glide-envelope edge: a3e731 descends at 4,350 ft
    8 NM from KOAR, then 9 min of nothing, then flies KMRY's pattern (5.5 NM from KOAR).
    Before (old): an airport named for a landing inside the gap."""
    lo, hi = ts("17:46:54", MRY), ts("17:55:43", MRY)
    for kind in ("landing", "takeoff", "touch_and_go", "stopover"):
        assert named(phase("mry0601_a3e731.csv.gz", kind, lo, hi)) == [], kind
    one_near("mry0601_a3e731.csv.gz", "landing", "KMRY", ts("17:57:23", MRY), 60)


def test_pressure_altitude_is_not_height() -> None:
    """Pressure altitude read as height: a864dd's runway reads 50 ft baro against KWVI's
    163 ft, and it never sends a ground flag. Before (old, s2): its touch-and-goes were
    missed."""
    cut = "kwvi1213_a864dd.csv.gz"
    one_near(cut, "touch_and_go", "KWVI", ts("21:41:50", KWVI), 30)
    one_near(cut, "takeoff", "KWVI", ts("21:42:17", KWVI), 15)


def test_no_ground_flags_at_all() -> None:
    """No ground flags: aa34f1's touch-and-goes at KSNS from altitude and groundspeed alone
    (the floor of the descent, slowing on the runway). Before (old): missed."""
    cut = "mry0601_aa34f1.csv.gz"
    one_near(cut, "touch_and_go", "KSNS", ts("18:44:56", MRY), 30)
    one_near(cut, "touch_and_go", "KSNS", ts("18:49:24", MRY), 30)


def test_touchdown_inside_a_gap_and_nothing_after_it() -> None:
    """Touchdown in a reception gap: aa34f1 on final to KSNS when a 9-min gap starts, rolling
    on KSNS at its ground reading (speed a placeholder) when it ends: one inferred landing at
    KSNS and no takeoff. Before (old): two landings named at KSNS (and, with the tracker fix
    alone, a takeoff and a second landing at 19:04:04)."""
    cut = "mry0601_aa34f1.csv.gz"
    lo = ts("18:54:49", MRY)
    land = phase(cut, "landing", lo, math.inf)
    assert named(land) == ["KSNS"] and land[0].basis == "inferred"
    assert phase(cut, "takeoff", lo, math.inf) == []
