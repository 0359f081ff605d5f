"""Locale-aware pieces of bulletins: clock times, dates, numbers, counts, places, durations.

Babel (CLDR) does the locale data; a few house rules sit on top of it:

- Norwegian clock times are written ``kl. 02.27`` (Språkrådet's rule); CLDR's nb/nn short time
  pattern uses a colon, so the pattern is given here: ``HH.mm`` for nb/nn, ``HH:mm`` for en.
- Small counts (1–12) are words, as newsrooms write them; neuter forms in Norwegian ("ett fly",
  nynorsk "eitt fly") because the counted noun is always *fly*.
- City names come from airportsdata (English); a few exonyms are translated in the catalogs
  (context ``city``: Moscow → Moskva).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flyvakt.i18n.catalog import check_lang, translations

_NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve"),
    "nb": ("ett", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"),
    "nn": ("eitt", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve",
           "tolv"),
}  # fmt: skip

# English country names that take "the" inside a sentence ("the airspace of the United States").
_EN_THE = frozenset(
    {"US", "GB", "NL", "PH", "AE", "CF", "DO", "BS", "GM", "KM", "MV", "MH", "SB", "SC", "CD",
     "CG", "VA", "KY", "FK", "FO", "TC", "VG", "VI", "UM", "MP"}
)  # fmt: skip

# Reader zones with a name people use rather than a city ("norsk tid").
_NORWEGIAN_ZONES = frozenset({"Europe/Oslo", "Arctic/Longyearbyen"})
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z", "Universal", "Zulu"})


def _dt(time_s: float, zone: str) -> datetime:
    return datetime.fromtimestamp(time_s, tz=UTC).astimezone(ZoneInfo(zone))


def clock(time_s: float, zone: str, lang: str) -> str:
    """Wall-clock time at ``zone``: ``19:27`` (en) or ``19.27`` (nb, nn)."""
    from babel.dates import format_time

    code = check_lang(lang)
    pattern = "HH:mm" if code == "en" else "HH.mm"
    return str(format_time(_dt(time_s, zone), pattern, locale=code))


def local_date(time_s: float, zone: str) -> date:
    return _dt(time_s, zone).date()


def long_date(day: date, lang: str) -> str:
    """``Saturday 6 July 2024`` / ``lørdag 6. juli 2024`` / ``laurdag 6. juli 2024``."""
    from babel.dates import format_date

    code = check_lang(lang)
    pattern = "EEEE d MMMM y" if code == "en" else "EEEE d. MMMM y"
    return str(format_date(day, pattern, locale=code))


def same_clock(time_s: float, zone_a: str, zone_b: str) -> bool:
    """True when the two zones' clocks read the same at ``time_s`` (Europe/Stockholm and
    Europe/Oslo): a text then gives the time once, not "09:58 local time (09:58 Norwegian
    time)". An unknown zone never reads the same as a known one."""
    if zone_a == zone_b:
        return True
    try:
        a = _dt(time_s, zone_a).utcoffset()
        b = _dt(time_s, zone_b).utcoffset()
    except (ValueError, LookupError):
        return False
    return a is not None and a == b


def is_utc(zone: str) -> bool:
    return zone in _UTC_ZONES


def reader_clock(time_s: float, zone: str, lang: str) -> str:
    """Time in the reader's zone with its name: ``19.27 norsk tid``, ``17:27 UTC``."""
    _ = translations(lang).gettext
    t = clock(time_s, "UTC" if is_utc(zone) else zone, lang)
    if is_utc(zone):
        return _("{time} UTC").format(time=t)
    if zone in _NORWEGIAN_ZONES:
        return _("{time} Norwegian time").format(time=t)
    return _("{time} {city} time").format(time=t, city=zone_city(zone, lang))


@lru_cache(maxsize=64)
def zone_city(zone: str, lang: str) -> str:
    """The zone's exemplar city in ``lang`` (CLDR), e.g. ``New York`` for America/New_York."""
    from babel.dates import get_timezone_location

    try:
        return str(get_timezone_location(ZoneInfo(zone), locale=check_lang(lang), return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def count_words(n: int, lang: str) -> str:
    """``three`` / ``tre`` for 1–12, digits with the locale's grouping above that."""
    code = check_lang(lang)
    if 1 <= n <= len(_NUMBER_WORDS[code]):
        return _NUMBER_WORDS[code][n - 1]
    return number(n, lang)


def number(x: float, lang: str) -> str:
    """``31,000`` (en) / ``31 000`` (nb, nn; a no-break space as CLDR says)."""
    from babel.numbers import format_decimal

    return str(format_decimal(x, locale=check_lang(lang)))


def altitude_ft(alt_ft: float, lang: str) -> str:
    """Altitude rounded to 100 ft (finer than the 25 ft encoding would be false precision)."""
    return number(round(alt_ft / 100.0) * 100, lang)


@lru_cache(maxsize=512)
def country_name(code: str, lang: str, in_sentence: bool = True) -> str:
    """Babel's territory name (``Nord-Korea``); English gets "the" where it takes one."""
    from babel import Locale

    lc = check_lang(lang)
    name = Locale.parse(lc).territories.get(code.upper())
    if not name:
        return code.upper()
    if lc == "en" and in_sentence and code.upper() in _EN_THE:
        return f"the {name}"
    return str(name)


@lru_cache(maxsize=1)
def airport_records() -> dict[str, Any]:
    """airportsdata's records by ICAO code (loaded once)."""
    import airportsdata

    data: dict[str, Any] = airportsdata.load("ICAO")
    return data


def city_of(icao: str, fallback_name: str, lang: str) -> str:
    """City served by the airport (airportsdata), in ``lang`` where an exonym is catalogued.

    ``Toulouse/Blagnac`` → ``Toulouse``. Falls back to the airport's own name, then the code.
    """
    entry = airport_records().get(icao.upper())
    city = str(entry.get("city") or "") if entry else ""
    city = city.split("/")[0].strip()
    if not city:
        return fallback_name or icao.upper()
    return translations(lang).pgettext("city", city)


def duration(seconds: float, lang: str) -> str:
    """``1 hour and 20 minutes`` / ``1 time og 20 minutter`` / ``1 time og 20 minutt``."""
    tr = translations(lang)
    minutes = round(seconds / 60.0)
    hours, mins = divmod(minutes, 60)
    h = tr.ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    m = tr.ngettext("{n} minute", "{n} minutes", mins).format(n=mins)
    if hours and mins:
        return tr.gettext("{hours} and {minutes}").format(hours=h, minutes=m)
    return h if hours else m
