"""Regression tests for what held-out round 4 and the firing-rate sample (session 7) showed,
each on a real track cut from real-ga (adsb.lol, ODbL 1.0; provenance in
``tests/data/real-ga/README.md``). Times and airports asserted come from the hand labels in
``labels.csv`` (written method, made before the detector ran on these cuts). "Before" names the
detector that fails the test: *s6* is integrate at ddfe4bd.
"""

from __future__ import annotations

from tests.unit.detect.test_failure_classes import MRY, named, phase, ts


def test_gap_landing_needs_the_after_side_to_point_at_the_same_airport() -> None:
    """a81f3c (slow, perhaps a rotorcraft) at 375 ft 0.1 NM from KWVI at 21:45:18, unseen for
    230 s, then at KWVI's level 0.2 NM from it. Over KWVI's reference point its heading does not
    read "towards KWVI", so the only airport it was "on final to" was CA66, 3.1 NM away, which
    the after-gap fix also fits (raw pressure altitude ±600 ft). Before (s6): an inferred
    landing, stopover and takeoff at CA66. Truth (label): landed at KWVI inside the gap."""
    cut = "mry0601_a81f3c.csv.gz"
    lo, hi = ts("21:40:00", MRY), ts("21:55:00", MRY)
    for kind in ("landing", "touch_and_go", "stopover", "takeoff"):
        assert "CA66" not in named(phase(cut, kind, lo, hi)), [
            (e.type, e.time_iso, e.reason) for e in phase(cut, kind, lo, hi)
        ]
    # It did land at KWVI in that window, and the detector still says so.
    assert "KWVI" in named(phase(cut, "landing", lo, hi))
