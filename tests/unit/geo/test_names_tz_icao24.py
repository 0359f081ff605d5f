"""Country names (en/nb/nn), free-text resolution, time zones, icao24 address blocks."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from flyvakt.geo import World, country_name, registration_countries, resolve_country
from flyvakt.geo.icao24 import BLOCKS

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        ("North Korea", "KP"),
        ("Nord-Korea", "KP"),
        ("DPRK", "KP"),
        ("nord-korea", "KP"),
        ("Russia", "RU"),
        ("Russland", "RU"),
        ("Russian Federation", "RU"),
        ("China", "CN"),
        ("Kina", "CN"),
        ("Frankrike", "FR"),
        ("Tyskland", "DE"),
        ("Norway", "NO"),
        ("Noreg", "NO"),  # Nynorsk
        ("the Netherlands", "NL"),
        ("Nederland", "NL"),
        ("USA", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("Storbritannia", "GB"),
        ("Sør-Korea", "KR"),
        ("Sor-Korea", "KR"),  # accents optional
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Türkiye", "TR"),
        ("Kosovo", "XK"),
        ("NO", "NO"),
        ("PRK", "KP"),
        ("FRA", "FR"),
    ],
)
def test_resolve_country(text: str, iso2: str) -> None:
    assert resolve_country(text) == iso2


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "no", "in", "Europe", "ZZ"])
def test_resolve_country_rejects(text: str) -> None:
    assert resolve_country(text) is None


@pytest.mark.parametrize(
    ("iso2", "locale", "name"),
    [
        ("KP", "en", "North Korea"),
        ("KP", "nb", "Nord-Korea"),
        ("RU", "nb", "Russland"),
        ("CN", "nn", "Kina"),
        ("NO", "nn", "Noreg"),
        ("NO", "nb", "Norge"),
        ("FR", "en", "France"),
    ],
)
def test_country_name(iso2: str, locale: str, name: str) -> None:
    assert country_name(iso2, locale) == name


def test_country_name_round_trips_through_resolve() -> None:
    for code in ("KP", "RU", "CN", "FR", "DE", "NO", "SE", "US", "GB", "UA", "IR", "AE"):
        for loc in ("en", "nb", "nn"):
            assert resolve_country(country_name(code, loc)) == code, (code, loc)


def test_tz_at(world: World) -> None:
    assert world.tz_at(62.0355, 129.6755) == "Asia/Yakutsk"
    assert world.tz_at(39.0392, 125.7625) == "Asia/Pyongyang"
    assert world.tz_at(59.9139, 10.7522) == "Europe/Oslo"
    # Chukotka across the antimeridian: Anadyr time on both sides, not a longitude guess.
    assert world.tz_at(66.0, -179.5) == "Asia/Anadyr"
    assert world.tz_at(66.0, 179.5) == "Asia/Anadyr"
    # Kashgar: China uses Urumqi time there, 2 h off Beijing; longitude would say UTC+5.
    assert world.tz_at(39.47, 75.99) == "Asia/Urumqi"


def test_registration_country_examples(world: World) -> None:
    assert world.registration_country(0x15770C) == "RU"
    assert world.registration_country(0x393322) == "FR"  # F-GMZC, AFR34ZG in tests/data
    assert world.registration_country("3c664e") == "DE"
    assert world.registration_country(0x720000) == "KP"
    assert world.registration_country(0x727FFF) == "KP"
    assert world.registration_country(0x728000) == "IQ"
    assert world.registration_country(0xA0FFEE) == "US"
    assert world.registration_country(0x000000) is None
    assert world.registration_country(0xF00000) is None  # ICAO's own block


def test_blocks_are_powers_of_two_and_aligned() -> None:
    for first, bits, code in BLOCKS:
        assert first % (1 << bits) == 0, (hex(first), bits, code)
        assert len(code) == 2 and code.isupper()


def test_registration_countries_vectorised() -> None:
    a = np.array([[0x15770C, 0x393322], [0x3C664E, 0x000001]])
    got = registration_countries(a)
    assert got.shape == (2, 2)
    assert got.tolist() == [["RU", "FR"], ["DE", None]]


# ICAO nationality marks (Annex 7) → ISO alpha-2, for the registrations seen in the files.
NATIONALITY = {
    "F-": "FR",
    "D-": "DE",
    "G-": "GB",
    "RA-": "RU",
    "VH-": "AU",
    "C-": "CA",
    "EI-": "IE",
    "PH-": "NL",
    "OE-": "AT",
    "HB-": "CH",
    "SE-": "SE",
    "LN-": "NO",
    "OH-": "FI",
    "OY-": "DK",
    "EC-": "ES",
    "I-": "IT",
    "SP-": "PL",
    "OK-": "CZ",
    "HA-": "HU",
    "YR-": "RO",
    "9H-": "MT",
    "A6-": "AE",
    "A7-": "QA",
    "HZ-": "SA",
    "4X-": "IL",
    "TC-": "TR",
    "UR-": "UA",
    "UP-": "KZ",
    "VT-": "IN",
    "AP-": "PK",
    "9V-": "SG",
    "9M-": "MY",
    "HS-": "TH",
    "RP-": "PH",
    "PK-": "ID",
    "ZS-": "ZA",
    "SU-": "EG",
    "5A-": "LY",
    "CN-": "MA",
    "7T-": "DZ",
    "ET-": "ET",
    "5N-": "NG",
    "PP-": "BR",
    "PR-": "BR",
    "PT-": "BR",
    "LV-": "AR",
    "CC-": "CL",
    "XA-": "MX",
    "XB-": "MX",
    "XC-": "MX",
    "HK-": "CO",
    "OB-": "PE",
    "YV-": "VE",
    "ZK-": "NZ",
    "EP-": "IR",
    "YI-": "IQ",
    "JY-": "JO",
    "9K-": "KW",
    "A9C-": "BH",
    "A4O-": "OM",
    "Z-": "ZW",
    "S5-": "SI",
    "9A-": "HR",
    "YU-": "RS",
    "LY-": "LT",
    "YL-": "LV",
    "ES-": "EE",
    "OM-": "SK",
    "4K-": "AZ",
    "EW-": "BY",
}


def _nationality(reg: str) -> str | None:
    for prefix in sorted(NATIONALITY, key=len, reverse=True):
        if reg.startswith(prefix):
            return NATIONALITY[prefix]
    if len(reg) > 1 and reg[0] == "N" and reg[1].isdigit():
        return "US"
    return None


@pytest.mark.parametrize(
    ("name", "min_agree"), [("plane-alert-gov.csv", 0.99), ("plane-alert-db.csv", 0.98)]
)
def test_registration_country_agrees_with_real_registrations(name: str, min_agree: float) -> None:
    # Real data: plane-alert-db pairs each icao24 with the aircraft's registration mark.
    # The State of registry assigns both, so they agree except for stale database rows.
    with (DATA / "plane-alert-db" / name).open(encoding="utf-8") as fh:
        rows = [(r["$ICAO"], r["$Registration"]) for r in csv.DictReader(fh)]
    pairs = [(int(h, 16), nat) for h, reg in rows if (nat := _nationality(reg))]
    assert len(pairs) > 1000
    got = registration_countries(np.array([p[0] for p in pairs]))
    agree = Counter(g == nat for g, (_, nat) in zip(got, pairs, strict=True))
    assert agree[True] / len(pairs) >= min_agree
    # Each nationality with ≥ 5 aircraft is mostly right (catches a wrong block in the table).
    per: dict[str, Counter[bool]] = {}
    for g, (_, nat) in zip(got, pairs, strict=True):
        per.setdefault(nat, Counter())[g == nat] += 1
    for nat, c in per.items():
        if c.total() >= 5:
            assert c[True] / c.total() >= 0.8, (nat, c)
