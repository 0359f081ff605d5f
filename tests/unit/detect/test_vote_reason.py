"""A vote's reason formatted only when read (session 16: ``Vote.why`` over ``text`` and ``of``)
reads as the text the vote named before, and a vote stays immutable (the shared constants of
evidence.py rely on it)."""

from __future__ import annotations

import math

import pytest

from flyvakt.detect.evidence import Vote, vote
from flyvakt.detect.state import AircraftState, Fix


def test_reasons_formatted_when_read() -> None:
    st = AircraftState(0xA81C98, ground=False)
    climb = Fix(100.0, 36.6, -121.8, math.nan, 120.0, 1234.6, False, None, 1200)
    assert vote(climb, st, None, math.nan).why == "vertical rate +1235 ft/min"
    sink = Fix(100.0, 36.6, -121.8, math.nan, 120.0, -987.4, False, None, 1200)
    assert vote(sink, st, None, math.nan).why == "vertical rate -987 ft/min"
    fast = Fix(100.0, 36.6, -121.8, math.nan, 250.6, math.nan, False, None, 1200)
    v = vote(fast, st, None, math.nan)
    assert (v.value, v.why) == (-2, "groundspeed 251 kt")
    assert Vote(2, "ground flag").why == "ground flag"  # a plain reason is its own text
    assert math.isnan(Vote(2, "floor").level_ft)


def test_vote_is_immutable() -> None:
    v = Vote(2, "ground flag")
    with pytest.raises(AttributeError):
        v.value = -2  # type: ignore[misc]
