"""Claims as newsrooms write them, in en, nb and nn, each with its expected verdict, over the
state-visit reconstruction and real recordings; free text and structured fields must agree.

Data:
- ``sv``: the bundled ``june-2024-state-visit`` scenario, SYNTHETIC (an approximate
  reconstruction from public reporting; see tests/scenario/test_state_visit.py), simulated and
  replayed through the real pipeline.
- ``real``: real recordings from tests/data/traffic (traffic package, MIT; OpenSky data):
  AFR34ZG LFPG → LFBO (2024-07-06, bundled), 4B1815 Porto → Zurich across PT, ES, FR, DE, CH
  (2022-07-13, ``noisy_time_issue``), ANZ4376 NZCH → NZCH (2021-05-15, ``kiwi``) and the UK
  Border Force UAV 407918 over the Channel (2020-04-17, ``border_control``).

Registrations come from the bundled fleets file (plane-alert-db rows), a plane-alert-db CSV
given as a registry (G-TEKV) and a two-row dump1090-style ``aircraft.csv`` written here whose
rows copy flightaware/dump1090's registry (393322 F-GMZC A321, 4B1815 HB-JDD A20N).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import ReplayResult, replay_files
from flyvakt.verify import member_hexes, verify
from flyvakt.verify.claims import Claim, ClaimContext, parse_claim
from flyvakt.verify.evidence import airports_used_by, callsigns_in, evidence_from_replay
from flyvakt.verify.structured import build_claim
from flyvakt.verify.subjects import AircraftRegistry, Subject, SubjectContext
from tests.scenario.test_state_visit import _simulate_to_jsonl

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FILES = ("noisy_time_issue.json.gz", "kiwi.json.gz", "border_control.json.gz")
AIRCRAFT_CSV = "icao24,r,t,desc\n393322,F-GMZC,A321,\n4B1815,HB-JDD,A20N,\n"


@dataclass
class World:
    result: ReplayResult
    registry_files: dict[str, AircraftRegistry]


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, World]:
    tmp = tmp_path_factory.mktemp("claims_table")
    sv = replay_files(
        [str(_simulate_to_jsonl(tmp / "sv.jsonl"))], fleets_path=str(example_fleets_path())
    )
    # One replay per recording (years apart, each ends with its own finish()).
    parts = [replay_files([str(DATA / "traffic" / n)]) for n in REAL_FILES]
    parts.append(replay_files([bundled_sample()]))
    events = sorted((e for p in parts for e in p.events), key=lambda e: e.time_s)
    positions = PositionBatch.concat([p.positions for p in parts])
    real = ReplayResult(events, positions, parts[-1].stats, parts[-1].state)
    csv_path = tmp / "aircraft.csv"
    csv_path.write_text(AIRCRAFT_CSV, encoding="utf-8")
    files = {
        "aircraft.csv": AircraftRegistry.load(csv_path),
        "plane-alert": AircraftRegistry.load(DATA / "plane-alert-db" / "plane-alert-db.csv"),
    }
    return {"sv": World(sv, files), "real": World(real, files)}


# (data, lang, free text, structured fields "subject|predicate|place|at|since", verdict,
#  options: {"given": subject for "the aircraft"/"flyet", "registry": file key})
F = "fleet:ru-gov"
# Since session 8 (issue 9, the lead's decisions 1 and 2) the reconstruction's Pyongyang
# landings name no airport: each track ends ~3,400 ft up 5.8 NM out, not on short final. Their
# only candidate within reach is ZKPY, so "landed in North Korea" and, since session 9 (the
# lead's decision: a complete candidate list supports a country, a city or an airport alike,
# the doubt being "did it land at all?", not where), "landed in Pyongyang / at ZKPY" are
# supported (inferred); in session 8 the latter two were unverifiable. "Avoided China
# 12:30-17:30" is unverifiable: two aircraft were last seen 7-10 min before 17:30 and could
# have flown 81-117 NM unseen, China being 70 NM away (tests/scenario/test_airspace_claims.py).
ROWS: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
    # ------------------------------------------------------------------ English
    ("sv", "en", "Putin has landed in North Korea by 2024-06-18T20:00+02:00",
     f"{F}|landed_in|KP|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "en", "RA-96017 has landed in North Korea by 09:47 Norwegian time on 18 June 2024",
     "aircraft:157711|landed_in|North Korea|2024-06-18T07:47Z|", "contradicted", {}),
    ("sv", "en", "157718 was on the ground at Yakutsk at 07:47 UTC on 18 June 2024",
     "aircraft:RA-96024|on_ground_at|Yakutsk|2024-06-18T07:47Z|", "supported", {}),
    ("sv", "en", "RA96025 departed from Yakutsk by 18 June 2024 13:00 UTC",
     "aircraft:157719|departed_from|Yakutsk|2024-06-18T13:00Z|", "supported", {}),
    ("sv", "en", "the Russian presidential fleet avoided China's airspace between 12:30 and "
     "17:30 UTC on 18 June 2024",
     f"{F}|avoided_airspace_of|CN|2024-06-18T17:30Z|2024-06-18T12:30Z", "unverifiable", {}),
    ("sv", "en", "RA-96024 entered North Korean airspace between 12:30 and 18:00 UTC on "
     "18 June 2024",
     "aircraft:157718|entered_airspace_of|KP|2024-06-18T18:00Z|2024-06-18T12:30Z", "supported",
     {}),
    ("sv", "en", "RA-96024 entered the airspace of Mongolia between 12:30 and 17:30 UTC on "
     "18 June 2024",
     "aircraft:157718|entered_airspace_of|MN|2024-06-18T17:30Z|2024-06-18T12:30Z",
     "contradicted", {}),
    ("sv", "en", "RA-96017 flew over Russia between 12:30 and 14:00 UTC on 18 June 2024",
     "aircraft:157711|flew_over|RU|2024-06-18T14:00Z|2024-06-18T12:30Z", "supported", {}),
    ("sv", "en", "RA-96025 was airborne at 12:45 UTC on 18 June 2024",
     "aircraft:157719|airborne||2024-06-18T12:45Z|", "supported", {}),
    ("sv", "en", "RA-96025 was in Russian airspace at 12:50 UTC on 18 June 2024",
     "aircraft:157719|in_airspace_of|RU|2024-06-18T12:50Z|", "supported", {}),
    ("sv", "en", "Putin has landed in Pyongyang by 2024-06-18 20:00 CEST",
     f"{F}|landed_at|Pyongyang|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "en", "Putin has landed at ZKPY by 18 June 2024 10:00 UTC",
     f"{F}|landed_at|ZKPY|2024-06-18T10:00Z|", "contradicted", {}),
    ("sv", "en", "Putin has landed at FNJ by 18 June 2024 19:30 Pyongyang time",
     f"{F}|landed_at|FNJ|2024-06-18T10:30Z|", "contradicted", {}),
    ("sv", "en", "RA-96017 took off from Moscow by 01:00 UTC on 18 June 2024",
     "aircraft:RA96017|departed_from|Moscow|2024-06-18T01:00Z|", "supported", {}),
    ("real", "en", "AFR34ZG has landed in France by 2024-07-06T08:10Z",
     "aircraft:393322|landed_in|FR|2024-07-06T08:10Z|", "supported", {}),
    ("real", "en", "F-GMZC landed at Toulouse by 6 July 2024 10:30 CEST",
     "aircraft:393322|landed_at|Toulouse|2024-07-06T08:30Z|", "supported",
     {"registry": "aircraft.csv"}),
    ("real", "en", "NZ4376 departed from Christchurch by 2021-05-15T01:00Z",
     "aircraft:ANZ4376|departed_from|Christchurch|2021-05-15T01:00Z|", "supported", {}),
    ("real", "en", "G-TEKV entered the airspace of France between 05:00 and 07:00 UTC on "
     "17 April 2020",
     "aircraft:407918|entered_airspace_of|FR|2020-04-17T07:00Z|2020-04-17T05:00Z",
     "supported", {"registry": "plane-alert"}),
    ("real", "en", "HB-JDD entered the airspace of Germany between 12:00 and 14:30 UTC on "
     "13 July 2022",
     "aircraft:4b1815|entered_airspace_of|DE|2022-07-13T14:30Z|2022-07-13T12:00Z",
     "supported", {"registry": "aircraft.csv"}),
    ("real", "en", "HB-JDD entered the airspace of Norway between 12:00 and 14:30 UTC on "
     "13 July 2022",
     "aircraft:4b1815|entered_airspace_of|NO|2022-07-13T14:30Z|2022-07-13T12:00Z",
     "contradicted", {"registry": "aircraft.csv"}),
    ("real", "en", "the aircraft was on the ground at LFPG at 06:45 UTC on 6 July 2024",
     "aircraft:393322|on_ground_at|LFPG|2024-07-06T06:45Z|", "supported",
     {"given": ("aircraft", "393322")}),
    ("real", "en", "AFR34ZG was airborne at 2024-07-06T07:30Z",
     "aircraft:AFR34ZG|airborne||2024-07-06T07:30Z|", "supported", {}),
    # ------------------------------------------------------------------ Bokmål
    ("sv", "nb", "Putin har landet i Nord-Korea innen 18. juni 2024 kl. 20.00 norsk tid",
     f"{F}|landed_in|Nord-Korea|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "nb", "Putins fly har landet i Nord-Korea innen kl. 09.47 18. juni 2024 norsk tid",
     f"{F}|landed_in|KP|2024-06-18T07:47Z|", "contradicted", {}),
    ("sv", "nb", "RA-96024 stod på bakken på Jakutsk kl. 07.47 UTC 18. juni 2024",
     "aircraft:157718|on_ground_at|Jakutsk|2024-06-18T07:47Z|", "supported", {}),
    ("sv", "nb", "157711 har lettet fra Yakutsk innen 18. juni 2024 kl. 15.00 norsk tid",
     "aircraft:157711|departed_from|Yakutsk|2024-06-18T13:00Z|", "supported", {}),
    ("sv", "nb", "den russiske presidentflyflåten unngikk luftrommet til Kina mellom kl. 12.30 "
     "og 17.30 UTC 18. juni 2024",
     f"{F}|avoided_airspace_of|Kina|2024-06-18T17:30Z|2024-06-18T12:30Z", "unverifiable", {}),
    ("sv", "nb", "flyene unngikk kinesisk luftrom mellom kl. 14.30 og 19.30 norsk tid "
     "18. juni 2024",
     f"{F}|avoided_airspace_of|CN|2024-06-18T17:30Z|2024-06-18T12:30Z", "unverifiable",
     {"given": ("fleet", "ru-gov")}),
    ("sv", "nb", "RA-96017 fløy inn i luftrommet til Nord-Korea mellom kl. 12.30 og 18.00 UTC "
     "18. juni 2024",
     "aircraft:157711|entered_airspace_of|KP|2024-06-18T18:00Z|2024-06-18T12:30Z",
     "supported", {}),
    ("sv", "nb", "RA-96017 fløy inn i luftrommet til Mongolia mellom kl. 12.30 og 17.30 UTC "
     "18. juni 2024",
     "aircraft:157711|entered_airspace_of|MN|2024-06-18T17:30Z|2024-06-18T12:30Z",
     "contradicted", {}),
    ("sv", "nb", "RA-96025 var i lufta kl. 12.45 UTC 18. juni 2024",
     "aircraft:157719|airborne||2024-06-18T12:45Z|", "supported", {}),
    ("sv", "nb", "RA-96025 var i luftrommet til Russland kl. 12.50 UTC 18. juni 2024",
     "aircraft:157719|in_airspace_of|RU|2024-06-18T12:50Z|", "supported", {}),
    ("sv", "nb", "RA-96017 var i Kinas luftrom kl. 12.45 UTC 18. juni 2024",
     "aircraft:157711|in_airspace_of|CN|2024-06-18T12:45Z|", "contradicted", {}),
    ("sv", "nb", "Putin har landet i Pjongjang før 18. juni 2024 kl. 20.00 norsk tid",
     f"{F}|landed_at|Pjongjang|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "nb", "Putin har landet på ZKPY innen 18. juni 2024 kl. 12.00 norsk tid",
     f"{F}|landed_at|ZKPY|2024-06-18T10:00Z|", "contradicted", {}),
    ("sv", "nb", "RA-96017 har lettet fra Moskva innen 18. juni 2024 kl. 03.00 norsk tid",
     "aircraft:157711|departed_from|Moskva|2024-06-18T01:00Z|", "supported", {}),
    ("real", "nb", "AFR34ZG har landet i Frankrike innen 6. juli 2024 kl. 10.10 norsk tid",
     "aircraft:AFR34ZG|landed_in|FR|2024-07-06T08:10Z|", "supported", {}),
    ("real", "nb", "F-GMZC har landet på Toulouse innen 2024-07-06T07:30Z",
     "aircraft:393322|landed_at|Toulouse|2024-07-06T07:30Z|", "contradicted",
     {"registry": "aircraft.csv"}),
    ("real", "nb", "NZ4376 har landet i Christchurch innen 15. mai 2021 kl. 05.00 norsk tid",
     "aircraft:c820d1|landed_at|Christchurch|2021-05-15T03:00Z|", "supported", {}),
    ("real", "nb", "G-TEKV fløy inn i luftrommet til Frankrike mellom kl. 06.00 og 07.00 UTC "
     "17. april 2020",
     "aircraft:407918|entered_airspace_of|FR|2020-04-17T07:00Z|2020-04-17T06:00Z",
     "supported", {"registry": "plane-alert"}),
    ("real", "nb", "HB-JDD fløy inn i luftrommet til Spania mellom kl. 11.40 og 12.40 UTC "
     "13. juli 2022",
     "aircraft:4b1815|entered_airspace_of|ES|2022-07-13T12:40Z|2022-07-13T11:40Z",
     "supported", {"registry": "aircraft.csv"}),
    ("real", "nb", "HB-JDD fløy inn i luftrommet til Polen mellom kl. 11.40 og 14.30 UTC "
     "13. juli 2022",
     "aircraft:4b1815|entered_airspace_of|PL|2022-07-13T14:30Z|2022-07-13T11:40Z",
     "contradicted", {"registry": "aircraft.csv"}),
    ("real", "nb", "flyet stod på bakken på Paris kl. 06.45 UTC 6. juli 2024",
     "aircraft:393322|on_ground_at|Paris|2024-07-06T06:45Z|", "supported",
     {"given": ("aircraft", "393322")}),
    ("real", "nb", "AFR34ZG var i lufta kl. 07.30 UTC 6. juli 2024",
     "aircraft:393322|airborne||2024-07-06T07:30Z|", "supported", {}),
    # ------------------------------------------------------------------ Nynorsk
    ("sv", "nn", "Putin har landa i Nord-Korea innan 18. juni 2024 kl. 20.00 norsk tid",
     f"{F}|landed_in|Nord-Korea|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "nn", "Putin har landa i Nord-Korea innan 18. juni 2024 kl. 09.47 norsk tid",
     f"{F}|landed_in|KP|2024-06-18T07:47Z|", "contradicted", {}),
    ("sv", "nn", "RA-96017 har landa i Pjongjang innan 19. juni 2024 kl. 03.00 Pyongyang-tid",
     "aircraft:157711|landed_at|Pyongyang|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "nn", "flyga unngjekk luftrommet til Kina mellom kl. 12.30 og 17.30 UTC "
     "18. juni 2024",
     f"{F}|avoided_airspace_of|CN|2024-06-18T17:30Z|2024-06-18T12:30Z", "unverifiable",
     {"given": ("fleet", "ru-gov")}),
    ("sv", "nn", "RA-96024 stod på bakken på Jakutsk kl. 16.47 Jakutsk-tid 18. juni 2024",
     "aircraft:157718|on_ground_at|Yakutsk|2024-06-18T07:47Z|", "supported", {}),
    ("sv", "nn", "157719 har letta frå UEEE innan 18. juni 2024 kl. 15.00 norsk tid",
     "aircraft:157719|departed_from|UEEE|2024-06-18T13:00Z|", "supported", {}),
    ("sv", "nn", "RA-96025 flaug inn i luftrommet til Nord-Korea mellom kl. 12.30 og 18.00 UTC "
     "18. juni 2024",
     "aircraft:157719|entered_airspace_of|KP|2024-06-18T18:00Z|2024-06-18T12:30Z",
     "supported", {}),
    ("sv", "nn", "RA-96025 flaug inn i luftrommet til Kina mellom kl. 12.30 og 17.30 UTC "
     "18. juni 2024",
     "aircraft:157719|entered_airspace_of|CN|2024-06-18T17:30Z|2024-06-18T12:30Z",
     "contradicted", {}),
    ("sv", "nn", "RA-96017 flaug over Russland mellom kl. 12.30 og 14.00 UTC 18. juni 2024",
     "aircraft:157711|flew_over|RU|2024-06-18T14:00Z|2024-06-18T12:30Z", "supported", {}),
    ("sv", "nn", "RA-96024 var i lufta kl. 12.45 UTC 18. juni 2024",
     "aircraft:157718|airborne||2024-06-18T12:45Z|", "supported", {}),
    ("sv", "nn", "RA-96024 var i luftrommet til Kina kl. 12.45 UTC 18. juni 2024",
     "aircraft:157718|in_airspace_of|CN|2024-06-18T12:45Z|", "contradicted", {}),
    ("sv", "nn", "Putin har landa på Pyongyang International Airport innan 18. juni 2024 "
     "kl. 20.00 norsk tid",
     f"{F}|landed_at|ZKPY|2024-06-18T18:00Z|", "supported", {}),
    ("sv", "nn", "RA-96017 har landa i Nord-Korea sidan 2024-06-18T12:00Z",
     "aircraft:157711|landed_in|KP||2024-06-18T12:00Z", "supported", {}),
    ("real", "nn", "AFR34ZG har landa i Frankrike innan 6. juli 2024 kl. 10.10 norsk tid",
     "aircraft:393322|landed_in|Frankrike|2024-07-06T08:10Z|", "supported", {}),
    ("real", "nn", "AFR34ZG har landa i Spania innan 6. juli 2024 kl. 10.10 norsk tid",
     "aircraft:393322|landed_in|ES|2024-07-06T08:10Z|", "contradicted", {}),
    ("real", "nn", "NZ4376 har letta frå Christchurch innan 15. mai 2021 kl. 01.00 UTC",
     "aircraft:NZ4376|departed_from|Christchurch|2021-05-15T01:00Z|", "supported", {}),
    ("real", "nn", "G-TEKV flaug inn i luftrommet til Storbritannia mellom kl. 03.00 og 08.00 "
     "UTC 17. april 2020",
     "aircraft:407918|entered_airspace_of|GB|2020-04-17T08:00Z|2020-04-17T03:00Z",
     "supported", {"registry": "plane-alert"}),
    ("real", "nn", "HB-JDD flaug inn i luftrommet til Frankrike mellom kl. 12.00 og 14.30 UTC "
     "13. juli 2022",
     "aircraft:4b1815|entered_airspace_of|FR|2022-07-13T14:30Z|2022-07-13T12:00Z",
     "supported", {"registry": "aircraft.csv"}),
    ("real", "nn", "HB-JDD flaug inn i luftrommet til Sveits mellom kl. 12.00 og 14.30 UTC "
     "13. juli 2022",
     "aircraft:4b1815|entered_airspace_of|CH|2022-07-13T14:30Z|2022-07-13T12:00Z",
     "supported", {"registry": "aircraft.csv"}),
    ("real", "nn", "flyet var i lufta kl. 07.30 UTC 6. juli 2024",
     "aircraft:393322|airborne||2024-07-06T07:30Z|", "supported",
     {"given": ("aircraft", "393322")}),
    ("real", "nn", "flyet har landa i Toulouse innan 6. juli 2024 kl. 10.00 norsk tid",
     "aircraft:393322|landed_at|Toulouse|2024-07-06T08:00Z|", "supported",
     {"given": ("aircraft", "393322")}),
]  # fmt: skip


def _context(world: World, opts: dict[str, Any]) -> tuple[ClaimContext, SubjectContext]:
    registry = load_fleets(example_fleets_path())
    pos = world.result.positions
    files = opts.get("registry")
    given: Subject | None = opts.get("given")
    subjects = SubjectContext(
        registry,
        world.registry_files[files] if files else None,
        given,
        callsigns_in(pos).__contains__,
    )
    events = [e.to_json() for e in world.result.events]
    end = float(pos.time_s.max())
    return ClaimContext(
        subjects, None, None, end, airports_used_by(registry, events, pos)
    ), subjects


def _judge(world: World, claim: Claim, subjects: SubjectContext, lang: str) -> dict[str, Any]:
    registry = subjects.registry
    pos = world.result.positions
    members = member_hexes(claim, registry, pos)
    ev = evidence_from_replay(members, world.result.events, pos, subjects)
    return verify(claim, ev, lang=lang, reader_tz="Europe/Oslo").to_json()


def _fields(spec: str) -> dict[str, Any]:
    subject, predicate, place, at, since = spec.split("|")
    kind, _, name = subject.partition(":")
    return {kind: name, "predicate": predicate, "place": place, "at": at, "since": since}


def test_table_covers_the_languages_and_forms() -> None:
    per_lang = {lang: sum(1 for r in ROWS if r[1] == lang) for lang in ("en", "nb", "nn")}
    assert len(ROWS) >= 60 and min(per_lang.values()) >= 20, per_lang
    predicates = {r[3].split("|")[1] for r in ROWS}
    from flyvakt.verify.claims import PREDICATES

    assert predicates == set(PREDICATES)
    # unverifiable only where the honest answer is so (the note above ROWS): the four
    # "avoided China" rows; the four Pyongyang/ZKPY rows turned supported in session 9
    assert {r[4] for r in ROWS} == {"supported", "contradicted", "unverifiable"}
    assert sum(1 for r in ROWS if r[4] == "unverifiable") == 4


@pytest.mark.parametrize(
    ("data", "lang", "text", "structured", "expected", "opts"),
    ROWS,
    ids=[f"{r[1]}-{i:02d}" for i, r in enumerate(ROWS)],
)
def test_claim(
    worlds: dict[str, World],
    data: str,
    lang: str,
    text: str,
    structured: str,
    expected: str,
    opts: dict[str, Any],
) -> None:
    world = worlds[data]
    ctx, subjects = _context(world, opts)
    registry = subjects.registry
    claim = parse_claim(text, registry, ctx=ctx)
    verdict = _judge(world, claim, subjects, lang)
    assert verdict["verdict"] == expected, verdict["summary"]
    assert verdict["summary"].split(":")[0] in (
        "Supported", "Supported (inferred)", "Contradicted",
        "Bekreftet", "Bekreftet (utledet)", "Avkreftet",
        "Stadfesta", "Stadfesta (utleidd)", "Avkrefta",
        "Unverifiable", "Kan ikke avgjøres", "Kan ikkje avgjerast",
    )  # fmt: skip
    # the structured form names the same claim and gets the same verdict
    other = build_claim(_fields(structured), registry, ctx)
    assert (other.predicate, other.object, other.at_s, other.since_s) == (
        claim.predicate,
        claim.object,
        claim.at_s,
        claim.since_s,
    )
    assert member_hexes(other, registry, world.result.positions) == member_hexes(
        claim, registry, world.result.positions
    )
    assert _judge(world, other, subjects, lang)["verdict"] == expected
