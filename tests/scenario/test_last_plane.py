"""The mission's sentence with its subject: "the last plane of the fleet landed in Pyongyang
around half past two, local time" on the June 2024 reconstruction (SYNTHETIC, see
test_state_visit.py). The three Il-96 landings at ZKPY are inferred at 02:20 (RA-96017), 02:23
(RA-96024) and 02:26 (RA-96025) Pyongyang time on 19 June; the data ends soon after.

"The last (first) plane" is judged on the fleet's last (first) landing there; an ordinary fleet
claim lists every member's landing, first to last, and names the last.
"""

from __future__ import annotations

import dataclasses

import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.runtime.replay import ReplayResult
from flyvakt.verify import Verdict, evidence_from_replay, member_hexes, parse_claim, verify

REG = load_fleets(example_fleets_path())
DAY = "local time on 19 June 2024"
ORDER = ("157711", "157718", "157719")  # landing order: RA-96017, RA-96024, RA-96025


def _verdict(result: ReplayResult, text: str, lang: str = "en", drop: str = "") -> Verdict:
    claim = parse_claim(text, REG)
    members = member_hexes(claim, REG, result.positions)
    evidence = evidence_from_replay(members, result.events, result.positions)
    if drop:  # that member's landing unknown (as when coverage missed its approach; its
        # callsign goes with its events, so it is named by its address)
        events = [e for e in evidence.events if e.get("icao24") != drop]
        evidence = dataclasses.replace(evidence, events=events)
    return verify(claim, evidence, lang=lang, reader_tz="Europe/Oslo")


@pytest.mark.parametrize(
    ("text", "lang", "says"),
    [
        (f"the last plane of ru-gov landed in Pyongyang around half past two {DAY}", "en",
         "the last aircraft of the fleet to land in Pyongyang was RA96025 (157719); it landed "
         "there at 02:26 19 June local time"),
        (f"the last of ru-gov landed in Pyongyang around half past two, {DAY}", "en",
         "it fits if read as 02:30"),
        ("det siste flyet til ru-gov har landet i Pyongyang rundt halv tre lokal tid 19. juni "
         "2024", "nb", "det siste flyet i flåten som landet i Pyongyang, var RA96025 (157719); "
         "det landet der kl. 02.26 19. juni lokal tid"),
        ("det siste flyet til ru-gov har landa i Pyongyang omkring klokka halv tre lokal tid 19. "
         "juni 2024", "nn", "det siste flyet i flåten som landa i Pyongyang, var RA96025 "
         "(157719); det landa der kl. 02.26 19. juni lokal tid"),
        (f"the first plane of ru-gov landed in Pyongyang around half past two {DAY}", "en",
         "the first aircraft of the fleet to land in Pyongyang was RA96017 (157711); it landed "
         "there at 02:20 19 June"),
    ],
)  # fmt: skip
def test_the_last_plane_around_half_past_two_is_supported_inferred(
    replayed: ReplayResult, text: str, lang: str, says: str
) -> None:
    v = _verdict(replayed, text, lang)
    assert (v.verdict, v.basis) == ("supported", "inferred"), v.summary
    assert v.rule.startswith(("fleet_last:", "fleet_first:")), v.rule
    assert v.rule.endswith("landing_event_inferred_around"), v.rule
    assert says in v.summary, v.summary


