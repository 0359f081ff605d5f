"""Golden bulletins in en, nb and nn.

The AFR34ZG takeoff/landing use the real times of tests/data/events_groundtruth_dev.csv
(LFPG takeoff 2024-07-06 06:59:21Z, LFBO landing 07:58:42Z). The other events are SYNTHETIC
(constructed here; no recording in tests/data shows a fleet movement, an emergency squawk or an
airspace crossing), chosen to exercise every sentence kind.

If a wording change is intended, regenerate the golden files and read the diff aloud:

    FLYVAKT_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/unit/i18n/test_golden_bulletins.py
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import airportsdata
import pytest

from flyvakt.i18n.bulletins import bulletin, fleet_bulletin, timeline_text
from flyvakt.model.events import AirportRef, Event

GOLDEN = Path(__file__).parent / "golden"
REGEN_CMD = (
    "FLYVAKT_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/unit/i18n/test_golden_bulletins.py"
)
AIRPORTS = airportsdata.load("ICAO")
FLEET_NAMES = {
    "en": {"ru-gov": "the Russian presidential fleet"},
    "nb": {"ru-gov": "den russiske presidentflyflåten"},
    "nn": {"ru-gov": "den russiske presidentflyflåten"},
}


def apt(code: str) -> AirportRef:
    a = AIRPORTS[code]
    return AirportRef(
        a["icao"], a["iata"], a["name"], a["country"], a["tz"], a["lat"], a["lon"], a["elevation"]
    )


def ts(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()  # type: ignore[misc]


def unnamed_fleet(
    n: int, candidates: list[str], tz: str, kind: str, code: str, country: str
) -> Event:
    """A ``fleet_landed`` whose member landings name no airport (fleets/landed.py)."""
    return Event(
        "fleet_landed", "157766", ts(2024, 6, 18, 17, 26, 12), country=country,
        fleet=["ru-gov"], basis="inferred", candidates=candidates, local_tz=tz,
        details={"count": n, "departed_count": n, "origin": "UEEE",
                 "place": {"kind": kind, "code": code, "country": country}},
    )  # fmt: skip


def golden_events() -> list[Event]:
    afr = {"icao24": "393322", "callsign": "AFR34ZG"}
    il96 = "157766"
    return [
        # Real (events_groundtruth_dev.csv):
        Event(
            "takeoff", time_s=ts(2024, 7, 6, 6, 59, 21), airport=apt("LFPG"), country="FR", **afr
        ),
        Event(
            "landing", time_s=ts(2024, 7, 6, 7, 58, 42), airport=apt("LFBO"), country="FR", **afr
        ),
        # Synthetic from here on.
        Event(
            "landing",
            time_s=ts(2024, 7, 6, 7, 58, 42),
            airport=apt("LFBO"),
            country="FR",
            basis="inferred",
            confidence=0.8,
            candidates=["LFBF"],
            **afr,
        ),
        Event("go_around", time_s=ts(2024, 7, 6, 7, 52), airport=apt("LFBO"), country="FR", **afr),
        Event(
            "emergency_squawk",
            time_s=ts(2024, 7, 6, 7, 30),
            country="FR",
            local_tz="Europe/Paris",
            details={"squawk": "7700"},
            altitude_baro_ft=24000,
            **afr,
        ),
        Event("fleet_departed", il96, ts(2024, 6, 18, 9, 2), airport=apt("UUWW"), fleet=["ru-gov"]),
        Event(
            "airspace_entry", il96, ts(2024, 6, 18, 12, 40), country="CN", local_tz="Asia/Shanghai"
        ),
        Event(
            "signal_lost",
            il96,
            ts(2024, 6, 18, 13, 5),
            country="CN",
            local_tz="Asia/Shanghai",
            altitude_baro_ft=31025,
        ),
        Event(
            "signal_regained",
            il96,
            ts(2024, 6, 18, 14, 33),
            country="CN",
            local_tz="Asia/Shanghai",
            details={"gap_s": 5280},
        ),
        Event(
            "airspace_entry",
            il96,
            ts(2024, 6, 18, 15, 10),
            country="KP",
            local_tz="Asia/Pyongyang",
            basis="possible",
        ),
        Event(
            "stopover",
            il96,
            ts(2024, 6, 18, 11, 0),
            airport=apt("UHWW"),
            details={"on_ground_s": 85 * 60},
        ),
        Event(
            "fleet_landed",
            il96,
            ts(2024, 6, 18, 17, 27),
            airport=apt("ZKPY"),
            fleet=["ru-gov"],
            details={"count": 3, "departed_count": 3, "origin": "UUWW"},
        ),
        Event(
            "fleet_landed",
            il96,
            ts(2024, 6, 18, 17, 27),
            airport=apt("ZKPY"),
            fleet=["ru-gov"],
            basis="inferred",
            details={"count": 2, "departed_count": 3, "origin": "UUWW"},
        ),
        Event(
            "fleet_together",
            il96,
            ts(2024, 6, 18, 12, 0),
            country="CN",
            fleet=["ru-gov"],
            details={"count": 3, "members": ["15770c", "157710", "157766"]},
        ),
        # fleets/landed.py: member landings that name no airport, every candidate list ZKPY
        # alone (the reconstruction's case), then candidates that differ (one country), then
        # candidates all in one city.
        unnamed_fleet(3, ["ZKPY"], "Asia/Pyongyang", "airport", "ZKPY", "KP"),
        unnamed_fleet(2, ["ZKPY", "ZKHM"], "Asia/Pyongyang", "country", "KP", "KP"),
        unnamed_fleet(2, ["UUEE", "UUWW"], "Europe/Moscow", "city", "Moscow", "RU"),
        # Touch-and-goes (session 10: they had no sentence of their own), observed and inferred.
        Event("touch_and_go", time_s=ts(2024, 7, 6, 7, 40), airport=apt("LFBO"), **afr),
        Event(
            "touch_and_go",
            time_s=ts(2024, 7, 6, 7, 45),
            airport=apt("LFBO"),
            basis="inferred",
            reason="landed at LFBO and took off again 60 s later",
            **afr,
        ),
    ]


def render(lang: str) -> str:
    lines = []
    for ev in golden_events():
        if ev.type.startswith("fleet_"):
            lines.append(fleet_bulletin(ev, lang, "Europe/Oslo", FLEET_NAMES[lang]))
        else:
            lines.append(bulletin(ev, lang, "Europe/Oslo"))
    lines.append("")
    lines.append(bulletin(golden_events()[0], lang, "UTC"))
    lines.append(bulletin(golden_events()[0], lang, "America/New_York"))
    lines.append("")
    lines.append(timeline_text(golden_events()[:2], lang, "Europe/Oslo").rstrip("\n"))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_golden(lang: str) -> None:
    path = GOLDEN / f"bulletins_{lang}.txt"
    got = render(lang)
    if os.environ.get("FLYVAKT_REGEN_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8") if path.exists() else ""
    assert got == want, f"{path.name} differs; if intended, regenerate with: {REGEN_CMD}"


def test_spec_example_sentences() -> None:
    """The three sentences of the brief, word for word (fleet name left out by passing none)."""
    ev = golden_events()[11]
    assert fleet_bulletin(ev, "en", "Europe/Oslo", FLEET_NAMES["en"]) == (
        "The last of the three aircraft of the Russian presidential fleet that took off from "
        "Moscow landed in Pyongyang at 02:27 local time (19:27 Norwegian time)."
    )
    assert fleet_bulletin(ev, "nb", "Europe/Oslo", FLEET_NAMES["nb"]) == (
        "Det siste av de tre flyene i den russiske presidentflyflåten som lettet fra Moskva, "
        "landet i Pyongyang kl. 02.27 lokal tid (19.27 norsk tid)."
    )
    assert fleet_bulletin(ev, "nn", "Europe/Oslo", FLEET_NAMES["nn"]) == (
        "Det siste av dei tre flya i den russiske presidentflyflåten som letta frå Moskva, "
        "landa i Pyongyang kl. 02.27 lokal tid (19.27 norsk tid)."
    )


def test_afr34zg_real_times() -> None:
    takeoff, landing = golden_events()[:2]
    assert bulletin(takeoff, "en", "UTC") == (
        "AFR34ZG (393322) took off from Paris at 08:59 local time (06:59 UTC)."
    )
    assert bulletin(landing, "nn", "Europe/Oslo") == (
        "AFR34ZG (393322) landa i Toulouse kl. 09.58 norsk tid."
    )


def test_inferred_and_possible_are_never_stated_as_fact() -> None:
    evs = golden_events()
    inferred_landing, possible_entry, inferred_fleet = evs[2], evs[9], evs[12]
    for lang, hedge, flat in [
        ("en", "appears to have landed", " landed in"),
        ("nb", "ser ut til å ha landet", " landet i"),
        ("nn", "ser ut til å ha landa", " landa i"),
    ]:
        text = bulletin(inferred_landing, lang, "Europe/Oslo")
        assert hedge in text and flat not in text.replace(hedge, ""), text
        fleet_text = fleet_bulletin(inferred_fleet, lang, "Europe/Oslo", FLEET_NAMES[lang])
        assert hedge.replace("appears", "appear") in fleet_text, fleet_text
    assert "may have entered" in bulletin(possible_entry, "en")
    assert "kan ha fløyet inn" in bulletin(possible_entry, "nb")
    assert "kan ha kome inn" in bulletin(possible_entry, "nn")
    assert "does not mean that it landed" in bulletin(evs[7], "en")


@pytest.mark.parametrize(
    ("lang", "hedge", "said"),
    [
        ("en", "appears to have landed in North Korea", "inferred, not observed"),
        ("nb", "ser ut til å ha landet i Nord-Korea", "utledet, ikke observert"),
        ("nn", "ser ut til å ha landa i Nord-Korea", "utleidd, ikkje observert"),
    ],
)
def test_fleet_landing_without_a_named_airport_says_inferred(
    lang: str, hedge: str, said: str
) -> None:
    """fleets/landed.py: the airport is named only as the only one within reach; with two
    candidates, none is named as the place at all."""
    one, two = golden_events()[14], golden_events()[15]
    text = fleet_bulletin(one, lang, "Europe/Oslo", FLEET_NAMES[lang])
    assert hedge in text and said in text and text.count("ZKPY") == 1, text
    assert "Pyongyang (ZKPY)" in text and " i Pyongyang" not in text and "in Pyongyang" not in text
    text = fleet_bulletin(two, lang, "Europe/Oslo", FLEET_NAMES[lang])
    assert hedge.replace("appears", "appear") in text or hedge in text, text
    assert "(ZKPY, ZKHM)" in text and "Pyongyang" not in text, text


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        bulletin(golden_events()[0], "de")
    assert bulletin(golden_events()[0], "no") == bulletin(golden_events()[0], "nb")


@pytest.mark.parametrize(
    ("lang", "want", "not_want"),
    [
        ("en", "Airports within reach of its last position: ZKPY.", "Other possible"),
        ("nb", "Flyplasser innen rekkevidde fra siste posisjon: ZKPY.", "Andre mulige"),
        ("nn", "Flyplassar innanfor rekkjevidd frå siste posisjon: ZKPY.", "Andre moglege"),
    ],
)
def test_unnamed_landing_lists_its_candidates_as_within_reach_not_as_other(
    lang: str, want: str, not_want: str
) -> None:
    # The reconstruction's Pyongyang landings name no airport (each track ends 5.8 NM out), so
    # ZKPY is the only candidate, not an "other" airport beside a named one.
    ev = Event(
        "landing", "157718", 1718731391.0, callsign="RA-96024", country="KP", basis="inferred",
        confidence=0.4, reason="last seen 3,575 ft above ZKPY 5.8 NM away, not on short final",
        candidates=["ZKPY"], lat=39.23, lon=125.797, local_tz="Asia/Pyongyang",
    )  # fmt: skip
    text = bulletin(ev, lang)
    assert want in text and not_want not in text


def test_timeline_puts_the_fleet_fact_after_the_landing_that_completes_it() -> None:
    fleet = golden_events()[14]  # the last of three, inferred, 17:26:12
    landing = Event(
        "landing", fleet.icao24, fleet.time_s, basis="inferred", candidates=["ZKPY"],
        reason="last seen descending", local_tz="Asia/Pyongyang",
        details={"candidates_within_nm": 10.0},
    )  # fmt: skip
    lines = timeline_text([fleet, landing], "en", "UTC", FLEET_NAMES["en"]).splitlines()
    assert lines[1].startswith("  17:26  Aircraft 157766 appears to have landed"), lines
    assert lines[2].startswith("  17:26  The last of the three aircraft"), lines
