"""The detector's shortcuts change no event (calm.py: calm fixes in the air, first fixes in the
air, those of new aircraft built at once, in the air or on the ground, taxi fixes without
altitude; detector.py: rules asked only on the fixes they can act on, taxi fixes looked up only
when hot, the approach's airport
searches done in advance for the batch, and those of the fixes on both sides of each coverage
gap with their time zones (prepass.gap_prepass); coverage.py: the lost-signal airport search
only within reach; the signal-lost sweep's vectorised airport search, batch time-zone lookup,
and the events of aircraft lost plainly, or with no flip pending, built without the rule). Real
recordings replayed with the shortcuts, and with every hot fix going to every rule of RULES and
every airport looked up, give the same events."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import calm as Calm
from flyvakt.detect import coverage as C
from flyvakt.detect import detector as D
from flyvakt.detect import prepass as P
from flyvakt.detect import rules as R
from flyvakt.detect import sweep as S
from flyvakt.detect.base import Context, Hot
from flyvakt.detect.gaps import ref_key
from flyvakt.detect.prepass import ground_estimate
from flyvakt.detect.state import Fix
from flyvakt.geo import get_world
from flyvakt.geo.world import World
from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
# Real: fire-fighting aircraft over California (many aircraft, low passes, gaps); GA circuits
# with touch-and-goes at KWVI (phase flips, lift-offs after intervals); AFR34ZG from the gate at
# LFPG to cruise (taxi and take-off roll with ground flags: calm_ground); every Monterey Bay
# track of real-ga/ replayed together (first fixes in the air: calm's first-fix path).
MRY = sorted(p.relative_to(DATA).as_posix() for p in (DATA / "real-ga").glob("mry0601_*.csv.gz"))
KWVI = sorted(p.relative_to(DATA).as_posix() for p in (DATA / "real-ga").glob("kwvi1213_*.csv.gz"))
CASES: list[str | list[str]] = [
    "traffic/calfire.json.gz",
    "real-ga/kwvi1213_a81c98.csv.gz",
    "traffic/full_flight_short.jsonl.gz",
    MRY,
]
# Where the sweep finds aircraft lost plainly (far from fields or high): the fire-fighters and
# the Monterey Bay cell; the KWVI circuits are lost near the field.
PLAIN_LOSSES = {"traffic/calfire.json.gz", "mry0601"}


def _every_rule(
    ctx: Any, st: Any, fx: Any, is_gap: bool, sampled: bool, country: Any, p: Any, i: int,
    field: Any, out: list[Any],
) -> None:  # fmt: skip
    """The dispatch without shortcuts: every rule sees every hot fix."""
    if fx.callsign:
        st.callsign = fx.callsign
    prev = st.last
    if prev is not None and fx.t < prev.t:
        return
    if prev is None:
        st.first = fx
        st.ground = fx.ground
    h = Hot(fx, prev, bool(is_gap or st.lost) and prev is not None, sampled, country, p, i, field)
    for rule in D.RULES:
        rule.on_fix(ctx, st, h, out)
    D._remember(st, fx)


def _lost_by_the_rule(
    rule: C.CoverageRule, ctx: Any, st: Any, last: Any, out: list[Any], tz: str, *, icao: str
) -> bool:
    """The sweep's path for aircraft with no flip pending, taken by CoverageRule.lost."""
    return rule.lost(ctx, st, last, out)  # the sweep asks only with a field within reach


def _tz_one_by_one(w: World, lats: Any, lons: Any) -> list[str]:
    return [w.tz_at(a, o) for a, o in zip(lats.tolist(), lons.tolist(), strict=True)]


