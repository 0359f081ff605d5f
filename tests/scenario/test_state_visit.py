"""The June 2024 state-visit reconstruction end to end: simulate → jsonl → replay → verify.

SYNTHETIC: every frame comes from ``flyvakt simulate`` on the bundled scenario
``june-2024-state-visit`` — an APPROXIMATE RECONSTRUCTION from public reporting only (see the
scenario file and docs/reconstruction.md). The frames are written to a jet1090-style jsonl file
and replayed through the real decode → track → detect → fleet path with the bundled fleets file.

Coverage assumed by the scenario: good near Moscow, patchy over Siberia and the Far East, a
station at Yakutsk that sees the apron, and over North Korea nothing below 3,500 ft — so each
approach into Pyongyang is seen down to ~3,500 ft about 6 NM out, and touchdown never is.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.fleets.events import FleetState
from flyvakt.fleets.events import step as fleet_step
from flyvakt.i18n.bulletins import fleet_bulletin
from flyvakt.model import Event
from flyvakt.runtime.replay import ReplayResult, replay_files
from flyvakt.sim import emit, scenario
from flyvakt.sources import write_jsonl
from flyvakt.verify import Verdict, evidence_from_replay, member_hexes, parse_claim, verify
from flyvakt.verify.subjects import SubjectContext

HEXES = ("157711", "157718", "157719")  # RA-96017, RA-96024, RA-96025 (plane-alert-db)
LAST = "157719"  # RA-96025 leaves Yakutsk last and lands last
# Half the nominal transmission rates: positions every ~1 s, parked surface reports every
# ~10 s (inside the 25 s surface pair window), ~340 k frames, a few seconds end to end.
RATE_SCALE = 0.5


def _t(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def _simulate_to_jsonl(path: Path, *, floor_ft: float | None = None, start: str = "") -> Path:
    sc = scenario.load(scenario.bundled("june-2024-state-visit"))
    sc.rate_scale = RATE_SCALE
    if floor_ft is not None:
        sc.coverage[0].min_altitude_ft = floor_ft
    if start:
        sc.start_s = _t(start)
    res = emit.simulate(sc)
    assert "APPROXIMATE RECONSTRUCTION" in res.label
    with path.open("w", encoding="utf-8") as fp:
        write_jsonl(fp, res.frames)
    return path


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> ReplayResult:
    path = _simulate_to_jsonl(tmp_path_factory.mktemp("state_visit") / "frames.jsonl")
    return replay_files([str(path)], fleets_path=str(example_fleets_path()))


def _of(events: list[Event], kind: str, icao: str) -> list[Event]:
    return [
        e for e in events if e.type == kind and e.airport is not None and e.airport.icao == icao
    ]


def _ac(events: list[Event]) -> list[str]:
    return sorted(e.icao24 for e in events)


def test_moscow_to_yakutsk_observed(replayed: ReplayResult) -> None:
    ev = replayed.events
    takeoffs = _of(ev, "takeoff", "UUWW")
    assert _ac(takeoffs) == list(HEXES)
    assert all(e.basis == "observed" for e in takeoffs)
    assert all(_t("2024-06-18T00:20:00") < e.time_s < _t("2024-06-18T00:40:00") for e in takeoffs)
    landings = _of(ev, "landing", "UEEE")
    assert _ac(landings) == list(HEXES)
    assert all(e.basis == "observed" for e in landings)
    # "landing in Yakutsk in the morning UTC"
    assert all(_t("2024-06-18T05:00:00") < e.time_s < _t("2024-06-18T08:00:00") for e in landings)
    (fleet,) = _of(ev, "fleet_landed", "UEEE")
    assert fleet.details["count"] == 3 and fleet.basis == "observed"


def test_day_on_the_ground_in_yakutsk(replayed: ReplayResult) -> None:
    ev = replayed.events
    stops = _of(ev, "stopover", "UEEE")
    assert _ac(stops) == list(HEXES)
    assert all(e.basis == "observed" for e in stops)
    assert all(e.details["on_ground_s"] > 5 * 3600 for e in stops)
    takeoffs = _of(ev, "takeoff", "UEEE")
    assert _ac(takeoffs) == list(HEXES)
    # departure about 21:34 local (12:34 UTC), a few minutes apart
    assert all(_t("2024-06-18T12:25:00") < e.time_s < _t("2024-06-18T12:45:00") for e in takeoffs)
    # the apron is covered: no coverage gap for the parked aircraft between the two
    regained = [e for e in ev if e.type == "signal_regained" and e.icao24 in HEXES]
    on_ground_gap = [
        e for e in regained if _t("2024-06-18T06:00:00") < e.time_s < _t("2024-06-18T12:45:00")
    ]
    assert on_ground_gap == []


def test_route_never_enters_china_and_enters_north_korea_from_the_east(
    replayed: ReplayResult,
) -> None:
    ev = replayed.events
    assert [e for e in ev if e.type == "airspace_entry" and e.country == "CN"] == []
    kp = [e for e in ev if e.type == "airspace_entry" and e.country == "KP"]
    assert _ac(kp) == list(HEXES)
    assert all(e.basis == "observed" and e.lon is not None and e.lon > 127.0 for e in kp)


def _kp_landings(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type == "landing" and e.time_s > _t("2024-06-18T17:00:00")]


def test_pyongyang_landing_is_inferred_never_observed_and_names_no_airport(
    replayed: ReplayResult,
) -> None:
    """Each approach is seen down to ~3,500 ft 5.8 NM from ZKPY, and no lower: not short final
    (rules.SHORT_FINAL_NM / SHORT_FINAL_FT, and the height is known only from raw pressure
    altitude). So the landing is inferred and names no airport (before session 8 it named
    ZKPY): "landed somewhere", with every airport within reach of the last fix as a candidate,
    here ZKPY alone. ``verify`` reads "in North Korea" from that (test_1800_... below)."""
    landings = _kp_landings(replayed.events)
    assert _ac(landings) == list(HEXES)
    for e in landings:
        assert e.basis == "inferred" and e.airport is None
        assert e.candidates == ["ZKPY"] and e.details["candidates_within_nm"] == 10.0
        assert e.altitude_baro_ft is not None and 3500 <= e.altitude_baro_ft <= 5000
        assert "not on short final" in e.reason
    (last,) = [e for e in landings if e.icao24 == LAST]
    # the last fix is ~4 min before touchdown; the reporting's "around 02:30 local" = 17:30 UTC
    assert abs(last.time_s - _t("2024-06-18T17:30:00")) <= 600
    # nothing in North Korea is ever called an observed landing: touchdown is not covered
    assert [e for e in replayed.events if e.type == "landing" and e.country == "KP"] == []


def test_all_three_inferred_landings_make_one_inferred_fleet_landing(
    replayed: ReplayResult,
) -> None:
    """The first two are lost minutes before the data ends (the third is still on approach):
    their landings are inferred when the signal is lost, not at end of data. None names an
    airport, but each lists every airport within reach of its last fix, ZKPY alone, so the
    fleet fact is said, inferred (session 10; sessions 8-9 had no ``fleet_landed`` here): one
    ``fleet_landed`` with no airport named, country KP, candidates [ZKPY], and each member's
    evidence. Before session 8 it named ZKPY as if observed at the airport."""
    landings = _kp_landings(replayed.events)
    times = sorted(e.time_s for e in landings)
    assert len(times) == 3 and times[-1] - times[0] > 120
    assert all("signal_lost_after" in e.details for e in landings if e.icao24 != LAST)
    (fleet,) = [e for e in replayed.events if e.type == "fleet_landed" and e.country == "KP"]
    assert fleet.basis == "inferred" and fleet.airport is None
    assert fleet.candidates == ["ZKPY"] and fleet.fleet == ["ru-gov"]
    assert fleet.icao24 == LAST and fleet.time_s == times[-1]
    assert fleet.local_tz == "Asia/Pyongyang"
    d = fleet.details
    assert d["place"] == {"kind": "airport", "code": "ZKPY", "country": "KP"}
    assert d["count"] == d["departed_count"] == 3 and d["origin"] == "UEEE"
    assert d["members"] == list(HEXES) and d["unnamed_members"] == list(HEXES)
    evidence = {m["icao24"]: m for m in d["member_landings"]}
    for e in landings:
        m = evidence[e.icao24]
        assert m["basis"] == "inferred" and m["airport"] is None
        assert m["candidates"] == ["ZKPY"] and m["candidates_within_nm"] == 10.0
        assert m["reason"] == e.reason and m["time"] == e.time_iso
        assert m["altitude_baro_ft"] == e.altitude_baro_ft
    assert "inferred, not observed" in fleet.reason
    # it is the only fleet landing after Yakutsk, and nothing names ZKPY as a landing airport
    assert [e for e in replayed.events if e.airport is not None and e.airport.icao == "ZKPY"] == []


FLEET_SAYS = {
    "en": ("The last of the three aircraft of the Russian presidential fleet that took off from "
           "Yakutsk appears to have landed in North Korea around 02:26 local time (19:26 "
           "Norwegian time). This is inferred, not observed: Pyongyang (ZKPY) was the only "
           "airport within reach of each aircraft's last position."),
    "nb": ("Det siste av de tre flyene i den russiske presidentflyflåten som lettet fra Yakutsk, "
           "ser ut til å ha landet i Nord-Korea rundt kl. 02.26 lokal tid (19.26 norsk tid). "
           "Dette er utledet, ikke observert: Pyongyang (ZKPY) var den eneste flyplassen innen "
           "rekkevidde av hvert flys siste posisjon."),
    "nn": ("Det siste av dei tre flya i den russiske presidentflyflåten som letta frå Yakutsk, "
           "ser ut til å ha landa i Nord-Korea rundt kl. 02.26 lokal tid (19.26 norsk tid). "
           "Dette er utleidd, ikkje observert: Pyongyang (ZKPY) var den einaste flyplassen "
           "innanfor rekkjevidd av siste posisjon til kvart fly."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_fleet_landing_bulletin_says_inferred_and_names_zkpy_only_as_within_reach(
    replayed: ReplayResult, lang: str
) -> None:
    """The headline fact, honestly: "the last of the three ... appears to have landed in North
    Korea ... inferred, not observed"; ZKPY is named only as the only airport within reach,
    never as where a landing was seen."""
    registry = load_fleets(example_fleets_path())
    (fleet,) = [e for e in replayed.events if e.type == "fleet_landed" and e.country == "KP"]
    text = fleet_bulletin(fleet, lang, "Europe/Oslo", registry.names(lang))
    assert text == FLEET_SAYS[lang]


def _refleet(events: list[Event]) -> list[Event]:
    """The fleet stage run again on (edited) per-aircraft events of the replay."""
    registry = load_fleets(example_fleets_path())
    per_aircraft = [e for e in events if not e.type.startswith("fleet_")]
    _, out = fleet_step(FleetState(), per_aircraft, registry)
    return [e for e in out if e.type == "fleet_landed"]


def test_fleet_landing_negative_cases_on_the_reconstruction(replayed: ReplayResult) -> None:
    """The same replayed events, edited: the fleet stage reproduces the replay's fleet
    landings; a member whose landing is not seen leaves no fleet fact; candidates that differ
    (ZKPY and a second North Korean airport) name no airport, only the country; candidates in
    two countries, or a candidate list that is a ranking rather than every airport within
    reach, give no fleet fact at all."""
    ev = replayed.events
    assert [(e.icao24, e.airport, e.country) for e in _refleet(ev)] == [
        (e.icao24, e.airport, e.country) for e in ev if e.type == "fleet_landed"
    ]
    kp = {id(e) for e in _kp_landings(ev)}

    def edit(icao: str, **changes: object) -> list[Event]:
        return [
            dataclasses.replace(e, **changes) if id(e) in kp and e.icao24 == icao else e  # type: ignore[arg-type]
            for e in ev
        ]

    unseen = [e for e in ev if not (id(e) in kp and e.icao24 == "157718")]
    assert [e.airport.icao for e in _refleet(unseen) if e.airport] == ["UEEE"]
    assert [e for e in _refleet(unseen) if e.airport is None] == []

    (differ,) = [e for e in _refleet(edit("157718", candidates=["ZKPY", "ZKHM"])) if e.time_s
                 > _t("2024-06-18T17:00:00")]  # fmt: skip
    assert differ.airport is None and differ.country == "KP" and differ.basis == "inferred"
    assert differ.details["place"] == {"kind": "country", "code": "KP", "country": "KP"}
    assert differ.candidates == ["ZKPY", "ZKHM"]
    text = fleet_bulletin(differ, "en", "Europe/Oslo", {})
    assert "only airport" not in text and "North Korea (ZKPY, ZKHM); which of them" in text

    abroad = _refleet(edit("157718", candidates=["ZKPY", "ZYTL"]))  # ZYTL: Dalian, China
    assert [e.airport.icao for e in abroad if e.airport] == ["UEEE"] and len(abroad) == 1
    ranking = _refleet(edit("157718", details={"tz": "Asia/Pyongyang"}))
    assert [e.airport.icao for e in ranking if e.airport] == ["UEEE"] and len(ranking) == 1


# ----------------------------------------------------------------------------- claims


def _verdict(result: ReplayResult, text: str, at_iso: str) -> Verdict:
    registry = load_fleets(example_fleets_path())
    claim = parse_claim(text, registry, _t(at_iso))
    members = member_hexes(claim, registry, result.positions)
    evidence = evidence_from_replay(members, result.events, result.positions)
    return verify(claim, evidence, lang="en")


@pytest.mark.parametrize("registration", ["RA-96017", "RA-96024", "RA-96025"])
def test_0747_claim_contradicted_for_each_aircraft(
    replayed: ReplayResult, registration: str
) -> None:
    """09:47 Norwegian time (07:47 UTC): "had landed in North Korea" — all three were seen
    parked at Yakutsk within seconds of that time."""
    v = _verdict(replayed, f"{registration} has landed in North Korea", "2024-06-18T07:47:00")
    assert v.verdict == "contradicted"
    assert v.rule == "observed_on_ground_elsewhere"
    (member,) = v.evidence["members"]
    assert member["last_fix_before"]["airport"]["icao"] == "UEEE"
    assert member["last_fix_before"]["on_ground"]


def test_0747_claim_about_the_whole_fleet_is_contradicted(replayed: ReplayResult) -> None:
    """The bundled ru-gov fleet has 13 Il-96; the reconstruction contains only the three the
    reporting names. All three seen were parked at Yakutsk: contradicted. The ten that are not
    in the data at all that day are listed in the evidence and the summary, not counted: they
    neither support nor contradict (flyvakt does not turn "no data" into "not there")."""
    v = _verdict(replayed, "Putin has landed in North Korea", "2024-06-18T07:47:00")
    assert v.verdict == "contradicted"
    assert v.rule == "fleet_all_seen:observed_on_ground_elsewhere"
    outcomes = {m["icao24"]: m["outcome"] for m in v.evidence["members"]}
    assert len(outcomes) == 13
    assert {h for h, o in outcomes.items() if o == "contradicted"} == set(HEXES)
    assert len(v.evidence["members_not_in_data"]) == 10
    assert set(v.evidence["members_not_in_data"]).isdisjoint(HEXES)
    assert "all 3 aircraft" in v.summary and "Yakutsk" in v.summary
    assert "10 other aircraft of the fleet are not in the data" in v.summary


def test_1800_claim_supported_on_an_inferred_landing(replayed: ReplayResult) -> None:
    """20:00 Norwegian time (18:00 UTC): supported, because each aircraft was last seen about
    3,500 ft up, 6 NM from ZKPY and descending — an inferred landing, said as such. The landing
    names no airport; the only airport within reach of the last fix is ZKPY, in North Korea,
    which is what the claim says (issue 9, lead's decision 2a). The sentence names ZKPY as the
    only airport within reach (before session 9: "landed somewhere in North Korea ... all in
    North Korea", wrong in number for one candidate)."""
    for text in (
        "Putin has landed in North Korea",
        "RA-96017 has landed in North Korea",
        "RA-96024 has landed in North Korea",
        "RA-96025 has landed in North Korea",
    ):
        v = _verdict(replayed, text, "2024-06-18T18:00:00")
        assert v.verdict == "supported" and v.basis == "inferred"
        assert v.rule.endswith("landing_event_inferred")
        assert "ZKPY was the only airport within reach of its last position" in v.summary
        assert "landing inferred, not observed" in v.summary
        assert "all in" not in v.summary


UNSEEN = {
    "en": "; 10 other aircraft of the fleet are not in the data within 24 hours: RA-96012, ",
    "nb": "; 10 andre fly i flåten finnes ikke i dataene innen 24 timer: RA-96012, ",
    "nn": "; 10 andre fly i flåten finst ikkje i dataa innanfor 24 timar: RA-96012, ",
}


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_1800_fleet_claim_supported_names_the_members_not_in_the_data(
    replayed: ReplayResult, lang: str
) -> None:
    """Supported by three of the fleet's 13 aircraft: the sentence said nothing of the other
    ten, as if the whole fleet had been seen. It names them (by registration), as the
    contradicted verdict at 07:47 counts them."""
    registry = load_fleets(example_fleets_path())
    claim = parse_claim("Putin has landed in North Korea", registry, _t("2024-06-18T18:00:00"))
    members = member_hexes(claim, registry, replayed.positions)
    subjects = SubjectContext(registry)
    ev = evidence_from_replay(members, replayed.events, replayed.positions, subjects)
    v = verify(claim, ev, lang=lang)
    assert v.verdict == "supported", v.summary
    assert UNSEEN[lang] in v.summary, v.summary
    unseen = [ev.registrations[h] for h in v.evidence["members_not_in_data"]]
    assert len(unseen) == 10 and all(reg in v.summary for reg in unseen)
    assert not any(reg in v.summary for reg in ("RA-96017,", "RA-96024,", "RA-96025,"))


SAYS = {
    "en": ("ZKPY was the only airport within reach of its last position; landing inferred, "
           "not observed"),
    "nb": ("ZKPY var den eneste flyplassen innen rekkevidde av siste posisjon; landingen er "
           "utledet, ikke observert"),
    "nn": ("ZKPY var den einaste flyplassen innanfor rekkjevidd av siste posisjon; landinga er "
           "utleidd, ikkje observert"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
@pytest.mark.parametrize("text", ["Putin has landed in Pyongyang", "RA-96025 has landed at ZKPY"])
def test_1800_city_and_airport_claims_supported_by_the_only_candidate(
    replayed: ReplayResult, text: str, lang: str
) -> None:
    """Session 9 (the lead's decision): an unnamed inferred landing whose complete candidate
    list is ZKPY alone supports "landed at ZKPY" and "landed in Pyongyang" (ZKPY is the city's
    airport) the same way it supports "in North Korea": the doubt is whether it landed at all,
    not where. In session 8 these were unverifiable. Supported (inferred), never observed."""
    registry = load_fleets(example_fleets_path())
    claim = parse_claim(text, registry, _t("2024-06-18T18:00:00"))
    assert claim.predicate == "landed_at" and "ZKPY" in claim.airports
    members = member_hexes(claim, registry, replayed.positions)
    evidence = evidence_from_replay(members, replayed.events, replayed.positions)
    v = verify(claim, evidence, lang=lang)
    assert v.verdict == "supported" and v.basis == "inferred", v.summary
    assert v.rule.endswith("landing_event_inferred")
    assert SAYS[lang] in v.summary, v.summary
    evs = v.evidence["events"]
    assert evs and all(e["airport"] is None and e["candidates"] == ["ZKPY"] for e in evs)


def test_1800_airport_claim_elsewhere_stays_unverifiable(replayed: ReplayResult) -> None:
    """Another North Korean airport (ZKHM) is not the landing's candidate, so the landing does
    not support "landed at ZKHM"; with no fix near 18:00 it is unverifiable, never
    contradicted."""
    v = _verdict(replayed, "RA-96025 has landed at ZKHM", "2024-06-18T18:00:00")
    assert v.verdict == "unverifiable", v.summary


def test_1800_claim_unverifiable_without_low_coverage(tmp_path: Path) -> None:
    """The same evening with Korea covered only above 10,000 ft (the scenario's first
    version): the last fixes are ~20 NM out at cruise descent, no landing can be inferred, and
    the 18:00 claim is unverifiable — never guessed from the direction of flight."""
    path = _simulate_to_jsonl(tmp_path / "high.jsonl", floor_ft=10000, start="2024-06-18T16:00:00")
    result = replay_files([str(path)], fleets_path=str(example_fleets_path()))
    assert [e for e in result.events if e.type == "landing"] == []
    v = _verdict(result, "Putin has landed in North Korea", "2024-06-18T18:00:00")
    assert v.verdict == "unverifiable"
