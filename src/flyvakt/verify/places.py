"""Places in claims: countries (en/nb/nn names, aliases, demonyms), airports (ICAO, IATA, name)
and cities (airportsdata's ``city``, plus the nb/nn exonyms of the gettext catalogs such as
"Moskva" and "Pjongjang").

A city is the set of its airports that can take a large aircraft (OurAirports type large or
medium; a small one only when it has an IATA code and the city has nothing bigger): "landed in
Moscow" is true at Vnukovo as at Sheremetyevo. A city name shared by towns in several countries
("Paris") is ambiguous: it is resolved by the airports the claim's aircraft actually used, or
else it is a question back (``AmbiguousPlace``) listing the choices.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from flyvakt.geo.names import norm_name
from flyvakt.model.events import AirportRef

PlaceKind = Literal["country", "airport", "city"]

# Demonyms used as "in Chinese airspace" / "i kinesisk luftrom". Only the common ones: the
# "airspace of X" / "luftrommet til X" forms cover every country by name.
DEMONYMS: dict[str, str] = {
    "chinese": "CN", "russian": "RU", "north korean": "KP", "south korean": "KR",
    "norwegian": "NO", "swedish": "SE", "finnish": "FI", "danish": "DK", "polish": "PL",
    "german": "DE", "french": "FR", "spanish": "ES", "british": "GB", "american": "US",
    "ukrainian": "UA", "belarusian": "BY", "turkish": "TR", "iranian": "IR", "indian": "IN",
    "japanese": "JP", "mongolian": "MN", "kazakh": "KZ", "swiss": "CH", "italian": "IT",
    "estonian": "EE", "latvian": "LV", "lithuanian": "LT", "georgian": "GE",
    "portuguese": "PT", "dutch": "NL", "belgian": "BE", "austrian": "AT",
    "kinesisk": "CN", "russisk": "RU", "nordkoreansk": "KP", "sørkoreansk": "KR",
    "norsk": "NO", "svensk": "SE", "finsk": "FI", "dansk": "DK", "polsk": "PL", "tysk": "DE",
    "fransk": "FR", "spansk": "ES", "britisk": "GB", "amerikansk": "US", "ukrainsk": "UA",
    "belarusisk": "BY", "hviterussisk": "BY", "tyrkisk": "TR", "iransk": "IR", "indisk": "IN",
    "japansk": "JP", "mongolsk": "MN", "kasakhisk": "KZ", "sveitsisk": "CH", "italiensk": "IT",
    "estisk": "EE", "latvisk": "LV", "litauisk": "LT", "georgisk": "GE", "portugisisk": "PT",
    "nederlandsk": "NL", "belgisk": "BE", "østerriksk": "AT", "austerriksk": "AT",
}  # fmt: skip
# Exonyms people type that are not the catalogs' own spelling (the catalogs give one per city).
_EXTRA_EXONYMS: dict[str, str] = {
    "peking": "Beijing", "kiev": "Kyiv", "kyiv": "Kyiv", "kijev": "Kyiv", "jakutsk": "Yakutsk",
    "pjongjang": "Pyongyang", "pyeongyang": "Pyongyang", "moskva": "Moscow",
}  # fmt: skip
_ICAO = re.compile(r"^[A-Z]{4}$")
_IATA = re.compile(r"^[A-Z]{3}$")
# Airport kinds a city's airports are drawn from, best first (OurAirports types).
_CITY_TYPES = ("large_airport", "medium_airport")


@dataclass(frozen=True)
class Place:
    """Where a claim is about. ``code``: ISO 3166 alpha-2, ICAO airport or the city's name."""

    kind: PlaceKind
    code: str
    airports: tuple[str, ...] = ()
    country: str | None = None
    tz: str | None = None
    text: str = field(default="", compare=False)

    def matches_airport(self, icao: str | None) -> bool:
        if icao is None:
            return False
        if self.kind == "airport":
            return icao == self.code
        return self.kind == "city" and icao in self.airports


class AmbiguousPlace(ValueError):
    """A city name that names airports in several countries; ``options`` are (ICAO, country)."""

    def __init__(self, text: str, options: list[tuple[str, str]]) -> None:
        self.text = text
        self.options = options
        super().__init__(f"{text}: {' or '.join(i for i, _ in options)}?")


@lru_cache(maxsize=1)
def _city_index() -> dict[str, list[str]]:
    """Normalised city name → ICAO codes of airports there that can take a large aircraft."""
    from flyvakt.geo import get_world
    from flyvakt.geo.airports import TYPES
    from flyvakt.i18n.format import airport_records

    ap = get_world().airports
    out: dict[str, list[tuple[int, str]]] = {}
    for icao, rec in airport_records().items():
        city = str(rec.get("city") or "").split("/")[0].strip()
        if not city:
            continue
        i = ap.index_of(icao)
        if i is None:
            continue
        kind = TYPES[int(ap.type_code[i])]
        if kind in _CITY_TYPES:
            rank = _CITY_TYPES.index(kind)
        elif kind == "small_airport" and rec.get("iata"):
            rank = 2
        else:
            continue
        out.setdefault(norm_name(city), []).append((rank, icao))
    return {k: [icao for _, icao in sorted(v)] for k, v in out.items()}


