"""Catalogs (.po ↔ .mo ↔ code) and locale formatting (Babel CLDR data for en, nb, nn)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from flyvakt.i18n import catalog
from flyvakt.i18n.format import (
    altitude_ft,
    city_of,
    clock,
    count_words,
    country_name,
    duration,
    long_date,
    reader_clock,
    same_clock,
)

SRC = Path(catalog.__file__).resolve().parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_committed_mo_matches_po(lang: str) -> None:
    po = SRC / "locale" / lang / "LC_MESSAGES" / "flyvakt.po"
    mo = po.with_suffix(".mo")
    assert mo.read_bytes() == catalog.compile_po(po), (
        f"{mo} is stale; recompile with: .venv/bin/python -m flyvakt.i18n"
    )


def _code_msgids() -> set[tuple[str | None, str | tuple[str, ...]]]:
    found: set[tuple[str | None, str | tuple[str, ...]]] = set()
    for path in (SRC / "bulletins.py", SRC / "format.py", SRC.parent / "verify" / "around.py"):
        for _lineno, msg, _comments, ctx in extract_from_file("python", str(path)):
            found.add((ctx, msg))
    return found


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_message_in_code_is_translated_with_same_placeholders(lang: str) -> None:
    with (SRC / "locale" / lang / "LC_MESSAGES" / "flyvakt.po").open("rb") as fh:
        cat = read_po(fh, locale=lang)
    msgids = _code_msgids()
    assert len(msgids) > 40
    for ctx, msgid in msgids:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = cat.get(key, context=ctx)
        assert message is not None, f"{lang}: no entry for {msgid!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        for s in strings:
            assert s, f"{lang}: empty translation of {msgid!r}"
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(ids[-1])), (lang, s)
        assert not message.fuzzy


def test_no_message_speaks_of_people_aboard() -> None:
    for lang in ("nb", "nn"):
        text = (SRC / "locale" / lang / "LC_MESSAGES" / "flyvakt.po").read_text().casefold()
        for word in ("aboard", "om bord", "passenger", "passasjer", "president "):
            assert word not in text, (lang, word)


def test_clock_times_and_zones() -> None:
    t = datetime(2024, 6, 18, 17, 27, tzinfo=UTC).timestamp()
    assert clock(t, "Asia/Pyongyang", "en") == "02:27"
    assert clock(t, "Asia/Pyongyang", "nb") == "02.27"  # Norwegian "kl. 02.27", not CLDR's 02:27
    assert clock(t, "Europe/Oslo", "nn") == "19.27"
    assert reader_clock(t, "Europe/Oslo", "nb") == "19.27 norsk tid"
    assert reader_clock(t, "Europe/Oslo", "en") == "19:27 Norwegian time"
    assert reader_clock(t, "UTC", "nn") == "17.27 UTC"
    assert reader_clock(t, "America/New_York", "nb") == "13.27 i New York"
    assert long_date(datetime(2024, 7, 6).date(), "nn") == "laurdag 6. juli 2024"
    assert long_date(datetime(2024, 7, 6).date(), "en") == "Saturday 6 July 2024"


def test_same_clock_compares_the_clocks_not_the_names() -> None:
    summer = datetime(2024, 6, 18, 17, 27, tzinfo=UTC).timestamp()
    winter = datetime(2024, 1, 18, 17, 27, tzinfo=UTC).timestamp()
    assert same_clock(summer, "Europe/Paris", "Europe/Oslo")
    assert not same_clock(summer, "Europe/London", "Europe/Oslo")
    # Lisbon and London share their clock all year; Reykjavik keeps UTC, which London reads
    # only in winter.
    assert same_clock(summer, "Europe/Lisbon", "Europe/London")
    assert same_clock(winter, "Atlantic/Reykjavik", "Europe/London")
    assert not same_clock(summer, "Atlantic/Reykjavik", "Europe/London")
    assert not same_clock(summer, "Norway/Oslo", "Europe/Oslo")  # not a zone: never the same


def test_numbers_counts_countries_cities_durations() -> None:
    assert altitude_ft(31025, "en") == "31,000"
    assert altitude_ft(31025, "nb") == "31\u00a0000"
    assert [count_words(n, "nn") for n in (1, 3, 12)] == ["eitt", "tre", "tolv"]
    assert count_words(1, "nb") == "ett"
    assert count_words(13, "en") == "13"
    assert country_name("KP", "nn") == "Nord-Korea"
    assert country_name("KP", "nb") == "Nord-Korea"
    assert country_name("CN", "nb") == "Kina"
    assert country_name("US", "en") == "the United States"
    assert country_name("US", "en", in_sentence=False) == "United States"
    assert city_of("LFBO", "", "en") == "Toulouse"  # airportsdata: "Toulouse/Blagnac"
    assert city_of("UUWW", "", "nb") == "Moskva"
    assert city_of("UUWW", "", "en") == "Moscow"
    assert city_of("XXXX", "Somewhere Field", "en") == "Somewhere Field"
    assert duration(85 * 60, "en") == "1 hour and 25 minutes"
    assert duration(2 * 3600, "nb") == "2 timer"
    assert duration(2 * 3600, "nn") == "2 timar"
    assert duration(60, "nn") == "1 minutt"
    assert duration(45 * 60, "nb") == "45 minutter"
