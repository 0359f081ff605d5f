"""A regain of an aircraft parked through the gap (detect/regain.py::regained_on_ground)
changes no event and no state: recordings of aircraft that start and end on the ground at
KWVI, replayed twice in a row 15 min apart (as bench_e2e's state-vector corpus repeats its
positions; the second copy's first fixes are regains on the ground at the same field), give
the same events and the same state of every aircraft with and without the path; and a fix not
parked at the same field goes to the rules."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import detector as D
from flyvakt.detect.base import Context
from flyvakt.detect.regain import regained_on_ground
from flyvakt.detect.state import AircraftState, DetectorState, Fix
from flyvakt.geo import get_world
from flyvakt.model import Event, PositionBatch
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data" / "real-ga"
# Each parked at KWVI at its end and its start: one or two regains on the ground each.
NAMES = ["kwvi1213_a8b764.csv.gz", "kwvi1213_a9d63a.csv.gz"]


def _twice(name: str) -> PositionBatch:
    r = replay_files([str(DATA / name)], keep_positions=True, detect=False)
    p = r.positions
    assert p is not None
    again = p.take(np.arange(len(p)))
    again.time_s = again.time_s + float(p.time_s.max() - p.time_s.min()) + 900.0
    return PositionBatch.concat([p, again])


def _run(p: PositionBatch, batch_s: float) -> tuple[list[dict[str, Any]], dict[int, str]]:
    world, state, events = get_world(), DetectorState(), []
    cut = np.floor((p.time_s - p.time_s.min()) / batch_s)
    for k in np.unique(cut).tolist():
        rows = np.flatnonzero(cut == k)
        b = p.take(rows[np.lexsort((p.time_s[rows], p.icao24[rows]))])
        state, out = D.step(state, b, float(b.time_s.max()), world)
        events += out
    states = {a: repr(st) for a, st in state.aircraft.items()}
    events += D.finish(state, float(p.time_s.max()) + 1.0, world)
    return [e.to_json() for e in events], states


@pytest.mark.parametrize("batch_s", [60.0, 3600.0])  # the gap said by the sweep, or in a batch
def test_regains_on_the_ground_change_no_event_and_no_state(
    batch_s: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = 0
    for name in NAMES:
        p = _twice(name)
        with_path = _run(p, batch_s)
        taken += sum(_regains_on_ground(p, batch_s))
        monkeypatch.setattr(D, "_regained_on_ground", lambda *a: False)
        assert _run(p, batch_s) == with_path  # the same events, the same states
        monkeypatch.undo()
        assert any(e["type"] == "signal_regained" for e in with_path[0])
    assert taken >= 2  # the path is exercised (the equality says something)


def _regains_on_ground(p: PositionBatch, batch_s: float) -> list[bool]:
    """What the path answered at each regain near a field of a replay of ``p``."""
    answers: list[bool] = []
    path = D._regained_on_ground
    with pytest.MonkeyPatch.context() as m:
        m.setattr(D, "_regained_on_ground", lambda *a: answers.append(path(*a)) or answers[-1])
        _run(p, batch_s)
    return answers


def _parked(field_icao: str) -> tuple[AircraftState, Fix, Fix]:
    prev = Fix(1.7e9, 34.9, -121.8, math.nan, 5.0, 0.0, True, "N1", 1200, math.nan, True)
    fx = Fix(1.7e9 + 900.0, 34.9, -121.8, math.nan, 5.0, 0.0, True, "N1", 1200, math.nan, True)
    st = AircraftState(0xA8B764, first=prev, last=prev, ground=True, callsign="N1")
    st.recent, st.lost, st.field_icao = [prev], True, field_icao
    return st, prev, fx


@pytest.mark.parametrize(
    "change", ["airborne before", "no flag", "altitude", "other field", "emergency", "flip"]
)
def test_not_parked_at_the_same_field_goes_to_the_rules(change: str) -> None:
    w = get_world()
    near = w.airports_near(36.98, -121.79, 5.0)  # KWVI, Watsonville
    field = near[0][0]
    st, prev, fx = _parked(field.icao)
    prev.lat = fx.lat = field.lat_deg
    prev.lon = fx.lon = field.lon_deg
    if change == "airborne before":
        st.ground = False
    elif change == "no flag":
        fx.ground_known = False
    elif change == "altitude":
        fx.alt = 200.0
    elif change == "other field":
        st.field_icao = "KSNS"
    elif change == "emergency":
        fx.squawk = 7700
    else:
        st.lost, st.flip_start = False, fx
    out: list[Event] = []
    assert not regained_on_ground(Context(w), st, prev, fx, False, None, None, 0, field, out)  # type: ignore[arg-type]
    assert out == [] and st.last is prev
    st2, prev2, fx2 = _parked(field.icao)
    prev2.lat = fx2.lat = field.lat_deg
    prev2.lon = fx2.lon = field.lon_deg
    assert regained_on_ground(Context(w), st2, prev2, fx2, False, None, None, 0, field, out)  # type: ignore[arg-type]
    assert [e.type for e in out] == ["signal_regained"] and st2.last is fx2 and not st2.lost


@pytest.mark.parametrize("sampled", [False, True])
@pytest.mark.parametrize("said", [True, False])  # the sweep said the gap, or it lies in a batch
def test_one_regain_on_the_ground_leaves_the_rules_state(
    sampled: bool, said: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Right after the fix (no later fix to cover a difference): the same events and the same
    # state of the aircraft as the rules leave, the recent fixes and the flip's fields included.
    w = get_world()
    field = w.airports_near(36.98, -121.79, 5.0)[0][0]
    results = []
    for path in (True, False):
        if not path:
            monkeypatch.setattr(D, "_regained_on_ground", lambda *a: False)
        st, prev, fx = _parked(field.icao)
        prev.lat = fx.lat = field.lat_deg
        prev.lon = fx.lon = field.lon_deg
        st.lost = said
        st.country, st.country_fix = "US", prev
        st.start_pending = True
        st.flip_count = 2  # a Rare made: the flip's fields reset too
        out: list[Event] = []
        country = "MX" if sampled else None  # a change of country across the gap: possible
        D._dispatch(Context(w), st, fx, True, sampled, country, None, 0, field, out)  # type: ignore[arg-type]
        results.append(([e.to_json() for e in out], repr(st)))
    assert results[0] == results[1]
    assert "signal_regained" in [e["type"] for e in results[0][0]]