@lru_cache(maxsize=1)
def _exonyms() -> dict[str, str]:
    """Normalised nb/nn exonym → English city name, from the gettext catalogs (context city)."""
    from flyvakt.i18n.catalog import translations

    out = {norm_name(k): v for k, v in _EXTRA_EXONYMS.items()}
    for lang in ("nb", "nn"):
        cat = getattr(translations(lang), "_catalog", {})
        for key, value in cat.items():
            if isinstance(key, str) and key.startswith("city\x04"):
                out.setdefault(norm_name(str(value)), key.split("\x04", 1)[1])
    return out


def _city_airports(name: str) -> list[str]:
    key = norm_name(name)
    english = _exonyms().get(key)
    if english is not None:
        key = norm_name(english)
    return _city_index().get(key, [])


def city_zone(name: str) -> str | None:
    """The IANA zone of a city (any language), for "Pyongyang time" / "Moskva-tid"."""
    from flyvakt.geo import get_world

    found = _city_airports(name.strip().strip("-"))
    if not found:
        return None
    ref = get_world().airport(found[0])
    return None if ref is None else ref.tz


@lru_cache(maxsize=1)
def _airport_names() -> dict[str, str]:
    """Normalised airport name → ICAO code (the first airport by that name in airportsdata's
    order). Built once: a scan normalising ~28,000 names per look-up took 0.7-2.7 s for one
    5,000-character claim."""
    from flyvakt.i18n.format import airport_records

    out: dict[str, str] = {}
    for icao, rec in airport_records().items():
        out.setdefault(norm_name(str(rec.get("name") or "")), str(icao))
    return out


def _by_airport_name(raw: str) -> str | None:
    """An airport named in full ("Vnukovo International Airport", "Toulouse-Blagnac")."""
    key = norm_name(raw)
    if len(key) < 5:
        return None
    return _airport_names().get(key)


def resolve_place(
    text: str,
    *,
    demonym: bool = False,
    used_airports: Iterable[str] = (),
    prefer_airport: bool = False,
) -> Place | None:
    """The claim's place, or None if unknown; ``AmbiguousPlace`` if a city is ambiguous.

    ``prefer_airport``: read three capitals as an IATA airport before an ISO alpha-3 country
    ("landed at TLS" is Toulouse, "landed in PRK" North Korea).
    """
    from flyvakt.geo import get_world, resolve_country

    raw = text.strip().rstrip(".!?").strip().strip("\"'«»“”")
    raw = re.sub(r"^(?:the|byen|flyplassen)\s+", "", raw, flags=re.I)
    if not raw:
        return None
    world = get_world()
    if demonym:
        code = DEMONYMS.get(raw.lower())
        return Place("country", code, country=code, text=raw) if code else None
    if _ICAO.match(raw):
        ref = world.airport(raw)
        if ref is not None:
            return Place("airport", ref.icao, (ref.icao,), ref.country, ref.tz, raw)
    if _IATA.match(raw) and prefer_airport:
        ref = world.airport(raw)
        if ref is not None:
            return Place("airport", ref.icao, (ref.icao,), ref.country, ref.tz, raw)
    country = resolve_country(raw)
    if country is not None:
        return Place("country", country, country=country, text=raw)
    city = _city_airports(raw)
    if city:
        return _city_place(raw, city, set(used_airports))
    icao = _by_airport_name(raw)
    if icao is not None:
        ref = world.airport(icao)
        if ref is not None:
            return Place("airport", ref.icao, (ref.icao,), ref.country, ref.tz, raw)
    if len(raw) in (3, 4) and raw.isalnum():
        ref = world.airport(raw)
        if ref is not None:
            return Place("airport", ref.icao, (ref.icao,), ref.country, ref.tz, raw)
    return None


# Airports of one city lie within this of each other (Moscow's spread is ~40 NM); a city name
# whose airports are farther apart names different towns (Portland OR/ME, Paris FR/TX).
CITY_SPREAD_NM = 60.0


def _city_place(raw: str, icaos: list[str], used: set[str]) -> Place:
    from flyvakt.geo import get_world
    from flyvakt.geo.distance import haversine_nm

    world = get_world()
    refs = [r for r in (world.airport(i) for i in icaos) if r is not None]
    clusters: list[list[AirportRef]] = []
    for r in refs:  # best airport first: each cluster is led by its biggest airport
        for c in clusters:
            d = float(haversine_nm(c[0].lat_deg, c[0].lon_deg, r.lat_deg, r.lon_deg))
            if d <= CITY_SPREAD_NM:
                c.append(r)
                break
        else:
            clusters.append([r])
    if len(clusters) > 1:
        in_data = [c for c in clusters if any(r.icao in used for r in c)]
        if len(in_data) != 1:
            raise AmbiguousPlace(raw, [(c[0].icao, c[0].country) for c in clusters])
        clusters = in_data
    (chosen,) = clusters
    from flyvakt.i18n.format import airport_records

    name = str(airport_records()[chosen[0].icao].get("city") or raw).split("/")[0].strip()
    return Place("city", name, tuple(r.icao for r in chosen), chosen[0].country, chosen[0].tz, raw)


def airports_used(events: Iterable[dict[str, object]], members: Iterable[str]) -> set[str]:
    """ICAO codes of the airports where the members took off, landed or stopped."""
    wanted = set(members)
    out: set[str] = set()
    for e in events:
        ap = e.get("airport")
        if e.get("icao24") in wanted and isinstance(ap, dict) and ap.get("icao"):
            out.add(str(ap["icao"]))
    return out


PlaceResolver = Callable[[str, bool], Place | None]
