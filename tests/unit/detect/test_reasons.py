"""A flip confirmed on one position says where that position lies only when it is true.

Real data: the CAL FIRE and kiwi samples of `traffic` (OpenSky data, MIT;
tests/data/PROVENANCE.md). Before (main 78e302b) every one-fix flip ended "; the last fix of
the data", also mid-data: calfire a3d1e2's takeoffs at 23:46:00 and 01:00:02 have fixes after
them without a gap, and the one at 00:19:10 a lost signal and more data after it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from flyvakt.model.events import Event
from flyvakt.runtime.replay import ReplayResult, replay_files

TRAFFIC = Path(__file__).resolve().parents[2] / "data" / "traffic"
ONE = "on one position only"


@cache
def _replay(name: str) -> ReplayResult:
    return replay_files([str(TRAFFIC / name)])


def _flip_fix_s(res: ReplayResult, ev: Event) -> float:
    """The time of the position the event stands on (the one at its coordinates)."""
    p = res.positions
    mine = np.flatnonzero(p.icao24 == int(ev.icao24, 16))
    assert ev.lat is not None and ev.lon is not None
    off = np.hypot(p.lat_deg[mine] - ev.lat, p.lon_deg[mine] - ev.lon)
    k = mine[int(np.argmin(off))]
    assert off.min() < 1e-4, (ev.time_iso, off.min())
    return float(p.time_s[k])


def _check(name: str) -> list[Event]:
    res = _replay(name)
    ones = [e for e in res.events if ONE in e.reason]
    for ev in ones:
        at = _flip_fix_s(res, ev)
        p = res.positions
        later = p.time_s[(p.icao24 == int(ev.icao24, 16)) & (p.time_s > at)]
        lost_there = any(
            e.type == "signal_lost" and e.icao24 == ev.icao24 and e.time_s == at for e in res.events
        )
        assert ev.basis == "inferred", ev.reason
        assert ("the last fix of the data" in ev.reason) == (later.size == 0), (ev.reason, at)
        assert ("the last before the signal was lost" in ev.reason) == lost_there, ev.reason
    return ones


def test_one_fix_flips_in_calfire_say_last_fix_only_when_it_is() -> None:
    ones = _check("calfire.json.gz")
    offs = {e.time_iso[11:19]: e.reason for e in ones if e.icao24 == "a3d1e2"}
    assert offs["23:46:00"].endswith(f"; {ONE}"), offs
    assert offs["01:00:02"].endswith(f"; {ONE}"), offs
    assert offs["00:19:10"].endswith(f"; {ONE}, the last before the signal was lost"), offs
    assert not any("last fix of the data" in r for r in offs.values()), offs


def test_one_fix_flip_at_the_end_of_kiwi_says_so() -> None:
    (land,) = _check("kiwi.json.gz")
    assert land.icao24 == "c820d1" and land.airport is not None
    assert land.reason.endswith(f"; {ONE}, the last fix of the data"), land.reason
