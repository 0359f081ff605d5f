"""Context.event and coverage.regained fill an Event's slots themselves (no __init__, as
CoverageRule.lost_plainly): every field must be set, to what the class call gives. A slot one
of them forgot would raise on reading; a new Event field not stored there fails here."""

from __future__ import annotations

import math
from dataclasses import asdict, fields
from typing import Any

import pytest

from flyvakt.detect.base import Context, gap_details
from flyvakt.detect.coverage import regained
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.geo.world import get_world
from flyvakt.model import Event


def _all(ev: Event) -> dict[str, Any]:
    return {f.name: getattr(ev, f.name) for f in fields(Event)}


def _fix(t: float, alt_ft: float) -> Fix:
    return Fix(t, 53.42, -6.27, alt_ft, 250.0, 0.0, False, "EIN12", 1000)


@pytest.mark.parametrize("alt_ft", [31000.0, math.nan])
def test_event_without_airport_is_the_class_calls(alt_ft: float) -> None:
    ctx = Context(get_world())
    st = AircraftState(0x4CA123, callsign="EIN12")
    fx = _fix(1.7e9, alt_ft)
    ev = ctx.event("signal_lost", st, fx, reason="why")
    want = Event(
        "signal_lost", "4ca123", 1.7e9, "EIN12", None, None, "observed", 0.95, "why", (),
        53.42, -6.27, None if alt_ft != alt_ft else alt_ft, get_world().tz_at(53.42, -6.27),
        (), {},
    )  # fmt: skip
    assert _all(ev) == asdict(want)


def test_event_with_airport_and_details_is_the_class_calls() -> None:
    w = get_world()
    ctx = Context(w)
    ap = w.airports_near(53.42, -6.27, 10.0)[0][0]
    st = AircraftState(0x4CA123)
    fx = _fix(1.7e9, 250.0)
    details = {"k": 1}
    ev = ctx.event(
        "landing", st, fx, airport=ap, candidates=["EGLL"], reason="r", basis="inferred",
        confidence=0.8, details=details,
    )  # fmt: skip
    want = Event(
        "landing", "4ca123", 1.7e9, None, ap, ap.country, "inferred", 0.8, "r", ["EGLL"],
        53.42, -6.27, 250.0, w.tz_at(53.42, -6.27, ap), (), {"k": 1},
    )  # fmt: skip
    assert _all(ev) == _all(want)
    assert ev.details is details  # the caller's own dict, as the class call keeps it


@pytest.mark.parametrize("alt_ft", [35000.0, math.nan])
def test_regained_is_the_class_calls(alt_ft: float) -> None:
    ctx = Context(get_world())
    st = AircraftState(0x4CA123, callsign="EIN12")
    prev, fx = _fix(1.7e9, 36000.0), _fix(1.7e9 + 900.0, alt_ft)
    ev = regained(ctx, st, prev, fx)
    want = ctx.event(
        "signal_regained", st, fx, reason="seen again after 15 min without positions",
        details=gap_details(prev, fx),
    )  # fmt: skip
    assert _all(ev) == _all(want)
    built = Event(
        "signal_regained", "4ca123", 1.7e9 + 900.0, "EIN12", None, None, "observed", 0.95,
        "seen again after 15 min without positions", (), 53.42, -6.27,
        None if alt_ft != alt_ft else alt_ft, get_world().tz_at(53.42, -6.27), (),
        gap_details(prev, fx),
    )  # fmt: skip
    assert _all(want) == asdict(built)