@pytest.mark.parametrize(
    ("text", "lang", "who", "real"),
    [
        # the first landed at 02:20: after 01:45-02:15, observed airborne throughout it
        (f"the first plane of ru-gov landed in Pyongyang around 02:00 {DAY}", "en",
         "RA96017 (157711)", "landed there at 02:20 19 June local time"),
        (f"the last plane of ru-gov landed in Pyongyang around 02:00 {DAY}", "en",
         "RA96025 (157719)", "landed there at 02:26 19 June local time"),
        ("det første flyet til ru-gov har landet i Pyongyang rundt kl. 02.00 lokal tid 19. juni "
         "2024", "nb", "RA96017 (157711)", "landet der kl. 02.20 19. juni lokal tid"),
        ("det første flyet til ru-gov har landa i Pyongyang omkring kl. 02.00 lokal tid 19. juni "
         "2024", "nn", "RA96017 (157711)", "landa der kl. 02.20 19. juni lokal tid"),
    ],
)  # fmt: skip
def test_the_first_or_last_outside_the_window_is_contradicted_saying_when(
    replayed: ReplayResult, text: str, lang: str, who: str, real: str
) -> None:
    v = _verdict(replayed, text, lang)
    assert (v.verdict, v.basis) == ("contradicted", "observed"), v.summary
    assert v.rule.endswith("observed_elsewhere_around"), v.rule
    assert who in v.summary.split(";")[0] and real in v.summary, v.summary


def test_the_last_landing_inferred_before_a_window_with_no_data_is_unverifiable(
    replayed: ReplayResult,
) -> None:
    """02:35-03:05: no positions of RA-96025 (its landing at 02:26 is inferred, not seen, and
    the data ends): never contradicted on no data; the verdict says when it landed."""
    v = _verdict(replayed, f"the last plane of ru-gov landed in Pyongyang around 02:50 {DAY}")
    assert v.verdict == "unverifiable", v.summary
    assert "it landed in Pyongyang at 02:26 19 June local time" in v.summary, v.summary


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_the_last_is_unknown_while_a_member_is_unaccounted_for(
    replayed: ReplayResult, lang: str
) -> None:
    text = f"the last plane of ru-gov landed in Pyongyang around 02:30 {DAY}"
    v = _verdict(replayed, text, lang, drop="157718")
    assert v.verdict == "unverifiable" and v.rule == "fleet_last:member_event_unknown", v.summary
    says = {
        "en": "cannot be known: no landing there within a day of 02:30 19 June local time "
        "(19:30 Norwegian time 18 June) is known for 157718",
        "nb": "kan ikke fastslås: ingen landing der innen et døgn fra kl. 02.30",
        "nn": "kan ikkje fastslåast: inga landing der innanfor eit døgn frå kl. 02.30",
    }
    assert says[lang] in v.summary, v.summary
    unknown, _, listed = v.summary.partition(";")
    assert "157718" in unknown and "157718" not in listed, v.summary  # named; not in the list


def test_the_last_had_landed_by_is_every_members_claim(replayed: ReplayResult) -> None:
    """By 02:25 two of the three had landed (inferred): the last had not, or not seen."""
    ok = _verdict(replayed, f"the last plane of ru-gov had landed in Pyongyang by 02:30 {DAY}")
    assert (ok.verdict, ok.rule) == ("supported", "fleet_last:landing_event_inferred"), ok.summary
    assert "was RA96025 (157719)" in ok.summary
    early = _verdict(replayed, f"the last plane of ru-gov had landed in Pyongyang by 02:21 {DAY}")
    assert early.verdict != "supported", early.summary
    fleet = _verdict(replayed, f"ru-gov had landed in Pyongyang by 02:21 {DAY}")
    assert fleet.verdict == "supported", fleet.summary  # any member: RA-96017 at 02:20


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "the landings in Pyongyang, first to last: RA96017 (157711) at 02:20 19 June local "
               "time (19:20 Norwegian time 18 June) (inferred); RA96024 (157718) at 02:23"),
        ("nb", "landingene i Pyongyang, fra første til siste: RA96017 (157711) kl. 02.20 19. juni "
               "lokal tid (19.20 norsk tid 18. juni) (utledet); RA96024 (157718) kl. 02.23"),
        ("nn", "landingane i Pyongyang, frå første til siste: RA96017 (157711) kl. 02.20 19. juni "
               "lokal tid (19.20 norsk tid 18. juni) (utleidd); RA96024 (157718) kl. 02.23"),
    ],
)  # fmt: skip
def test_a_fleet_claim_lists_every_members_landing_and_the_last(
    replayed: ReplayResult, lang: str, says: str
) -> None:
    v = _verdict(replayed, f"ru-gov landed in Pyongyang around half past two {DAY}", lang)
    assert (v.verdict, v.basis) == ("supported", "inferred"), v.summary
    assert says in v.summary, v.summary
    last = {"en": "the last was", "nb": "det siste var", "nn": "det siste var"}[lang]
    assert f"{last} RA96025 (157719)" in v.summary, v.summary
    landings = v.evidence["landings"]
    assert tuple(x["icao24"] for x in landings) == ORDER
    assert {x["basis"] for x in landings} == {"inferred"}
    assert [x["time"][11:16] for x in landings] == ["17:20", "17:23", "17:26"]


