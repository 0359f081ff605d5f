"""Country names (Babel/CLDR) and free-text country resolution in English, Bokmål, Nynorsk.

``resolve_country`` accepts, case- and accent-insensitively: CLDR territory names in en, nb
and nn (long and short variants), pycountry's ISO 3166 names (name, official and common
name), the aliases below, and ISO alpha-3 codes. ISO alpha-2 codes are accepted only when
written in capitals ("NO", "IN"), because "no", "in", "to" are ordinary words; alpha-3 codes
("PRK") likewise.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Common names, abbreviations and older names not in CLDR/ISO (lower-case; normalised later).
ALIASES: dict[str, str] = {
    "dprk": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "nord-korea": "KP",
    "nordkorea": "KP",
    "rok": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "sør-korea": "KR",
    "russia": "RU",
    "russian federation": "RU",
    "russland": "RU",
    "prc": "CN",
    "people's republic of china": "CN",
    "mainland china": "CN",
    "roc": "TW",
    "republic of china": "TW",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "usa (united states)": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "united kingdom": "GB",
    "storbritannia": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "emirates": "AE",
    "the emirates": "AE",
    "turkey": "TR",
    "türkiye": "TR",
    "tyrkia": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "tsjekkia": "CZ",
    "ivory coast": "CI",
    "elfenbenskysten": "CI",
    "burma": "MM",
    "vatican": "VA",
    "vatican city": "VA",
    "holy see": "VA",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "persia": "IR",
    "vietnam": "VN",
    "viet nam": "VN",
    "macedonia": "MK",
    "swaziland": "SZ",
    "east timor": "TL",
    "cape verde": "CV",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "congo-kinshasa": "CD",
    "kongo-kinshasa": "CD",
    "congo-brazzaville": "CG",
    "kongo-brazzaville": "CG",
    "republic of the congo": "CG",
    "kosovo": "XK",
    "palestine": "PS",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "belarus": "BY",
    "hviterussland": "BY",
    "kviterussland": "BY",
    "byelorussia": "BY",
    "kyrgyzstan": "KG",
    "brunei": "BN",
}

# CLDR codes that are not countries (continents, groupings, "unknown region").
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


# Letters NFKD does not decompose, as people type them without a Nordic keyboard.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "ı": "i"})


def norm_name(text: str) -> str:
    """``text`` folded for name matching: case, accents, dashes and a leading "the" ignored."""
    t = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.replace("’", "'").replace("&", " and ")
    t = re.sub(r"[\s\-_,]+", " ", t).strip(" .")
    return re.sub(r"^the ", "", t)


@lru_cache(maxsize=1)
def _name_table() -> dict[str, str]:
    """Normalised name → alpha-2. Built once, lazily (Babel loads CLDR data on first use)."""
    import pycountry
    from babel import Locale

    table: dict[str, str] = {}

    def add(name: str | None, code: str) -> None:
        if name:
            table.setdefault(norm_name(name), code)

    for alias, code in ALIASES.items():
        add(alias, code)
    for loc in ("en", "nb", "nn"):
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                add(name, code)
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            add(getattr(c, attr, None), c.alpha_2)
    return table


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    import pycountry

    out = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    out["XKX"] = "XK"
    return out


@lru_cache(maxsize=1)
def _alpha2() -> frozenset[str]:
    import pycountry

    return frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})


def resolve_country(text: str) -> str | None:
    """Country name, alias or ISO code (en/nb/nn) → ISO 3166 alpha-2, or None if unknown."""
    raw = text.strip()
    if not raw:
        return None
    if raw.isupper() and raw.isalpha():
        if len(raw) == 2 and raw in _alpha2():
            return raw
        if len(raw) == 3 and raw in _alpha3():
            return _alpha3()[raw]
    return _name_table().get(norm_name(raw))


def country_name(iso2: str, locale: str = "en") -> str:
    """The country's name in ``locale`` ("en", "nb", "nn"...); the code itself if unknown."""
    from babel import Locale

    code = iso2.upper()
    try:
        names = Locale.parse(locale).territories
    except (ValueError, LookupError):
        names = Locale.parse("en").territories
    return str(names.get(code, code))
