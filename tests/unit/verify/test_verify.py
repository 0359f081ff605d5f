"""Verdicts on real recordings (tests/data/traffic, MIT traffic package; AFR34ZG bundled)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.fleets import FleetRegistry, load_fleets
from flyvakt.model import PositionBatch
from flyvakt.model.events import iso_utc
from flyvakt.runtime.replay import ReplayResult, replay_files
from flyvakt.verify import (
    Claim,
    ClaimParseError,
    Evidence,
    Fixes,
    evidence_from_replay,
    member_hexes,
    parse_claim,
    verify,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "traffic"


def ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.fixture(scope="module")
def replay() -> ReplayResult:
    # One replay per recording (they are years apart; each ends with its own finish()).
    files = [str(DATA / n) for n in ("kiwi.json.gz", "noisy_takeoff.json.gz")]
    parts = [replay_files([f]) for f in [*files, bundled_sample()]]
    events = sorted((e for p in parts for e in p.events), key=lambda e: e.time_s)
    positions = PositionBatch.concat([p.positions for p in parts])
    return ReplayResult(events, positions, parts[-1].stats, parts[-1].state)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> FleetRegistry:
    path = tmp_path_factory.mktemp("fleets") / "fleets.toml"
    path.write_text(
        '[[fleet]]\nid = "af"\naliases = ["Air France-flyet", "the Air France jet"]\n'
        '[fleet.names]\nen = "the Air France jet"\n'
        '[[fleet.member]]\nicao24 = "393322"\nregistration = "F-GMZC"\n'
        '[[fleet]]\nid = "mixed"\naliases = ["blandingsflåten"]\n'
        '[[fleet.member]]\nicao24 = "393322"\n[[fleet.member]]\nicao24 = "3946e4"\n',
        encoding="utf-8",
    )
    return load_fleets(str(path))


def judge(claim: Claim, replay: ReplayResult, registry: FleetRegistry, lang: str = "en") -> dict:  # type: ignore[type-arg]
    members = member_hexes(claim, registry, replay.positions)
    ev = evidence_from_replay(members, replay.events, replay.positions)
    return verify(claim, ev, lang=lang, reader_tz="Europe/Oslo").to_json()


def test_landed_in_france_supported(replay: ReplayResult, registry: FleetRegistry) -> None:
    c = Claim("aircraft", "393322", "landed_in", "FR", ts("2024-07-06T08:10:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "supported"
    assert v["evidence"]["events"][0]["airport"]["icao"] == "LFBO"
    assert v["summary"].startswith("Supported:") and "LFBO" in v["summary"]
    assert v["as_of"] == "2024-07-06T08:10:00Z"


def test_landed_in_spain_contradicted(replay: ReplayResult, registry: FleetRegistry) -> None:
    c = Claim("aircraft", "393322", "landed_in", "ES", ts("2024-07-06T08:10:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "contradicted"
    assert v["rule"] == "observed_on_ground_elsewhere"
    before = v["evidence"]["members"][0]["last_fix_before"]
    assert before["on_ground"] and before["airport"]["icao"] == "LFBO"
    assert "LFBO" in v["summary"] and "France" in v["summary"]


def test_before_landing_is_not_supported(replay: ReplayResult, registry: FleetRegistry) -> None:
    # At 07:30Z AFR34ZG was cruising over France, not yet landed at Toulouse.
    c = Claim("aircraft", "393322", "landed_at", "LFBO", ts("2024-07-06T07:30:00Z"))
    assert judge(c, replay, registry)["verdict"] == "contradicted"


def test_kiwi_landed_at_nzch_inferred(replay: ReplayResult, registry: FleetRegistry) -> None:
    c = Claim("aircraft", "c820d1", "landed_at", "NZCH", ts("2021-05-15T03:00:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "supported"
    assert v["rule"] == "landing_event_inferred"
    assert "inferred" in v["summary"]


def test_after_data_ends_unverifiable(replay: ReplayResult, registry: FleetRegistry) -> None:
    # noisy_takeoff's data end at 17:47:45Z; 30 min later nothing is known.
    c = Claim("aircraft", "3946e4", "landed_in", "CH", ts("2019-11-11T18:17:45Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "unverifiable"
    gap = v["evidence"]["coverage_gaps"][0]
    assert gap["start"] == "2019-11-11T17:47:45Z" and gap["end"] is None
    assert gap["last_known"]["on_ground"] is False
    assert "last seen" in v["summary"]


def test_before_any_data_unverifiable(replay: ReplayResult, registry: FleetRegistry) -> None:
    c = Claim("aircraft", "393322", "landed_in", "ES", ts("2024-07-06T05:00:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "unverifiable"
    assert v["evidence"]["coverage_gaps"][0]["start"] is None


def test_fleet_any_member_supports(replay: ReplayResult, registry: FleetRegistry) -> None:
    c = Claim("fleet", "mixed", "landed_in", "FR", ts("2024-07-06T08:10:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "supported"
    assert v["rule"].startswith("fleet_any:")


def test_fleet_member_absent_from_the_data_is_listed_not_counted(
    replay: ReplayResult, registry: FleetRegistry
) -> None:
    # 393322 is on the ground in France; 3946e4's only data is from 2019: it is not part of
    # this movement, so it neither blocks nor supports the verdict, and the verdict says so.
    c = Claim("fleet", "mixed", "landed_in", "ES", ts("2024-07-06T08:10:00Z"))
    v = judge(c, replay, registry)
    assert v["verdict"] == "contradicted"
    assert v["rule"].startswith("fleet_all_seen:")
    assert v["evidence"]["members_not_in_data"] == ["3946e4"]
    says = "1 other aircraft of the fleet is not in the data within 24 hours: 3946e4"
    assert says in v["summary"]


def test_fleet_member_with_a_gap_at_the_time_blocks_contradiction() -> None:
    # SYNTHETIC fixes: A parked at LFBO at T; B seen 2 h before T and not since (a gap, not
    # absence): no data at the time is never a contradiction.
    t = ts("2024-07-06T08:10:00Z")
    parked = Fixes(
        np.array([t - 60, t + 60]), np.array([43.629, 43.629]), np.array([1.364, 1.364]),
        np.array([500.0, 500.0]), np.array([1, 1], dtype=np.int8),
    )  # fmt: skip
    earlier = Fixes(
        np.array([t - 7200]), np.array([48.0]), np.array([2.0]), np.array([30000.0]),
        np.array([0], dtype=np.int8),
    )  # fmt: skip
    ev = Evidence(["aaaaaa", "bbbbbb"], [], {"aaaaaa": parked, "bbbbbb": earlier}, t + 60)
    v = verify(Claim("fleet", "x", "landed_in", "ES", t), ev)
    assert v.verdict == "unverifiable"
    assert v.evidence["members_not_in_data"] == []
    gap = v.evidence["coverage_gaps"][0]
    assert gap["icao24"] == "bbbbbb" and gap["last_known"]["altitude_baro_ft"] == 30000


def test_airspace_and_airborne(replay: ReplayResult, registry: FleetRegistry) -> None:
    t = ts("2024-07-06T07:30:00Z")
    assert (
        judge(Claim("aircraft", "393322", "in_airspace_of", "FR", t), replay, registry)["verdict"]
        == "supported"
    )
    assert (
        judge(Claim("aircraft", "393322", "in_airspace_of", "CN", t), replay, registry)["verdict"]
        == "contradicted"
    )
    assert (
        judge(Claim("aircraft", "393322", "airborne", None, t), replay, registry)["verdict"]
        == "supported"
    )


@pytest.mark.parametrize(
    ("text", "lang", "lead"),
    [
        ("Air France-flyet has landed in Spain", "en", "Contradicted:"),
        ("Air France-flyet har landet i Spania", "nb", "Avkreftet:"),
        ("Air France-flyet har landa i Spania", "nn", "Avkrefta:"),
    ],
)
def test_free_text_matches_structured(
    replay: ReplayResult, registry: FleetRegistry, text: str, lang: str, lead: str
) -> None:
    at = ts("2024-07-06T08:10:00Z")
    parsed = parse_claim(text, registry, at)
    assert parsed == Claim("fleet", "af", "landed_in", "ES", at)
    v = judge(parsed, replay, registry, lang)
    structured = judge(Claim("aircraft", "393322", "landed_in", "ES", at), replay, registry)
    assert v["verdict"] == structured["verdict"] == "contradicted"
    assert v["summary"].startswith(lead)


@pytest.mark.parametrize(
    ("text", "predicate", "obj"),
    [
        ("Air France-flyet is in French airspace", "in_airspace_of", "FR"),
        ("Air France-flyet er i luftrommet til Frankrike", "in_airspace_of", "FR"),
        ("Air France-flyet landed at LFBO", "landed_at", "LFBO"),
        ("F-GMZC har landa på LFBO", "landed_at", "LFBO"),
        ("393322 is airborne", "airborne", None),
    ],
)
def test_parse_forms(registry: FleetRegistry, text: str, predicate: str, obj: str | None) -> None:
    c = parse_claim(text + " by 2024-07-06T08:10Z", registry)
    assert (c.predicate, c.object) == (predicate, obj)
    assert c.at_s == ts("2024-07-06T08:10:00Z")


def test_parse_error_says_what_was_understood(registry: FleetRegistry) -> None:
    with pytest.raises(ClaimParseError, match=r"understood predicate.*subject.*missing object"):
        parse_claim("Air France-flyet has landed in Atlantis", registry, 0.0)
    with pytest.raises(ClaimParseError, match="time"):
        parse_claim("Air France-flyet has landed in France", registry)


@pytest.mark.parametrize(
    ("candidates", "complete", "expected"),
    [(["LFBO", "LFBF"], True, "supported"), (["LFBO", "LEBL"], True, "unverifiable"),
     (["LFBO"], False, "unverifiable")],
)  # fmt: skip
def test_unnamed_inferred_landing_places_the_aircraft_in_a_country_only_by_all_candidates(
    candidates: list[str], complete: bool, expected: str
) -> None:
    """Issue 9, lead's decision 2a. SYNTHETIC: data ends on an approach 8 NM south of LFBO, not
    on short final: the landing names no airport. "Landed in France" is supported (inferred)
    only when every airport within reach of the last fix lies in France, and only when the event
    says its candidates are all of them (``details.candidates_within_nm``)."""
    t = ts("2024-07-06T08:10:00Z")
    last = Fixes(
        np.array([t - 1800.0]), np.array([43.50]), np.array([1.36]), np.array([3000.0]),
        np.array([0], dtype=np.int8),
    )  # fmt: skip
    event = {
        "type": "landing", "icao24": "aaaaaa", "time": "2024-07-06T07:40:00Z", "airport": None,
        "country": None, "basis": "inferred", "candidates": candidates,
        "reason": "last seen descending ..., but not on short final",
        "details": {"candidates_within_nm": 10.0} if complete else {},
    }  # fmt: skip
    ev = Evidence(["aaaaaa"], [event], {"aaaaaa": last}, t - 1800.0)
    v = verify(Claim("aircraft", "aaaaaa", "landed_in", "FR", t), ev)
    assert v.verdict == expected, v.summary
    if expected == "supported":
        assert v.basis == "inferred" and v.rule == "landing_event_inferred"
        assert "landed somewhere in France" in v.summary and "LFBO, LFBF" in v.summary
        assert "both in France" in v.summary


def _approach_evidence(t: float, candidates: list[str]) -> Evidence:
    """SYNTHETIC: data ends on an approach 8 NM south of LFBO, not on short final (as above)."""
    last = Fixes(
        np.array([t - 1800.0]), np.array([43.50]), np.array([1.36]), np.array([3000.0]),
        np.array([0], dtype=np.int8),
    )  # fmt: skip
    event = {
        "type": "landing", "icao24": "aaaaaa", "time": iso_utc(t - 1800.0), "airport": None,
        "country": None, "basis": "inferred", "candidates": candidates,
        "details": {"candidates_within_nm": 10.0, "tz": "Europe/Paris"},
    }  # fmt: skip
    return Evidence(["aaaaaa"], [event], {"aaaaaa": last}, t - 1800.0)


TOULOUSE = Claim(
    "aircraft", "aaaaaa", "landed_at", "Toulouse", 0.0, object_kind="city",
    airports=("LFBO", "LFBF"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("obj", "candidates", "expected", "says"),
    [("LFBO", ["LFBO"], "supported", "LFBO was the only airport within reach"),
     ("LFBO", ["LFBO", "LFBF"], "unverifiable", ""),
     ("Toulouse", ["LFBO"], "supported", "LFBO was the only airport within reach"),
     ("Toulouse", ["LFBO", "LFBF"], "supported", "within reach of LFBO, LFBF only, both in "
      "Toulouse"),
     ("Toulouse", ["LFBO", "LFBF", "LFCL"], "unverifiable", ""),
     ("FR", ["LFBO"], "supported", "LFBO was the only airport within reach")],
)  # fmt: skip
def test_unnamed_inferred_landing_supports_an_airport_or_city_only_by_all_candidates(
    obj: str, candidates: list[str], expected: str, says: str
) -> None:
    """Session 9, the lead's decision: a complete candidate list supports "landed at X" / "in
    city X" as it does "in country X" (the doubt is "did it land at all?", the same for all):
    supported (inferred) when every candidate is X / one of X's airports, else unverifiable.
    LFCL (Toulouse-Lasbordes) is not one of the city's airports as ``places`` defines them."""
    t = ts("2024-07-06T08:10:00Z")
    from dataclasses import replace

    if obj == "Toulouse":
        claim = replace(TOULOUSE, at_s=t)
    else:
        claim = Claim("aircraft", "aaaaaa", "landed_at" if len(obj) == 4 else "landed_in", obj, t)
    v = verify(claim, _approach_evidence(t, candidates))
    assert v.verdict == expected, v.summary
    if expected == "supported":
        assert v.basis == "inferred" and v.rule == "landing_event_inferred"
        assert says in v.summary and "not observed" in v.summary, v.summary


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [("en", "LFBO was the only airport within reach of its last position; landing inferred, "
      "not observed", "both in France"),
     ("nb", "LFBO var den eneste flyplassen innen rekkevidde av siste posisjon; landingen er "
      "utledet, ikke observert", "begge i Frankrike"),
     ("nn", "LFBO var den einaste flyplassen innanfor rekkjevidd av siste posisjon; landinga "
      "er utleidd, ikkje observert", "begge i Frankrike")],
)  # fmt: skip
def test_candidate_sentences_agree_in_number(lang: str, one: str, two: str) -> None:
    """One candidate: "the only airport within reach" (before session 9 nb/nn said "alle i" of
    a single airport); two: "both"/"begge"; more: "all"/"alle"."""
    t = ts("2024-07-06T08:10:00Z")
    claim = Claim("aircraft", "aaaaaa", "landed_in", "FR", t)
    single = verify(claim, _approach_evidence(t, ["LFBO"]), lang=lang).summary
    assert one in single and "alle i" not in single and "all in" not in single, single
    pair = verify(claim, _approach_evidence(t, ["LFBO", "LFBF"]), lang=lang).summary
    assert two in pair, pair
    three = verify(claim, _approach_evidence(t, ["LFBO", "LFBF", "LFCL"]), lang=lang).summary
    assert ("all in France" if lang == "en" else "alle i Frankrike") in three, three