def test_landings_decided_by_candidates_are_listed_in_the_places_local_time(
    replayed: ReplayResult,
) -> None:
    """The landings name no airport (ZKPY is their only candidate): the list still gives the
    local time, in the zone of the claim's place (North Korea has one)."""
    v = _verdict(replayed, "ru-gov had landed in North Korea by 2024-06-18T18:00Z")
    assert v.verdict == "supported", v.summary
    says = (
        "the landings in North Korea, first to last: RA96017 (157711) at 02:20 19 June local "
        "time (19:20 Norwegian time 18 June) (inferred)"
    )
    assert says in v.summary, v.summary


def test_the_first_before_the_window_is_judged_even_with_a_member_unaccounted_for(
    replayed: ReplayResult,
) -> None:
    """RA-96017 landed (inferred) at 02:20, before 02:35-03:05: an unknown member could only
    have landed earlier, so the first one is judged, not refused; with no positions after the
    inferred landing it is unverifiable (never contradicted on no data), saying when."""
    text = f"the first plane of ru-gov landed in Pyongyang around 02:50 {DAY}"
    v = _verdict(replayed, text, drop="157719")
    assert v.verdict == "unverifiable" and v.rule == "fleet_first:coverage_gap", v.summary
    assert v.summary.startswith(
        "Unverifiable: the first aircraft of the fleet to land in Pyongyang was RA96017 (157711)"
    ), v.summary
    assert "it landed in Pyongyang at 02:20 19 June local time" in v.summary, v.summary


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"fleet": "ru-gov", "predicate": "landed_at", "place": "Pyongyang", "ordinal": "last",
          "around": "half past two local time on 19 June 2024"},
         f"the last plane of ru-gov landed in Pyongyang around half past two {DAY}"),
        ({"fleet": "ru-gov", "predicate": "landed_at", "place": "Pyongyang", "ordinal": "first",
          "around": "2024-06-19T02:00+09:00"},
         "the first plane of ru-gov landed in Pyongyang around 02:00 local time on 19 June 2024"),
        ({"fleet": "ru-gov", "predicate": "landed_at", "place": "ZKPY",
          "around": "rundt halv tre lokal tid 19. juni 2024"},
         f"ru-gov landed at ZKPY around half past two {DAY}"),
    ],
)  # fmt: skip
def test_structured_fields_say_around_and_last_as_the_text_does(
    replayed: ReplayResult, fields: dict[str, str], text: str
) -> None:
    """CLI options and API fields could not say "around" or "the last plane" (only free text
    could): ``around`` and ``ordinal`` give the same claim and the same verdict as the words."""
    from flyvakt.verify.claims import ClaimContext
    from flyvakt.verify.structured import build_claim
    from flyvakt.verify.subjects import SubjectContext

    claim = build_claim(fields, REG, ClaimContext(SubjectContext(REG)))
    words = parse_claim(text, REG)
    assert (claim.around_s, claim.ordinal, claim.at_s) == (
        words.around_s,
        words.ordinal,
        words.at_s,
    )
    members = member_hexes(claim, REG, replayed.positions)
    evidence = evidence_from_replay(members, replayed.events, replayed.positions)
    v = verify(claim, evidence, reader_tz="Europe/Oslo")
    w = _verdict(replayed, text)
    assert (v.verdict, v.basis, v.rule) == (w.verdict, w.basis, w.rule), v.summary
    assert v.summary == w.summary
