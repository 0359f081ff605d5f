"""``state.new_state`` (the detector's constructor for new aircraft, written from the fields)
builds the same state as the class call: every field, for each way calm.py and
``DetectorState.get`` call it, and a fresh object per mutable default."""

from __future__ import annotations

from dataclasses import fields

import pytest

from flyvakt.detect.state import AircraftState, DetectorState, Fix, new_state


def _fix(t: float) -> Fix:
    return Fix(t, 37.6, -122.4, 3500.0, 140.0, -700.0, False, "SWA123", 1200)


@pytest.mark.parametrize(
    ("first", "last", "ground", "recent"),
    [
        (None, None, None, []),  # DetectorState.get
        ("fx", "fx", False, ["fx"]),  # calm_first_many
        ("fx", None, True, []),  # calm_first_ground_many
    ],
)
def test_new_state_is_the_class_call(
    first: str | None, last: str | None, ground: bool | None, recent: list[str]
) -> None:
    fx = _fix(100.0)
    pick = {"fx": fx, None: None}
    args = (0xA81C98, pick[first], pick[last], ground)
    ring = [fx for _ in recent]
    made = new_state(*args, list(ring))
    want = AircraftState(*args, recent=list(ring))
    assert type(made) is AircraftState
    for f in fields(AircraftState):
        got, exp = getattr(made, f.name), getattr(want, f.name)
        # NaN defaults compare unequal to themselves: the same object is the same value.
        assert got is exp or got == exp, f.name
    assert repr(made) == repr(want)


def test_new_state_keeps_the_ring_it_is_given_and_shares_no_default() -> None:
    ring: list[Fix] = []
    a = new_state(1, None, None, None, ring)
    b = new_state(2, None, None, None, [])
    assert a.recent is ring
    a.recent.append(_fix(1.0))
    assert b.recent == []


def test_detector_state_get_builds_a_fresh_state_once() -> None:
    ds = DetectorState()
    st = ds.get(0xABCDEF)
    assert ds.get(0xABCDEF) is st
    assert repr(st) == repr(AircraftState(0xABCDEF))