def test_real_cut_with_three_candidates_supports_the_country_not_an_airport_or_city() -> None:
    """Real: adsb.lol cut mry0601_a266c8 (ODbL 1.0; tests/data/real-ga/README.md). Data ends at
    2,525 ft descending 5.4 NM from KE16, not on short final: "landed somewhere", candidates
    KE16, K1C9, KCVH, all in the US. "Landed in the US" is supported (inferred); "landed at
    KE16" and "landed in Hollister" (KCVH alone as ``places`` defines the city) are not: the
    candidates differ, so they stay unverifiable (no fix within 15 min of the claim time)."""
    from flyvakt.verify.places import resolve_place
    from tests.unit.detect.test_failure_classes import run

    res = run("mry0601_a266c8.csv.gz")
    t = ts("2025-06-01T20:30:00Z")
    (land,) = [e for e in res.events if e.type == "landing" and e.icao24 == "a266c8"
               and abs(e.time_s - ts("2025-06-01T20:03:07Z")) < 60]  # fmt: skip
    assert land.airport is None and land.candidates == ["KE16", "K1C9", "KCVH"]
    ev = evidence_from_replay(["a266c8"], res.events, res.positions)
    us = verify(Claim("aircraft", "a266c8", "landed_in", "US", t), ev)
    assert us.verdict == "supported" and us.basis == "inferred", us.summary
    assert "within reach of KE16, K1C9, KCVH only, all in" in us.summary, us.summary
    for text in ("KE16", "Hollister"):
        place = resolve_place(text)
        assert place is not None
        claim = Claim(
            "aircraft", "a266c8", "landed_at", place.code, t, object_kind=place.kind,
            airports=place.airports,
        )  # fmt: skip
        v = verify(claim, ev)
        assert v.verdict == "unverifiable", v.summary
        # the gap sentence reads as English ("of at 20:30" before session 9)
        assert "within 15 minutes of 20:30 UTC" in v.summary, v.summary
        assert "positions around 20:30 UTC are needed" in v.summary, v.summary
