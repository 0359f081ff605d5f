"""The new aircraft's states built without the class call (calm._new_state, as
CoverageRule.lost_plainly builds its Event): every slot set, to what ``AircraftState(...)``
gives. A slot it forgot would raise on reading; a field added to the class and not stored
there fails here."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flyvakt.detect import calm
from flyvakt.detect.state import AircraftState, Fix


def _slots(st: AircraftState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in AircraftState.__slots__:
        v = getattr(st, name)  # AttributeError: a slot _new_state left empty
        out[name] = "nan" if isinstance(v, float) and math.isnan(v) else v
    return out


def _fix(t: float, alt_ft: float, callsign: str | None) -> Fix:
    return Fix(t, 53.42, -6.27, alt_ft, 250.0, -800.0, False, callsign, 1000)


def test_new_state_is_the_class_calls_every_slot() -> None:
    fx = _fix(1.7e9, 31000.0, "EIN12")
    for last, ground, recent in ((fx, False, [fx]), (None, True, [])):
        got = calm._new_state(0x4CA123, fx, last, ground, list(recent))
        want = AircraftState(0x4CA123, fx, last, ground, recent=list(recent))
        assert _slots(got) == _slots(want)
        assert got == want
        assert got.rare is None and got.flip_prev is None  # a rare field reads its default


def test_first_many_states_are_those_of_the_class_call_then_calm_first() -> None:
    # calm_first_many (fast states) against DetectorState.get's class call then _calm_first,
    # the path it stands for: the same state, slot for slot, for fixes with and without an
    # altitude and a callsign, sampled or not.
    fixes = [
        _fix(1.7e9, 31000.0, "EIN12"),
        _fix(1.7e9 + 1, math.nan, None),
        _fix(1.7e9 + 2, 12000.0, ""),
    ]
    icaos = [0x4CA123, 0x4CA124, 0x4CA125]
    sampled, countries = [True, False, True], ["IE", None, None]
    aircraft: dict[int, AircraftState] = {}
    built = calm.calm_first_many(aircraft, icaos, list(fixes), sampled, countries)
    assert list(aircraft) == icaos and built == [aircraft[a] for a in icaos]
    for a, fx, smp, country, st in zip(icaos, fixes, sampled, countries, built, strict=True):
        plain = AircraftState(a)
        assert calm._calm_first(plain, fx, smp, country)
        assert _slots(st) == _slots(plain)
        assert st.recent is not plain.recent and st.recent == [fx]


def test_new_many_picks_each_new_aircrafts_fix_and_country() -> None:
    # The fixes and countries are taken by the rows of the new aircraft (not by an object
    # array of all of them): a shifted index would give an aircraft another's fix.
    fixes = [_fix(1.7e9 + k, 30000.0 + k, f"CS{k}") for k in range(6)]
    countries: list[str | None] = ["NO", "SE", None, "DK", "FI", "IS"]
    icaos = np.array([10, 11, 12, 13, 14, 15], np.uint32)
    air = np.array([True, False, True, True, False, True])
    known = {13: AircraftState(13)}
    aircraft = dict(known)
    seen: dict[int, AircraftState] = {}
    sampled = np.ones(6, np.bool_)
    rest = calm.calm_new_many(
        None, aircraft, seen, icaos, air, np.zeros(6, np.bool_), fixes,  # type: ignore[arg-type]
        np.full(6, -1, np.int64), {}, sampled, countries,
    )  # fmt: skip
    assert rest == [False, True, False, True, True, False]
    assert sorted(seen) == [10, 12, 15] and aircraft[13] is known[13]
    for a, k in ((10, 0), (12, 2), (15, 5)):
        st = seen[a]
        assert st.first is fixes[k] and st.callsign == f"CS{k}" and st.country == countries[k]
        assert st.alt_ok_ft == 30000.0 + k
