"""tzdata's ``zone.tab``: one line per IANA zone, ``KP<TAB>+3901+12545<TAB>Asia/Pyongyang``
(country, coordinates of its principal city, zone). Read from the tzdata package (no I/O
beyond the package); the map's place labels (serve/places.py) and a claim's "local time"
(verify/claims.py) both read it here."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def zone_tab_rows(text: str) -> list[tuple[str, str, str]]:
    """(country, coordinates, zone) of every line of a ``zone.tab`` text (comments skipped)."""
    out: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            out.append((parts[0], parts[1], parts[2]))
    return out


@lru_cache(maxsize=1)
def zone_tab_text() -> str:
    """The text of tzdata's ``zone.tab``; empty if tzdata is missing."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


@lru_cache(maxsize=1)
def country_zones() -> dict[str, tuple[str, ...]]:
    """ISO 3166 alpha-2 → its IANA zones (``KP`` → ``("Asia/Pyongyang",)``, ``RU`` → 26)."""
    out: dict[str, list[str]] = {}
    for country, _coords, zone in zone_tab_rows(zone_tab_text()):
        out.setdefault(country, []).append(zone)
    return {k: tuple(v) for k, v in out.items()}
