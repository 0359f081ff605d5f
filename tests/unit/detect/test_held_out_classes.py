"""Regression tests for the failure classes the held-out cuts showed (session 5), each on a real
track cut from real-ga (adsb.lol, ODbL 1.0; provenance in ``tests/data/real-ga/README.md``).

The times and airports asserted come from the hand labels in ``labels.csv`` (made by the written
method without running the detector). "Before" names the detector that fails the test: *s4* is
this branch at aee60d7 (the held-out row then read 75 %/75 %).
"""

from __future__ import annotations

from tests.unit.detect.test_failure_classes import KWVI, named, phase, run, ts


def test_lone_ground_flag_without_altitude_is_not_a_landing() -> None:
    """A single ground flag with no altitude and no speed 3.0 NM from KWVI, after a 234 s gap,
    between fixes at 1,725 ft and 1,175 ft at 100 kt. Before (s4): an inferred landing and
    touch-and-go at KWVI at 01:07:47 and an observed takeoff at 01:09:45."""
    cut = "kwvi1213_a81c98.csv.gz"
    lo, hi = ts("01:00:00", KWVI), ts("01:20:00", KWVI)
    for kind in ("landing", "touch_and_go", "stopover", "takeoff"):
        assert named(phase(cut, kind, lo, hi)) == [], [
            (e.type, e.time_iso, e.reason) for e in phase(cut, kind, lo, hi)
        ]
    # The same cut's real circuits still come out (the flag rule did not blind the detector).
    assert named(phase(cut, "landing", ts("20:32:00", KWVI), ts("20:33:00", KWVI))) == ["KWVI"]
    assert len(run(cut).events) > 0