def _events(names: str | list[str], batch: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The events, and each aircraft's detector state at the end (as text: NaN equals NaN)."""
    paths = [str(DATA / n) for n in ([names] if isinstance(names, str) else names)]
    r = replay_files(paths, batch_size=batch)
    # The sweep's plain path leaves a lost aircraft's last fix behind the recorded one
    # (whatever reads it next brings it up first: detect/sweep.py): compared as that reader
    # sees it, as test_sweep.py does.
    det = r.state.detector
    for a, st in det.aircraft.items():
        if a in det.lastfix.index:
            S.refresh(st, det.lastfix.values(det.lastfix.index[a]))
    states = {a: repr(st) for a, st in det.aircraft.items()}
    return [e.to_json() for e in r.events], states


# How often each calm path took a fix, over the fast replays (test_calm_paths_are_exercised).
TAKEN: Counter[str] = Counter()


def _counting(fn: Callable[..., bool], kind: Callable[[Any], str]) -> Callable[..., bool]:
    def wrapped(ctx: Any, st: Any, *a: Any) -> bool:
        k = kind(st)  # before the call: the path may give the aircraft its first fix
        done = fn(ctx, st, *a)
        TAKEN[k] += done
        return done

    return wrapped


def _fast_events(name: str | list[str]) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The events with the shortcuts, counting the fixes each calm path took."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(D, "_calm", _counting(D._calm, lambda st: "air" if st.last else "first"))
        m.setattr(D, "_calm_ground", _counting(D._calm_ground, lambda st: "ground"))
        for fn, kind in (("calm_first_many", "first"), ("calm_first_ground_many", "first ground")):
            m.setattr(Calm, fn, _counting_built(getattr(Calm, fn), kind))
        return _events(name, 512)


def _counting_built(fn: Callable[..., list[Any]], kind: str) -> Callable[..., list[Any]]:
    def wrapped(*a: Any) -> list[Any]:
        built = fn(*a)
        TAKEN[kind] += len(built)
        return built

    return wrapped


@pytest.mark.parametrize("name", CASES, ids=lambda n: n if isinstance(n, str) else "mry0601")
def test_shortcuts_change_no_event(name: str | list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    plain = C.CoverageRule.lost_plainly
    taken: list[str] = []

    def counted(self: C.CoverageRule, st: Any, *a: Any) -> Any:
        taken.append(st.icao24)
        return plain(self, st, *a)

    monkeypatch.setattr(C.CoverageRule, "lost_plainly", counted)
    unflipped = C.CoverageRule.lost_unflipped
    near: list[str] = []

    def counted_near(self: C.CoverageRule, ctx: Any, st: Any, *a: Any, **k: Any) -> bool:
        near.append(st.icao24)
        return unflipped(self, ctx, st, *a, **k)

    monkeypatch.setattr(C.CoverageRule, "lost_unflipped", counted_near)
    fast, fast_states = _fast_events(name)
    fields = D._fields
    monkeypatch.setattr(D, "_calm", lambda *a: False)
    monkeypatch.setattr(D, "_calm_ground", lambda *a: False)
    monkeypatch.setattr(D, "_calm_new_many", lambda *a: None)
    monkeypatch.setattr(D, "_dispatch", _every_rule)
    monkeypatch.setattr(D, "_fields", lambda c, p, g, hot: fields(c, p, g, np.ones_like(hot)))
    # ... however high the fix: any airport of the table may be near it.
    top = get_world().highest_airport_ft()
    monkeypatch.setattr(P.FieldSearch, "highest_ft", lambda fs: np.full(len(fs.cell), top))
    monkeypatch.setattr(C, "_within_reach", lambda ctx, fx: True)
    monkeypatch.setattr(D, "_approach_near", lambda *a: None)  # every approach search alone
    monkeypatch.setattr(D, "gap_prepass", lambda *a: None)  # every gap's searches alone
    # The signal-lost sweep: every lost aircraft searched, every time zone looked up alone.
    monkeypatch.setattr(S, "PLAIN", False)
    monkeypatch.setattr(S, "field_near", lambda ctx, lf, rows: (np.ones(len(rows), np.bool_),) * 2)
    monkeypatch.setattr(World, "tz_many", _tz_one_by_one)
    # ... and every lost aircraft through CoverageRule.lost, its last fix refreshed first.
    monkeypatch.setattr(C.CoverageRule, "says_nothing_more", lambda *a, **k: False)
    monkeypatch.setattr(C.CoverageRule, "lost_unflipped", _lost_by_the_rule)
    slow, slow_states = _events(name, 512)
    assert len(fast) >= 2
    assert any(e["type"] in ("signal_lost", "takeoff") for e in fast)
    case = name if isinstance(name, str) else "mry0601"
    assert bool(taken) == (case in PLAIN_LOSSES)  # the sweep's plain path is exercised
    assert bool(near) == (case in PLAIN_LOSSES)  # ... and its path without a flip pending
    assert fast == slow
    assert fast_states == slow_states


def test_calm_paths_are_exercised() -> None:
    # The equality above says something about each calm path only if the replays took it
    # (counted by the test above; run alone, this replays the cases itself).
    if not TAKEN:
        for name in CASES:
            _fast_events(name)
    assert TAKEN["air"] > 100 and TAKEN["ground"] > 100 and TAKEN["first"] >= 5, TAKEN
    assert TAKEN["first ground"] >= 2, TAKEN


def test_every_rule_is_dispatched_in_order() -> None:
    # _dispatch names each rule; one added to RULES must be added there too.
    assert D.RULES == (D.COVERAGE, D.PHASE, D.SPOOFING, D.AIRSPACE, D.APPROACH, D.EMERGENCY)


def test_fields_reach_the_highest_airport() -> None:
    # SPNH (14,965 ft) is higher than the 14,500 ft the pre-pass once took for the highest
    # airport: a fix just low enough over it must still find it.
    world = get_world()
    i = world.airports.index_of("SPNH")
    assert i is not None
    ap = world.airport_ref(i)
    elev = float(world.airport_elevations_ft(np.array([i]))[0])
    assert elev > 14_900
    p = PositionBatch.empty(1)
    p.time_s[0], p.lat_deg[0], p.lon_deg[0] = 1_720_000_000.0, ap.lat_deg, ap.lon_deg
    p.altitude_baro_ft[0] = elev + R.FIELD_LOW_FT + R.QNH_TOL_FT - 100.0
    p.on_ground[0], p.groundspeed_kt[0], p.icao24[0] = 0, 120.0, 0x3C6444
    field_i, _clear, _high, _fs = D._fields(
        Context(world), p, ground_estimate(p), np.ones(1, np.bool_)
    )
    assert field_i.tolist() == [i]


def test_tz_many_answers_as_tz_at() -> None:
    # The sweep's batch time-zone lookup: the same zone as one lookup per point, on land, at
    # sea (nautical zones), near zone borders and on the antimeridian.
    world = get_world()
    rng = np.random.default_rng(3)
    lats = np.r_[rng.uniform(-85, 85, 300), 48.86, 47.0, 51.5, 0.0, -16.9, 65.5]
    lons = np.r_[rng.uniform(-180, 180, 300), 2.35, 7.5, -0.1, 180.0, -179.99, -168.9]
    want = [world.tz_at(a, o) for a, o in zip(lats.tolist(), lons.tolist(), strict=True)]
    assert world.tz_many(lats, lons) == want
    assert len(set(want)) > 20


def test_new_aircraft_in_the_air_built_at_once_as_by_calm() -> None:
    # calm_first_many (the detector's bulk path for new aircraft whose first fix is calm in the
    # air) leaves each state as DetectorState.get then calm() would, field for field: on every
    # airborne fix of real AFR34ZG and Monterey Bay tracks, as if each were some new aircraft's
    # first; with and without a country sample, and without a callsign or an altitude (blanked
    # on every 5th and every 11th fix, as when a source sends none).
    from flyvakt.detect.calm import calm, calm_first_many
    from flyvakt.detect.prepass import fix_columns
    from flyvakt.detect.state import DetectorState, Fix

    files = [str(DATA / n) for n in ["traffic/full_flight_short.jsonl.gz", *MRY]]
    p = replay_files(files, keep_positions=True, detect=False).positions
    rows = np.flatnonzero(p.on_ground == 0)
    assert len(rows) > 5_000
    cols = fix_columns(p, ground_estimate(p), rows)
    n = len(rows)
    cols[7] = [None if k % 5 == 0 else c for k, c in enumerate(cols[7])]
    cols[3] = [math.nan if k % 11 == 0 else h for k, h in enumerate(cols[3])]
    sampled = (np.arange(n) % 3 == 0).tolist()
    countries = [None if k % 7 == 0 else "US" for k in range(n)]
    icaos = list(range(n))
    fast = DetectorState()
    built = calm_first_many(fast.aircraft, icaos, list(map(Fix, *cols)), sampled, countries)
    slow = DetectorState()
    ctx = Context(get_world())
    for a, fx, smp, c in zip(icaos, map(Fix, *cols), sampled, countries, strict=True):
        assert calm(ctx, slow.get(a), fx, smp, c, p, 0, True, [])
    assert [st.icao24 for st in built] == icaos
    assert {a: repr(st) for a, st in fast.aircraft.items()} == {
        a: repr(st) for a, st in slow.aircraft.items()
    }
    kinds = Counter(
        (st.callsign is None, st.country_fix is None, np.isnan(st.alt_ok_ft)) for st in built
    )
    assert len(kinds) == 8, kinds  # the cases above all occur


def _count_scalar_searches(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """World.airports_near counting its calls: the latitude of each, in a list."""
    calls: list[float] = []
    scalar = World.airports_near

    def counted(self: World, lat: float, *a: Any, **k: Any) -> Any:
        calls.append(lat)
        return scalar(self, lat, *a, **k)

    monkeypatch.setattr(World, "airports_near", counted)
    return calls


def test_gap_searches_in_advance_answer_as_the_scalar_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Context.search_near (gap_prepass's look-ups): the lists World.airports_near gives, at
    # each radius the gap rules ask with, around busy fields (LFPG, KWVI), in the open and at
    # the pole; a position that is not finite is left out (the rules never search one).
    world = get_world()
    rng = np.random.default_rng(5)
    centre = [(49.0097, 2.5479), (34.8943, -121.5143), (60.0, 10.0), (89.99, 0.0)]
    lats = np.concatenate([a + rng.normal(0, 0.08, 60) for a, _o in centre] + [[math.nan]])
    lons = np.concatenate([o + rng.normal(0, 0.08, 60) for _a, o in centre] + [[2.0]])
    lats = np.clip(lats, -90, 90)
    radii = (R.GROUND_AIRPORT_NM, R.FINAL_NM, R.CLOSE_NM)
    want = {
        (a, o, r): world.airports_near(a, o, r)
        for a, o in zip(lats[:-1].tolist(), lons[:-1].tolist(), strict=True)
        for r in radii
    }
    ctx = Context(world)
    for r in radii:
        ctx.search_near(lats, lons, r)
    calls = _count_scalar_searches(monkeypatch)
    got = {key: ctx.airports_near(*key) for key in want}
    assert got == want
    assert sum(len(v) for v in want.values()) > 300  # many fields within reach
    assert calls == [] and len(ctx.near_gaps) == len(want)
    # The gap rules' airport on each side (airport_at: the nearest alone, from the same
    # search) is airport_for's, searched in advance or not.
    # airport_at answers from the row kept beside each list, never building the list.
    alone = Context(world)

    def no_list(k: int, most: int = 0) -> Any:
        raise AssertionError("airport_at built a list")

    rows_only = Context(world)
    rows_only.near_gaps = {key: (no_list, k, row) for key, (_at, k, row) in ctx.near_gaps.items()}
    named = 0
    for a, o, r in want:
        fx = Fix(0.0, a, o, math.nan, math.nan, math.nan, False, None, -1)
        ap = rows_only.airport_at(fx, r)
        assert ap is ctx.airport_for(fx, r)[0], (a, o, r)
        assert ap == alone.airport_at(fx, r), (a, o, r)
        named += ap is not None
    assert named > 20  # on the surface of a field, often


def test_gap_prepass_is_exercised(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fire-fighters' gaps: with the look-ups done in advance, the gap rules search alone
    # far less often, and the events are the same (test_shortcuts_change_no_event).
    calls = _count_scalar_searches(monkeypatch)
    fast = _events("traffic/calfire.json.gz", 512)[0]
    n_fast = len(calls)
    monkeypatch.setattr(D, "gap_prepass", lambda *a: None)
    slow = _events("traffic/calfire.json.gz", 512)[0]
    assert fast == slow
    assert n_fast < 0.7 * (len(calls) - n_fast), (n_fast, len(calls) - n_fast)


def test_altitude_checks_pass_a_missing_altitude_untouched() -> None:
    # calm and calm_ground skip both altitude checks on a fix without altitude: exact only while
    # each answers "not absurd" / "plausible" for it and records nothing (an aircraft taxiing at
    # 5 kt, with a plausible altitude on record, whose next fix has none).
    from flyvakt.detect.evidence import absurd_alt, plausible_alt
    from flyvakt.detect.state import AircraftState, Fix

    before = Fix(0.0, 49.0, 2.5, 300.0, 5.0, 0.0, True, None, 1000)
    st = AircraftState(0xABC123, before, before, True, recent=[before])
    st.alt_ok_t, st.alt_ok_ft = 0.0, 300.0
    fx = Fix(30.0, 49.0001, 2.5, math.nan, 5.0, math.nan, True, None, 1000)
    ctx = Context(get_world())
    assert not absurd_alt(ctx, st, fx)
    assert plausible_alt(st, fx)
    assert (st.alt_ok_t, st.alt_ok_ft) == (0.0, 300.0)
    high = Fix(30.0, 49.0001, 2.5, 36_150.0, 5.0, math.nan, True, None, 1000)
    assert not plausible_alt(st, high)  # the same checks do judge a fix with an altitude


def test_new_aircraft_on_the_ground_built_at_once_as_by_the_rules() -> None:
    # calm_first_ground_many (the bulk path for new aircraft whose first fix is flagged on the
    # ground near a field) leaves each state, and each aircraft's ground references, as
    # DetectorState.get then the dispatch through every rule would (calm_ground refuses a first
    # fix): on every flagged surface fix of real AFR34ZG (LFPG) and KWVI tracks, as if each
    # were some new aircraft's first; with and without a country sample, a callsign or an
    # altitude, and with a ground reference already learned for some (half of them at this
    # field, before the fix or not), so that every kind of first vote occurs.
    from flyvakt.detect.calm import calm_first_ground_many, calm_ground
    from flyvakt.detect.prepass import fix_columns
    from flyvakt.detect.state import DetectorState, Fix

    files = ["traffic/full_flight_short.jsonl.gz", *KWVI]
    p = replay_files([str(DATA / n) for n in files], keep_positions=True, detect=False).positions
    world = get_world()
    flagged = np.flatnonzero(p.on_ground == 1)
    lat, lon = p.lat_deg[flagged].tolist(), p.lon_deg[flagged].tolist()
    near = [world.airports_near(a, o, R.FIELD_NM) for a, o in zip(lat, lon, strict=True)]
    rows = flagged[[bool(x) for x in near]]
    assert len(rows) > 1_000
    fields = [x[0][0] for x in near if x]
    n = len(rows)
    cols = fix_columns(p, ground_estimate(p), rows)
    cols[7] = [None if k % 5 == 0 else c for k, c in enumerate(cols[7])]
    cols[3] = [math.nan if k % 11 == 0 else h for k, h in enumerate(cols[3])]
    # Some fast (the vote is for the air), some with neither altitude nor speed (a flag alone:
    # no vote away from the runways), and some with an altitude far above the field.
    cols[4] = [
        250.0 if k % 13 == 0 else math.nan if k % 19 == 0 else g for k, g in enumerate(cols[4])
    ]
    cols[3] = [math.nan if k % 19 == 0 else h for k, h in enumerate(cols[3])]
    cols[9] = [math.nan if k % 19 == 0 else h for k, h in enumerate(cols[9])]
    cols[1] = [a + 0.06 if k % 38 == 0 else a for k, a in enumerate(cols[1])]  # off the runways
    cols[3] = [f.elevation_ft + 900.0 if k % 17 == 0 else h for k, (h, f) in enumerate(
        zip(cols[3], fields, strict=True))]  # fmt: skip
    sampled = (np.arange(n) % 3 == 0).tolist()
    countries = [None if k % 7 == 0 else "US" for k in range(n)]
    icaos = list(range(n))
    refs = {
        ref_key(f.icao, a): [(h - 30.0 if k % 2 else h, t + (k % 4 - 2) * 10.0)]
        for k, (a, f, h, t) in enumerate(zip(icaos, fields, cols[3], cols[0], strict=True))
        if k % 3 == 0 and h == h
    }
    fast, slow = DetectorState(), DetectorState()
    fctx = Context(world, {k: list(v) for k, v in refs.items()})
    sctx = Context(world, {k: list(v) for k, v in refs.items()})
    built = calm_first_ground_many(
        fctx, fast.aircraft, icaos, list(map(Fix, *cols)), fields, sampled, countries
    )
    for a, fx, f, smp, c in zip(icaos, map(Fix, *cols), fields, sampled, countries, strict=True):
        st, out = slow.get(a), []
        assert not calm_ground(sctx, st, fx, smp, c, p, 0, f, out)
        D._dispatch(sctx, st, fx, False, smp, c, p, 0, f, out)
        assert out == []
    assert [st.icao24 for st in built] == icaos
    assert {a: repr(st) for a, st in fast.aircraft.items()} == {
        a: repr(st) for a, st in slow.aircraft.items()
    }
    assert fctx.ground_refs == sctx.ground_refs
    assert len(fctx.ground_refs) > len(refs)  # references learned from these first fixes
    kinds = Counter((st.ground, st.start_pending, st.ref_baro_ft == st.ref_baro_ft) for st in built)
    # On the ground with a reference learned or none; in the air (a start-of-data decision
    # pending); unknown (a flag alone is no evidence): all occur.
    want = {(True, False, True), (True, False, False), (False, True, False), (None, False, False)}
    assert want <= set(kinds), kinds


def test_ground_reference_learns_nothing_from_a_fix_without_altitude() -> None:
    # calm_ground skips learn_ground_ref for a fix without altitude at the aircraft's field
    # whose vote found no floor: exact only while the function learns nothing from such a fix
    # (whatever the vote, the speed, the GNSS altitude or the reference on record); a change of
    # field or a floor it does learn from, and so it is called for those.
    from flyvakt.detect.evidence import Vote
    from flyvakt.detect.phase import learn_ground_ref
    from flyvakt.detect.state import AircraftState, Fix

    world = get_world()
    i = world.airports.index_of("KWVI")
    assert i is not None
    field = world.airport_ref(i)
    votes = [Vote(2, "ground flag"), Vote(1, "x"), Vote(0, "x"), Vote(-2, "x")]
    for v in votes:
        for gs in (5.0, 80.0, math.nan):
            for ref in (field.elevation_ft - 20.0, math.nan):
                for gnss in (field.elevation_ft + 10.0, math.nan):
                    st = AircraftState(0xA81C98, field_icao=field.icao, ref_baro_ft=ref)
                    fx = Fix(100.0, field.lat_deg, field.lon_deg, math.nan, gs, math.nan, True,
                             None, 1200, gnss)  # fmt: skip
                    before, ctx = repr(st), Context(world)
                    learn_ground_ref(ctx, st, field, fx, v)
                    assert repr(st) == before and ctx.ground_refs == {}
    st = AircraftState(0xA81C98, field_icao="KSNS", ref_baro_ft=100.0)
    learn_ground_ref(
        Context(world), st, field, Fix(0, 0, 0, math.nan, 5, 0, True, None, 0), votes[0]
    )
    assert st.field_icao == field.icao  # a change of field: learned
    learn_ground_ref(Context(world), st, field, Fix(0, 0, 0, math.nan, 5, 0, True, None, 0),
                     Vote(2, "floor", level_ft=140.0))  # fmt: skip
    assert st.ref_baro_ft == 140.0  # a floor: learned


def test_taxi_fix_without_altitude_at_another_field_as_by_the_rules() -> None:
    # calm_ground on a fix without altitude at a field other than the one the aircraft's
    # ground reference is for: the field changes (and the old field's reference is dropped)
    # as the rules would have it.
    import copy

    from flyvakt.detect.calm import calm_ground
    from flyvakt.detect.state import AircraftState, Fix

    world = get_world()
    i = world.airports.index_of("KWVI")
    assert i is not None
    field = world.airport_ref(i)
    prev = Fix(90.0, field.lat_deg, field.lon_deg, math.nan, 6.0, math.nan, True, None, 1200)
    fx = Fix(100.0, field.lat_deg, field.lon_deg, math.nan, 5.0, math.nan, True, None, 1200)
    st = AircraftState(0xA81C98, prev, prev, True, recent=[prev], field_icao="KSNS")
    st.ref_baro_ft = 100.0
    slow_st, slow_fx = copy.deepcopy(st), copy.deepcopy(fx)
    p = PositionBatch.empty(1)
    assert calm_ground(Context(world), st, fx, False, None, p, 0, field, [])
    D._dispatch(Context(world), slow_st, slow_fx, False, False, None, p, 0, field, [])
    assert repr(st) == repr(slow_st)
    assert st.field_icao == field.icao and math.isnan(st.ref_baro_ft)
