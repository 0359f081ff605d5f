"""Regression tests for what held-out round 6 showed (session 10), each on a real track cut
(adsb.lol, ODbL 1.0; stratux, BSD-3-Clause; provenance in ``tests/data/real-ga/README.md``).
Times and airports asserted come from the hand labels in ``labels.csv`` (written method, made
and committed before the detector first ran on these cuts, 412ee3f). "Before" names the
detector that fails the test: main at b83825c.
"""

from __future__ import annotations

from tests.unit.detect.test_failure_classes import KWVI, MRY, named, phase, run, ts

RDG = "2015-09-07"
KINDS = ("landing", "takeoff", "touch_and_go", "stopover")


def _show(cut: str, lo: float, hi: float) -> list[tuple[str, str, str]]:
    return [(e.type, e.time_iso, e.reason) for k in KINDS for e in phase(cut, k, lo, hi)]


def test_speed_drop_in_a_turn_above_the_runway_is_no_touchdown() -> None:
    """a38df3 (flag False on every fix) turns from downwind (94 kt, track 037) onto base
    (62-65 kt, track 304-291) at 500 ft, 0.8 NM from KWVI, 375 ft above the 125 ft it reads
    rolling on the runway 65 s later. The floor rule read "level at its lowest for 11 s, slowing
    from 94 to 65 kt" within RUNWAY_NM as a touchdown. Before: an *observed* landing and
    touch-and-go at 21:09:50 and a takeoff at 21:10:09. Truth (labels): one touch-and-go at
    KWVI, touchdown 21:10:53 ±8, lift-off 21:11:17 ±8; nothing before it."""
    cut = "mry0601_a38df3.csv.gz"
    lo, hi = ts("21:08:00", MRY), ts("21:10:45", MRY)
    assert [e for k in KINDS for e in phase(cut, k, lo, hi)] == [], _show(cut, lo, hi)
    landings = phase(cut, "landing", ts("21:10:45", MRY), ts("21:11:01", MRY))
    assert named(landings) == ["KWVI"], _show(cut, lo, ts("21:12:00", MRY))
    tgo = phase(cut, "touch_and_go", ts("21:10:45", MRY), ts("21:11:01", MRY))
    assert named(tgo) == ["KWVI"]


def test_a_changing_reported_speed_is_not_stale() -> None:
    """2ac106 (UAT, no ground flags) is first seen on a descending turn to final at KRDG (675
    ft, 331 ft above the field by raw pressure altitude, 94 kt, -448 ft/min). Its positions
    then move only 0.2 NM in 26 s while it reports 93 then 84 kt: the "stale speed" rule took
    the positions' 28 kt, read 575 ft (231 ft above KRDG raw) as taxiing at the field's level,
    set the phase to ground at the first strong vote, and the next airborne flags made an
    *observed* takeoff at KRDG at 14:18:20 on a descent. A held-over speed repeats; this one
    changed. Truth (labels): no takeoff; the data ends on final, no landing may be named."""
    cut = "stratux2015_2ac106.csv.gz"
    lo, hi = ts("14:17:00", RDG), ts("14:20:00", RDG)
    assert phase(cut, "takeoff", lo, hi) == [], _show(cut, lo, hi)
    assert named(phase(cut, "landing", lo, hi)) == [], _show(cut, lo, hi)


def test_a_floor_on_the_last_fix_of_the_data_is_no_landing_there() -> None:
    """ab4fb1 (N828ML, 140 kt on final) ends its data at 200 ft over KMRY's reference point at
    96 kt on runway 28L's heading, having held 200-225 ft for 11 s while slowing from 119 kt
    on final. The floor rule read that as a touchdown on the last fix, and the end of data
    committed it: a landing named at KMRY (inferred). Nothing after the last fix shows a
    rollout rather than a flare. Truth (label): no surface fix; must abstain."""
    cut = "mry0601_ab4fb1.csv.gz"
    lo, hi = ts("19:29:00", MRY), ts("19:33:00", MRY)
    assert named(phase(cut, "landing", lo, hi)) == [], _show(cut, lo, hi)


def test_floors_along_the_runway_still_make_touchdowns() -> None:
    """The other side of the runway-alignment check on the floor rule, on labelled cuts whose
    touchdowns the floor finds: a864dd 21:29:17 and a0cd27 21:59:23 at KWVI (rollouts along
    runway 02/20), a09a90 19:54 at KMRY (an E175 on 28L). Passes on b83825c too."""
    assert named(phase("kwvi1213_a864dd.csv.gz", "landing", ts("21:29:10", KWVI),
                       ts("21:29:30", KWVI))) == ["KWVI"]  # fmt: skip
    assert named(phase("kwvi1213_a0cd27.csv.gz", "landing", ts("21:59:15", KWVI),
                       ts("21:59:35", KWVI))) == ["KWVI"]  # fmt: skip
    kmry = [e for e in run("mry0601_a09a90.csv.gz").events if e.type == "landing"]
    assert "KMRY" in named(kmry)
