"""Regression tests for the amended gap rule (session 12, the lead's decision; written method in
``tests/data/real-ga/README.md``, "Across a coverage gap"), on real track cuts (adsb.lol, ODbL
1.0; provenance there). A climb-out after a gap shows no surface: from a downwind or a base turn
at pattern height it follows a low approach as well as a touch-and-go, so an airport is named
for a landing hidden in the gap only when the side before it is an approach. The labels were
amended by hand from the fixes and committed (dfb5762) before the detector ran on them. "Before"
names the detector that fails the test: main at eb6dc0a.
"""

from __future__ import annotations

from tests.unit.detect.test_failure_classes import KWVI, named, phase, ts

KINDS = ("landing", "takeoff", "touch_and_go", "stopover")


def _named_in(cut: str, lo: str, hi: str) -> list[tuple[str, str, str | None, str]]:
    return [
        (e.type, e.time_iso, e.airport.icao if e.airport else None, e.reason)
        for k in KINDS
        for e in phase(cut, k, ts(lo, KWVI), ts(hi, KWVI))
        if e.airport
    ]


def test_no_airport_from_a_downwind_then_a_climb_out() -> None:
    """a864dd (N64WG, no ground flags) on KWVI's downwind at 21:21:57: 1,000 ft (950 ft above its
    50-ft ground reading) 0.8 NM out, track 038 with the field 136 degrees off, level; 146 s
    unseen; then 100 ft over runway 20 with a placeholder speed and climbing at 62 kt. Before:
    an inferred landing, touch-and-go and takeoff at KWVI ("interval lift-off"). Truth (labels):
    must abstain."""
    assert _named_in("kwvi1213_a864dd.csv.gz", "21:21:58", "21:24:40") == []


def test_a_lone_ground_flag_after_a_downwind_is_no_seen_surface() -> None:
    """a2cbcb (N28BR) on KWVI's downwind at 18:38:56: 700 ft, 103 kt, 1.45 NM out, the field 136
    degrees off; 101 s unseen; then one fix flagged on the ground over the runway with no
    altitude and a placeholder speed (one surface cue), and 100 ft at 85 kt climbing. Before:
    landing, touch-and-go and takeoff named at KWVI. Truth (labels): must abstain."""
    assert _named_in("kwvi1213_a2cbcb.csv.gz", "18:38:57", "18:41:10") == []


def test_nothing_named_across_a_long_gap_after_a_downwind() -> None:
    """a9d63a (N733AK) on KWVI's downwind at 21:47:54: 800 ft (700 ft above its 100-ft ground
    reading) 1.6 NM out, track 295 with the field 69 degrees off; 102 min unseen; then at its
    ground reading over the runway with a placeholder speed and climbing at 61 kt. And at
    23:32:23 turning base at the same height, 9 min unseen, then climbing off the runway again.
    Before: a landing, stopover and takeoff named at KWVI after each gap. Truth (labels): both
    must abstain; the observed touch-and-go at 23:45:55 stays named."""
    assert _named_in("kwvi1213_a9d63a.csv.gz", "21:47:55", "23:42:00") == []
    assert named(phase("kwvi1213_a9d63a.csv.gz", "landing", ts("23:45:40", KWVI),
                       ts("23:46:10", KWVI))) == ["KWVI"]  # fmt: skip


def test_a_final_before_the_gap_still_names_the_field() -> None:
    """The other side: adbd8e on short final to runway 20 at 02:51:06 (325 ft, 0.55 NM, on the
    centre line, descending), 15 min unseen, then climbing out on the runway's heading beyond
    it. Truth (labels): a landing at KWVI inside the gap, named."""
    lo, hi = ts("02:51:00", KWVI), ts("03:06:10", KWVI)
    landings = phase("kwvi1213_adbd8e.csv.gz", "landing", lo, hi)
    assert named(landings) == ["KWVI"], [(e.time_iso, e.reason) for e in landings]
