"""Alert rules: what to tell whom, read from TOML; the matcher is pure.

Rules live in the fleets file under ``[[alerts]]`` or in a separate ``--rules`` file::

    [[alerts]]
    when = "landing_in"          # fleet_event | landing_in | emergency | seen_after_silence
    fleet = "ru-gov"             # optional: only aircraft/events of this fleet
    country = "KP"               # landing_in: ISO 3166 alpha-2 of the landing place
    silence_min = 60             # seen_after_silence: minimum gap in minutes
    lang = "nb"                  # optional: en (default) | nb | nn, the words stdout/apprise say
    tz = "America/New_York"      # optional: the reader's time zone in the texts (Europe/Oslo)
    channels = ["stdout", "webhook:https://example.org/hook", "apprise:ntfy://topic"]

``match(rule, event)`` reads only the event; "now" and the clock play no part.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flyvakt.model import Event
from flyvakt.model.events import gap_seconds

__all__ = [
    "TEXT_LANGS",
    "WHEN",
    "AlertRuleError",
    "Rule",
    "dedupe_key",
    "gap_minutes",
    "load_rules",
    "map_link",
    "match",
    "parse_rules",
]

WHEN = ("fleet_event", "landing_in", "emergency", "seen_after_silence")
# The languages an alert's ``text`` is written in (the bulletins' languages, i18n/bulletins.py).
TEXT_LANGS = ("en", "nb", "nn")
FLEET_EVENT_TYPES = ("fleet_departed", "fleet_landed", "fleet_together")
# Why 60 min: a gap shorter than an hour is usually coverage (low altitude, receiver range),
# not an aircraft that went quiet; the user can lower it per rule.
DEFAULT_SILENCE_MIN = 60.0


class AlertRuleError(ValueError):
    """A rule that cannot be used; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    when: str
    channels: tuple[str, ...]
    fleet: str | None = None
    country: str | None = None
    silence_min: float = DEFAULT_SILENCE_MIN
    name: str = ""
    lang: str = "en"  # which of the alert's texts (TEXT_LANGS) stdout and apprise say
    # The reader's zone the texts give beside the place's local time ("09:58 local time (03:58
    # New York time)"); None = the bulletins' default, Europe/Oslo (the newsroom's zone).
    tz: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def gap_minutes(event: Event) -> float | None:
    """Length of the silence before a ``signal_regained`` event, in minutes (None if unknown)."""
    s = gap_seconds(event.details)
    return None if s is None else s / 60.0


def _country_of(event: Event) -> str | None:
    if event.country:
        return event.country.upper()
    if event.airport is not None and event.airport.country:
        return event.airport.country.upper()
    return _candidates_country(event)


def _candidates_country(event: Event) -> str | None:
    """The one country of every airport within reach of an inferred event that names none.

    A landing inferred low near airports names no airport (not observed) and no country, but
    its candidates with ``candidates_within_nm`` are every airport within reach: when they all
    lie in one country, the landing is in that country (as a fleet's inferred landing,
    fleets/landed.py). A list without it is only a ranking (e.g. across a gap): no country.
    """
    if event.basis != "inferred" or not event.candidates:
        return None
    if event.details.get("candidates_within_nm") is None:
        return None
    from flyvakt.geo import get_world

    world = get_world()
    countries = set()
    for code in event.candidates:
        ref = world.airport(code)
        if ref is None or not ref.country:
            return None  # an airport we cannot place: no country rather than a guess
        countries.add(ref.country.upper())
    return countries.pop() if len(countries) == 1 else None


def match(rule: Rule, event: Event) -> bool:
    """True when ``event`` is one ``rule`` asks to be told about."""
    if rule.fleet is not None and rule.fleet not in event.fleet:
        return False
    if rule.when == "fleet_event":
        ok = event.type in FLEET_EVENT_TYPES
    elif rule.when == "landing_in":
        ok = event.type == "landing"  # fleet_landed is the fleet_event rule's business
    elif rule.when == "emergency":
        ok = event.type == "emergency_squawk"
    elif rule.when == "seen_after_silence":
        gap = gap_minutes(event)
        ok = event.type == "signal_regained" and gap is not None and gap >= rule.silence_min
    else:
        return False
    if ok and rule.country is not None:
        ok = _country_of(event) == rule.country.upper()
    return ok


