"""Regression tests for what held-out round 7 showed (session 11), on real track cuts
(adsb.lol, ODbL 1.0; provenance in ``tests/data/real-ga/README.md``). Times and airports
asserted come from the hand labels in ``labels.csv`` (written method, made and committed before
the detector's output on these cuts was looked at, 0cab986). "Before" names the detector that
fails the test: main at 7120953.
"""

from __future__ import annotations

from tests.unit.detect.test_failure_classes import KWVI, named, phase, ts

KINDS = ("landing", "takeoff", "touch_and_go", "stopover")


def _show(cut: str, lo: float, hi: float) -> list[tuple[str, str, str]]:
    return [(e.type, e.time_iso, e.reason) for k in KINDS for e in phase(cut, k, lo, hi)]


def test_a_level_run_short_of_the_threshold_is_no_touchdown() -> None:
    """ab8e45 (N84364, no ground flags, no vertical rate) on final to KWVI's runway 20 holds
    375 ft for 9 s then 350 ft (23:46:06-19) while slowing from 79 to 67 kt, on the runway's
    extended centre line 0.57 NM short of its threshold, then goes on down to 250 ft by the last
    fix (23:46:30). The floor rule took the run for the surface: an *observed* landing and
    touch-and-go at 23:46:17 and a takeoff at 23:46:24 ("airborne flag") at 275 ft, lower than
    the "ground" it had just left. Truth (labels): nothing is named there; the data end is
    must-abstain."""
    cut = "kwvi1213_ab8e45.csv.gz"
    lo, hi = ts("23:40:00", KWVI), ts("23:47:00", KWVI)
    assert [e for k in KINDS for e in phase(cut, k, lo, hi) if e.airport] == [], _show(cut, lo, hi)


def test_a_landing_rolled_out_on_the_runway_is_still_observed() -> None:
    """The other side, from the same round: a9ed2e (N739HE, no ground flags) descends along
    runway 20 to 75 ft, rolling out from 53 to 38 kt over the runway (23:25:40-50). Truth
    (labels): a landing at KWVI 23:25:43 ±10, then on the ground across an 11-min gap."""
    cut = "kwvi1213_a9ed2e.csv.gz"
    landings = phase(cut, "landing", ts("23:25:30", KWVI), ts("23:26:00", KWVI))
    assert named(landings) == ["KWVI"], _show(cut, ts("23:20:00", KWVI), ts("23:40:00", KWVI))
