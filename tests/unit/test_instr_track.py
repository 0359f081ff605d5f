"""benchmarks/instr_track.py's pure parts: every function it cuts out exists, and a recorded
replay's digest tells a changed position from the same ones (the callgrind run itself needs
valgrind: run by hand)."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from flyvakt.model import ObservationBatch, Source
from flyvakt.track.tracker import TrackerConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import instr_track as T


def test_every_function_resolves() -> None:
    for mod, attr in T.FUNCTIONS:
        owner = importlib.import_module(mod)
        for part in attr.split("."):
            owner = getattr(owner, part)
        assert inspect.isfunction(owner) or inspect.ismethod(owner), (mod, attr)


def _calls(lat0: float) -> list[tuple[object, ...]]:
    o = ObservationBatch.empty(3)
    o.icao24[:] = 0x4840D6
    o.time_s[:] = [10.0, 11.0, 12.0]
    o.lat_deg[:] = [lat0, lat0 + 0.001, lat0 + 0.002]
    o.lon_deg[:] = 4.0
    o.source[:] = Source.STATE_VECTOR
    o.address_checked[:] = True
    return [("step", o, TrackerConfig()), ("expire", 400.0, 300.0)]


def test_digest_same_for_same_calls_and_differs_for_a_moved_fix() -> None:
    a = T.digest(*T.replay(_calls(52.0)))
    assert a == T.digest(*T.replay(_calls(52.0)))
    assert a[0] == 3
    assert a != T.digest(*T.replay(_calls(52.5)))
