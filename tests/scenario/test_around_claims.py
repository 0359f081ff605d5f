"""The mission's own sentence on the June 2024 reconstruction: "the last plane landed in
Pyongyang around half past two, local time" (SYNTHETIC, see test_state_visit.py).

The three Il-96 are last seen on approach to ZKPY and their landings are inferred at 02:20,
02:23 and 02:26 Pyongyang time on 19 June (17:20-17:26 UTC on 18 June); the data ends there.
An "around" time is a window of 15 minutes either side; "half past two" is a 12-hour clock,
02:30 or 14:30: with a date both readings are judged and the verdict says which one fits.
"""

from __future__ import annotations

import re

import pytest

from flyvakt.runtime.replay import ReplayResult
from tests.scenario.test_last_plane import _verdict


@pytest.mark.parametrize(
    ("text", "lang", "says"),
    [
        ("RA-96025 landed in Pyongyang around half past two local time on 19 June 2024", "en",
         "it fits if read as 02:30"),
        ("RA-96025 landed in Pyongyang around half past two, local time, on 19 June 2024", "en",
         "landing inferred, not observed"),
        ("Putin landed in Pyongyang at about 02:30 local time on 19 June 2024", "en",
         "landing inferred, not observed"),
        ("RA-96025 har landet i Pyongyang rundt halv tre lokal tid 19. juni 2024", "nb",
         "det passer hvis det leses som kl. 02.30"),
        ("RA-96025 har landa i Pyongyang omkring klokka halv tre om natta lokal tid 19. juni "
         "2024", "nn", "landinga er utleidd, ikkje observert"),
        ("RA-96025 har landet i Pyongyang cirka kl. 02.30 lokal tid 19. juni 2024", "nb",
         "landingen er utledet, ikke observert"),
    ],
)  # fmt: skip
def test_around_half_past_two_local_time_is_supported_inferred(
    replayed: ReplayResult, text: str, lang: str, says: str
) -> None:
    v = _verdict(replayed, text, lang)
    assert v.verdict == "supported" and v.basis == "inferred", v.summary
    assert v.rule.endswith("landing_event_inferred_around")
    # the landing's own time, said (a fleet: the first of its landings in the window)
    assert re.search(r"02[:.]2[036] 19", v.summary), v.summary
    assert says in v.summary, v.summary


def test_both_readings_are_in_the_evidence(replayed: ReplayResult) -> None:
    v = _verdict(replayed, "RA-96025 landed in Pyongyang around half past two local time on 19 "
                           "June 2024")  # fmt: skip
    assert v.to_json()["as_of"] == "2024-06-18T17:45:00Z"  # the 02:30 reading's window end
    assert v.to_json()["claim"]["around"] == ["2024-06-18T17:30:00Z", "2024-06-19T05:30:00Z"]
    readings = {r["around"]: r["verdict"] for r in v.evidence["readings"]}
    # 02:30 supported; 14:30 is after the end of the data: unverifiable, never contradicted
    assert readings == {"2024-06-18T17:30:00Z": "supported", "2024-06-19T05:30:00Z": "unverifiable"}


@pytest.mark.parametrize(
    ("text", "lang", "says"),
    [
        ("RA-96025 landed in Pyongyang around half past one in the morning, local time, on 19 "
         "June 2024", "en", "landed there at 02:26 19 June local time"),
        ("Putin landed in Pyongyang around 01:30 local time on 19 June 2024", "en",
         "landed there at 02:20 19 June local time"),
        ("RA-96025 har landet i Pyongyang rundt halv to om natta lokal tid 19. juni 2024", "nb",
         "landet der kl. 02.26 19. juni lokal tid"),
        ("RA-96025 har landa i Pyongyang omkring klokka halv to om natta lokal tid 19. juni "
         "2024", "nn", "landa der kl. 02.26 19. juni lokal tid"),
    ],
)  # fmt: skip
def test_around_half_past_one_is_contradicted_naming_the_real_time(
    replayed: ReplayResult, text: str, lang: str, says: str
) -> None:
    """Observed airborne through 01:15-01:45, no gap: it had not landed in Pyongyang then. The
    sentence names when it did (inferred)."""
    v = _verdict(replayed, text, lang)
    assert v.verdict == "contradicted" and v.basis == "observed", v.summary
    assert "observed_elsewhere_around" in v.rule
    assert says in v.summary, v.summary
    if text.startswith("Putin"):  # the ten of the fleet not in the data are said, not counted
        assert "10 other aircraft of the fleet are not in the data" in v.summary


def test_half_past_one_with_no_am_pm_is_unverifiable_and_says_both(replayed: ReplayResult) -> None:
    """01:30 is contradicted, 13:30 lies after the end of the data: not contradicted."""
    v = _verdict(replayed, "RA-96025 landed in Pyongyang around half past one local time on 19 "
                           "June 2024")  # fmt: skip
    assert v.verdict == "unverifiable"
    assert "neither am nor pm" in v.summary
    assert "Read as 01:30: contradicted" in v.summary and "Read as 13:30: unverifiable" in v.summary


def test_around_a_time_with_a_coverage_gap_is_unverifiable(replayed: ReplayResult) -> None:
    """15:36-15:51 UTC on 18 June 157719 is out of coverage (over the Far East): a landing
    around 00:45 local time cannot be ruled out there, nor seen."""
    v = _verdict(replayed, "RA-96025 landed in Pyongyang around 00:45 local time on 19 June 2024")
    assert v.verdict == "unverifiable", v.summary
    assert "positions of" in v.summary and "are missing within 15 minutes" in v.summary