def dedupe_key(event: Event) -> tuple[str, str, float, str]:
    """Each alert once: the same event (type, aircraft, time, place) is never sent twice.

    The place is the airport's ICAO code, or for an event that names none ``candidates:`` and
    its candidates (empty when there are none): two landings of one aircraft at the same
    moment at different airports are two alerts, never one (as the store's event id,
    stream/wire.py), and a landing that names no airport is not one that names its candidate.
    """
    if event.airport is not None:
        place = event.airport.icao
    else:
        place = f"candidates:{','.join(event.candidates)}" if event.candidates else ""
    return (event.type, event.icao24, round(float(event.time_s), 3), place)


def map_link(base_url: str, event: Event) -> str:
    """Link to the map at the moment of the event: ``BASE/#t=<iso>&icao24=<hex>``."""
    base = base_url.rstrip("/")
    return f"{base}/#t={quote(event.time_iso, safe=':-')}&icao24={event.icao24}"


def _channel_ok(ch: str, where: str) -> None:
    if ch in ("stdout", "log"):
        return
    if ch.startswith("webhook:"):
        url = ch[len("webhook:") :]
        if not url.startswith(("http://", "https://")):
            raise AlertRuleError(f"{where}: webhook channel needs an http(s) URL, got {ch!r}")
        return
    if ch.startswith("apprise:"):
        try:
            import apprise  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            raise AlertRuleError(
                f"{where}: channel {ch!r} needs the optional 'apprise' package "
                "(pip install apprise), which is not installed"
            ) from None
        return
    raise AlertRuleError(
        f"{where}: unknown channel {ch!r} (stdout, log, webhook:URL or apprise:URL)"
    )


def parse_rules(data: dict[str, Any], origin: str) -> list[Rule]:
    """Rules from the ``alerts`` array of a parsed TOML document."""
    raw = data.get("alerts", [])
    if not isinstance(raw, list):
        raise AlertRuleError(f"{origin}: 'alerts' must be an array of tables ([[alerts]])")
    rules: list[Rule] = []
    for i, r in enumerate(raw, 1):
        where = f"{origin}: alert rule {i}"
        if not isinstance(r, dict):
            raise AlertRuleError(f"{where}: not a table")
        when = r.get("when")
        if when not in WHEN:
            raise AlertRuleError(f"{where}: 'when' must be one of {', '.join(WHEN)}, got {when!r}")
        channels = r.get("channels", ["stdout"])
        if isinstance(channels, str):
            channels = [channels]
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise AlertRuleError(f"{where}: 'channels' must be a list of strings")
        for ch in channels:
            _channel_ok(ch, where)
        if when == "landing_in" and not r.get("country"):
            raise AlertRuleError(f"{where}: landing_in needs a 'country' (ISO code, e.g. \"KP\")")
        silence = r.get("silence_min", DEFAULT_SILENCE_MIN)
        if not isinstance(silence, int | float) or silence < 0:
            raise AlertRuleError(f"{where}: 'silence_min' must be a number of minutes >= 0")
        lang = r.get("lang", "en")
        if lang not in TEXT_LANGS:
            raise AlertRuleError(f"{where}: 'lang' must be one of {', '.join(TEXT_LANGS)}")
        tz = r.get("tz")
        if tz is not None and not _is_zone(tz):
            raise AlertRuleError(
                f"{where}: 'tz' must be an IANA time zone (e.g. Europe/Oslo, UTC), got {tz!r}"
            )
        known = {"when", "channels", "fleet", "country", "silence_min", "name", "lang", "tz"}
        rules.append(
            Rule(
                when=str(when),
                channels=tuple(channels),
                fleet=str(r["fleet"]) if r.get("fleet") else None,
                country=str(r["country"]).upper() if r.get("country") else None,
                silence_min=float(silence),
                name=str(r.get("name", f"{when} #{i}")),
                lang=str(lang),
                tz=tz,
                extra={k: v for k, v in r.items() if k not in known},
            )
        )
    return rules


def _is_zone(name: object) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not name or name.startswith(("/", ".")):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a TOML file (``[[alerts]]`` tables); a missing file is an error."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise AlertRuleError(f"{p}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise AlertRuleError(f"{p}: not valid TOML: {exc}") from None
    return parse_rules(data, str(p))
