"""A plain regain (detect/regain.py) changes no event and no state: real recordings replayed with
and without the path give the same events and the same detector state per aircraft, and so do
built regains that take each branch of it (a pending flip, a landing to judge again, the gap
rules asked and answering, a country changed across the gap, an approach that may start)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import detector as D
from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, gap_details, hex_of
from flyvakt.detect.gaps import may_be_low, may_be_low_many
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.geo import get_world
from flyvakt.model import Event
from flyvakt.model.batches import icao_hex
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
MRY = sorted(str(p) for p in (DATA / "real-ga").glob("mry0601_*.csv.gz"))
# Recordings with gaps far from fields (the fire-fighters, the Monterey Bay cell: plain regains)
# and near them (the KWVI circuits, the a54127 cut's landing judged again).
CASES: list[list[str]] = [
    [str(DATA / "traffic/calfire.json.gz")],
    MRY,
    [str(DATA / "real-ga/kwvi1213_a81c98.csv.gz")],
    [str(DATA / "cuts/calfire_a54127.json.gz")],
]


def _replay(paths: list[str], batch: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    r = replay_files(paths, batch_size=batch)
    states = {a: repr(st) for a, st in r.state.detector.aircraft.items()}
    return [e.to_json() for e in r.events], states


@pytest.mark.parametrize("paths", CASES, ids=["calfire", "mry0601", "kwvi_a81c98", "a54127"])
@pytest.mark.parametrize("batch", [64, 4096])
def test_plain_regains_change_no_event_and_no_state(
    paths: list[str], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    plainly = D._regained_plainly

    def counted(*a: Any) -> bool:
        taken.append(plainly(*a))
        return taken[-1]

    monkeypatch.setattr(D, "_regained_plainly", counted)
    fast, fast_states = _replay(paths, batch)
    monkeypatch.setattr(D, "_regained_plainly", lambda *a: False)
    slow, slow_states = _replay(paths, batch)
    assert fast == slow
    assert fast_states == slow_states
    if paths == CASES[0] or paths == MRY:  # the path is exercised (the equality says something)
        assert sum(taken) >= (5 if paths == CASES[0] else 1)


# Over the North Atlantic: no airport within any radius the rules search.
LAT, LON = 45.0, -30.0


def _fix(t: float, alt: float, vr: float = 0.0, gs: float = 450.0, dlat: float = 0.0) -> Fix:
    return Fix(t, LAT + dlat, LON, alt, gs, vr, False, "TEST123", 1000, math.nan, True)


def _lost_state(prev: Fix) -> AircraftState:
    """An aircraft airborne, its last fix ``prev``, said lost by the sweep."""
    st = AircraftState(0x4CA123, first=prev, last=prev, ground=False, callsign="TEST123")
    st.recent = [prev]
    st.lost = True
    st.country = "PT"
    st.country_fix = prev
    return st


def _both(
    st: AircraftState, fx: Fix, sampled: bool = True, country: str | None = "PT"
) -> tuple[list[dict[str, Any]], str, bool]:
    """(events, state) from the dispatch with the plain path, checked equal to the rules'
    without it; and whether the path took the fix."""
    ctx = Context(get_world())
    results = []
    taken: list[bool] = []
    for plain in (True, False):
        s, f, out = copy.deepcopy(st), copy.deepcopy(fx), []  # type: ignore[var-annotated]
        original = D._regained_plainly

        def take(*a: Any, plain: bool = plain, original: Any = original) -> bool:
            done: bool = original(*a) if plain else False
            taken.append(done)
            return done

        D._regained_plainly = take  # type: ignore[assignment]
        try:
            D._dispatch(ctx, s, f, True, sampled, country, None, 0, None, out)  # type: ignore[arg-type]
        finally:
            D._regained_plainly = original
        results.append(([e.to_json() for e in out], repr(s)))
    assert results[0] == results[1]
    return results[0][0], results[0][1], bool(taken) and taken[0]


@pytest.mark.parametrize("flagged", [True, False])
def test_plain_regain_at_cruise(flagged: bool) -> None:
    prev = _fix(1000.0, 35000.0)
    fx = _fix(2000.0, 35000.0, dlat=1.0)
    fx.ground_known = flagged  # not flagged: airborne by the estimate
    events, _, taken = _both(_lost_state(prev), fx)
    assert taken
    assert [e["type"] for e in events] == ["signal_regained"]


def test_plain_regain_resets_a_pending_flip() -> None:
    prev = _fix(1000.0, 35000.0)
    st = _lost_state(prev)
    st.flip_start, st.flip_prev, st.flip_count, st.flip_votes = prev, prev, 2, 3
    st.flip_why = "ground flag"
    assert st.rare is not None
    _events, state, taken = _both(st, _fix(2000.0, 35000.0, dlat=1.0))
    assert taken
    assert "flip_count=0," in state and "flip_start=None" in state


@pytest.mark.parametrize("alt_after", [1400.0, 35000.0])
def test_plain_regain_asks_the_gap_rules_after_a_landing(alt_after: float) -> None:
    # A landing inferred at the fix before the gap (not by the sweep: not withdrawn), seen
    # airborne again, low or high: the gap rules infer that it left again; the lift-off
    # candidate is not cleared (an event came from them).
    prev = _fix(1000.0, 1200.0, vr=-700.0, gs=120.0)
    st = _lost_state(prev)
    st.last_landing = Event("landing", icao_hex(st.icao24), prev.t, basis="inferred")
    st.lift_before, st.lift_cand = prev, prev
    fx = _fix(1600.0, alt_after, vr=800.0, gs=130.0, dlat=0.1)
    events, state, taken = _both(st, fx)
    assert taken
    assert [e["type"] for e in events] == ["signal_regained", "takeoff"]
    assert "lift_cand=Fix(" in state


def test_plain_regain_with_an_implausible_altitude() -> None:
    # 40,000 ft higher 130 s after the last plausible altitude (at most 300 ft + 12,000 ft/min
    # can follow): missing, not evidence.
    prev = _fix(1000.0, 35000.0)
    st = _lost_state(prev)
    st.alt_ok_t, st.alt_ok_ft = prev.t, prev.alt
    events, state, taken = _both(st, _fix(1130.0, 75000.0, dlat=0.5))
    assert taken
    assert events[0]["altitude_baro_ft"] == 75000.0  # the event is made before the check
    assert "last=Fix(t=1130.0, lat=45.5, lon=-30.0, alt=nan," in state


def test_plain_regain_judges_a_lost_landing_again() -> None:
    prev = _fix(1000.0, 1200.0, vr=-700.0, gs=120.0)
    st = _lost_state(prev)
    ev = Event("landing", icao_hex(st.icao24), prev.t + R.LOST_LANDING_S, basis="inferred")
    ev.details = {"signal_lost_after": True}
    st.last_landing = ev
    events, _, taken = _both(st, _fix(4000.0, 2400.0, vr=500.0, gs=200.0, dlat=0.2))
    assert taken
    assert [e["type"] for e in events] == ["signal_regained", "landing_withdrawn"]


def test_plain_regain_low_on_both_sides_asks_the_gap_rules() -> None:
    # Low before and after the gap (the finals and climbs are searched), with no airport near.
    prev = _fix(1000.0, 1000.0, vr=-600.0, gs=110.0)
    events, _, taken = _both(_lost_state(prev), _fix(1500.0, 900.0, vr=600.0, gs=110.0))
    assert taken
    assert [e["type"] for e in events] == ["signal_regained"]


def test_plain_regain_country_changed_and_approach() -> None:
    prev = _fix(1000.0, 9000.0)
    fx = _fix(2000.0, 5000.0, vr=-1200.0, gs=250.0, dlat=0.5)
    events, state, taken = _both(_lost_state(prev), fx, country="ES")
    assert taken
    assert [e["type"] for e in events] == ["signal_regained", "airspace_exit", "airspace_entry"]
    assert "approach_checked_s=2000.0" in state  # the approach rule was asked


@pytest.mark.parametrize("low", [True, False])
def test_plain_regain_after_a_gap_inside_one_batch(low: bool) -> None:
    # The sweep did not see the gap: signal_lost is said first (low: the rule searches finals).
    prev = _fix(1000.0, 1200.0 if low else 35000.0, vr=-700.0 if low else 0.0)
    st = _lost_state(prev)
    st.lost = False
    events, _, taken = _both(st, _fix(1500.0, 35000.0, dlat=1.0))
    assert taken
    assert [e["type"] for e in events] == ["signal_lost", "signal_regained"]


@pytest.mark.parametrize(
    "change",
    ["ground", "ground estimated", "emergency", "not lost, a flip pending", "phase unknown"],
)
def test_not_plain_goes_to_the_rules(change: str) -> None:
    prev = _fix(1000.0, 35000.0)
    st, fx = _lost_state(prev), _fix(2000.0, 35000.0, dlat=1.0)
    if change == "ground":
        fx.ground = True
    elif change == "ground estimated":
        fx.ground, fx.ground_known = True, False
    elif change == "emergency":
        fx.squawk = 7700
    elif change == "not lost, a flip pending":
        st.lost, st.flip_start, st.flip_prev, st.flip_votes = False, prev, prev, 1
    else:
        st.ground = None
    _events, _state, taken = _both(st, fx)
    assert not taken


def test_cached_address_is_the_made_one() -> None:
    for a in (0, 0x4CA123, 0xFFFFFF, 1 << 24 | 0xABCDEF):
        for _ in range(2):  # the second from the cache
            assert hex_of(a) == icao_hex(a)


def test_gap_details_written_out_as_before() -> None:
    a = Fix(10.0, 45.123456789, -0.0, 1234.5, 0.0, 0.0, True, None, 0)
    b = Fix(200.0, 0.0, 179.999995, math.nan, 0.0, 0.0, False, None, 0)
    brief = {  # the former _fix_brief, one function per fix
        id(a): {"lat": round(a.lat, 5), "lon": -0.0, "altitude_baro_ft": 1234, "on_ground": True},
        id(b): {"lat": 0.0, "lon": round(b.lon, 5), "altitude_baro_ft": None, "on_ground": False},
    }
    for rounded in ({}, {a.lat: round(a.lat, 5), b.lon: round(b.lon, 5)}):
        got = gap_details(a, b, rounded)
        assert repr(got) == repr(
            {
                "gap": {
                    "start": "1970-01-01T00:00:10Z",
                    "end": "1970-01-01T00:03:20Z",
                    "last_known": brief[id(a)],
                    "first_after": brief[id(b)],
                }
            }
        )


def test_may_be_low_many_answers_as_may_be_low() -> None:
    ctx = Context(get_world())
    top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + R.FINAL_HEIGHT_FT
    values = [math.nan, -1000.0, 0.0, top - 1.0, top, math.nextafter(top, math.inf), 45000.0]
    pairs = [(a, g) for a in values for g in values]
    alt = np.array([a for a, _ in pairs])
    gnss = np.array([g for _, g in pairs])
    many = may_be_low_many(ctx, alt, gnss, R.FINAL_HEIGHT_FT).tolist()
    one = []
    for a, g in pairs:
        fx = _fix(0.0, a)
        fx.alt_gnss = g
        one.append(may_be_low(ctx, fx, R.FINAL_HEIGHT_FT))
    assert many == one
    assert any(many) and not all(many)


def test_gap_prepass_searches_only_where_a_rule_may_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fire-fighters' gaps: the searches in advance are fewer than one per gap side and
    # radius (many gaps at cruise ask none), and the rules search alone no more than before
    # (test_shortcuts: the same events with every search alone).
    searched: list[int] = []
    search = Context.search_near

    def counted(self: Context, lats: Any, lons: Any, radius_nm: float) -> None:
        searched.append(len(lats))
        search(self, lats, lons, radius_nm)

    monkeypatch.setattr(Context, "search_near", counted)
    gaps: list[int] = []
    prepass = D.gap_prepass

    def counted_gaps(ctx: Any, state: Any, p: Any, rows: Any, *a: Any) -> None:
        gaps.append(len(rows))
        prepass(ctx, state, p, rows, *a)

    monkeypatch.setattr(D, "gap_prepass", counted_gaps)
    _replay(CASES[0], 512)
    assert sum(gaps) > 50
    assert sum(searched) < 4 * sum(gaps)  # 2 sides x 2 radii each before
