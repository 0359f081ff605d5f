"""Claims to verify: a structured ``Claim`` and a small free-text parser (en, nb, nn).

The parser is deliberately a few regular expressions per language, not a grammar: newsroom
claims come in a handful of shapes ("X has landed in Y", "X har landet/landa i Y", "X is in
Chinese airspace", "X er i luftrommet til Kina"). Anything else raises ``ClaimParseError``
saying what was understood, so the user can fall back to the structured options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from flyvakt.fleets import FleetRegistry
from flyvakt.fleets.registry import normalise_registration
from flyvakt.model.events import iso_utc

SubjectKind = Literal["fleet", "aircraft"]
Predicate = Literal[
    "landed_in", "landed_at", "departed_from", "in_airspace_of", "on_ground_at", "airborne"
]
PREDICATES: tuple[str, ...] = (
    "landed_in",
    "landed_at",
    "departed_from",
    "in_airspace_of",
    "on_ground_at",
    "airborne",
)


@dataclass(frozen=True)
class Claim:
    """``subject`` did ``predicate`` (``object``: ISO2 country or ICAO airport) by ``at_s``.

    ``subject`` is a fleet id (kind ``fleet``) or, for kind ``aircraft``, a lower-case 24-bit
    hex address or an upper-case callsign. ``since_s`` bounds the window the claim is about
    (e.g. "since this morning"); None means "any time before ``at_s``".
    """

    subject_kind: SubjectKind
    subject: str
    predicate: Predicate
    object: str | None
    at_s: float
    since_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "subject_kind": self.subject_kind,
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
            "at": iso_utc(self.at_s),
            "since": None if self.since_s is None else iso_utc(self.since_s),
        }


class ClaimParseError(ValueError):
    """The free text could not be turned into a claim; the message says what was understood."""


_HEX = re.compile(r"^(?:0x)?([0-9a-fA-F]{6})$")
_ICAO_AIRPORT = re.compile(r"^[A-Z]{4}$")
_CALLSIGN = re.compile(r"^[A-Z]{2,3}[0-9][0-9A-Z]{0,5}$")
# An ISO 8601 instant inside the text ("... by 2024-07-06T08:10Z").
_ISO_IN_TEXT = re.compile(
    r"\s*(?:\b(?:by|at|before|innen|før|kl\.?|klokka|klokken|ved)\s+)?"
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
)

# Demonyms used as "in Chinese airspace" / "i kinesisk luftrom". Only the common ones: the
# "airspace of X" / "luftrommet til X" forms cover every country by name.
_DEMONYMS: dict[str, str] = {
    "chinese": "CN", "russian": "RU", "north korean": "KP", "south korean": "KR",
    "norwegian": "NO", "swedish": "SE", "finnish": "FI", "danish": "DK", "polish": "PL",
    "german": "DE", "french": "FR", "spanish": "ES", "british": "GB", "american": "US",
    "ukrainian": "UA", "belarusian": "BY", "turkish": "TR", "iranian": "IR", "indian": "IN",
    "japanese": "JP", "mongolian": "MN", "kazakh": "KZ", "swiss": "CH", "italian": "IT",
    "estonian": "EE", "latvian": "LV", "lithuanian": "LT", "georgian": "GE",
    "kinesisk": "CN", "russisk": "RU", "nordkoreansk": "KP", "sørkoreansk": "KR",
    "norsk": "NO", "svensk": "SE", "finsk": "FI", "dansk": "DK", "polsk": "PL", "tysk": "DE",
    "fransk": "FR", "spansk": "ES", "britisk": "GB", "amerikansk": "US", "ukrainsk": "UA",
    "belarusisk": "BY", "hviterussisk": "BY", "tyrkisk": "TR", "iransk": "IR", "indisk": "IN",
    "japansk": "JP", "mongolsk": "MN", "kasakhisk": "KZ", "sveitsisk": "CH", "italiensk": "IT",
    "estisk": "EE", "latvisk": "LV", "litauisk": "LT", "georgisk": "GE",
}  # fmt: skip

# (pattern, predicate or None = landed_in/landed_at chosen by the object, object is a demonym)
_PATTERNS: list[tuple[re.Pattern[str], str | None, bool]] = [
    # English
    (re.compile(r"^(?P<s>.+?)\s+(?:has|have|had)?\s*(?:landed|touched down|arrived)\s+"
                r"(?:in|at)\s+(?P<o>.+)$", re.I), None, False),
    (re.compile(r"^(?P<s>.+?)\s+(?:has|have|had)?\s*(?:departed|took off|taken off|left)\s+"
                r"(?:from\s+)?(?P<o>.+)$", re.I), "departed_from", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:is|are|was|were)\s+(?:in|inside)\s+(?:the\s+)?airspace\s+"
                r"of\s+(?P<o>.+)$", re.I), "in_airspace_of", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:is|are|was|were)\s+(?:in|inside)\s+(?P<o>.+?)\s+airspace$",
                re.I), "in_airspace_of", True),
    (re.compile(r"^(?P<s>.+?)\s+(?:is|are|was|were)\s+on\s+the\s+ground\s+(?:in|at)\s+"
                r"(?P<o>.+)$", re.I), "on_ground_at", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:is|are|was|were)\s+(?:airborne|in the air|flying)$", re.I),
     "airborne", False),
    # Bokmål and nynorsk
    (re.compile(r"^(?P<s>.+?)\s+(?:har|hadde)?\s*(?:landet|landa|lande)\s+(?:i|på)\s+"
                r"(?P<o>.+)$", re.I), None, False),
    (re.compile(r"^(?P<s>.+?)\s+(?:har|hadde)?\s*(?:lettet|letta|tatt av|teke av|tok av|"
                r"reist|dratt|forlatt)\s+(?:fra\s+|frå\s+)?(?P<o>.+)$", re.I),
     "departed_from", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:er|var)\s+i\s+luftrommet\s+(?:til|over|åt)\s+(?P<o>.+)$",
                re.I), "in_airspace_of", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:er|var)\s+i\s+(?P<o>.+?)\s+luftrom(?:met)?$", re.I),
     "in_airspace_of", True),
    (re.compile(r"^(?P<s>.+?)\s+(?:er|var|står|stod|sto)\s+på\s+bakken\s+(?:i|på)\s+"
                r"(?P<o>.+)$", re.I), "on_ground_at", False),
    (re.compile(r"^(?P<s>.+?)\s+(?:er|var)\s+(?:i\s+lufta|i\s+luften|i\s+lufti|på\s+vingene)$",
                re.I), "airborne", False),
]  # fmt: skip


def parse_time(text: str) -> float:
    """ISO 8601 with a zone (``Z`` or offset) → epoch seconds; a naive time is an error."""
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"{text!r}: give a time zone (e.g. 2024-07-06T08:10Z)")
    return dt.timestamp()


def resolve_subject(text: str, registry: FleetRegistry) -> tuple[SubjectKind, str] | None:
    """A fleet (id, name, alias), else an aircraft by hex address, registration or callsign."""
    raw = text.strip().strip("\"'«»“”")
    fleet_id = registry.resolve(raw)
    if fleet_id is not None:
        return "fleet", fleet_id
    m = _HEX.match(raw)
    if m:
        return "aircraft", m.group(1).lower()
    reg = normalise_registration(raw)
    for fleet in registry.fleets.values():
        for member in fleet.members:
            same = (
                bool(member.registration)
                and normalise_registration(str(member.registration)) == reg
            )
            if same and member.icao24 is not None:
                return "aircraft", f"{member.icao24:06x}"
    if _CALLSIGN.match(raw.upper().replace(" ", "")):
        return "aircraft", raw.upper().replace(" ", "")
    return None


def resolve_object(text: str, demonym: bool = False) -> tuple[str, str] | None:
    """``("airport", ICAO)`` or ``("country", ISO2)`` for the claim's place, or None."""
    from flyvakt.geo import get_world, resolve_country

    raw = text.strip().rstrip(".!?").strip()
    if raw.lower().startswith("the "):
        raw = raw[4:]
    if demonym:
        code = _DEMONYMS.get(raw.lower())
        return ("country", code) if code else None
    if _ICAO_AIRPORT.match(raw.upper()) and raw.isupper():
        ap = get_world().airport(raw)
        if ap is not None:
            return "airport", ap.icao
    country = resolve_country(raw)
    if country is not None:
        return "country", country
    if len(raw) in (3, 4) and raw.isalnum():
        ap = get_world().airport(raw)
        if ap is not None:
            return "airport", ap.icao
    return None


def parse_claim(text: str, registry: FleetRegistry, at_s: float | None = None) -> Claim:
    """Free text (en/nb/nn) → Claim. ``at_s`` wins over a time written in the text.

    Raises ``ClaimParseError`` naming what was understood (subject, predicate, object, time).
    """
    body = text.strip().rstrip(".!?").strip()
    found_time: float | None = None
    m_time = _ISO_IN_TEXT.search(body)
    if m_time:
        try:
            found_time = parse_time(m_time.group(1))
        except ValueError as exc:
            raise ClaimParseError(f"claim {text!r}: {exc}") from exc
        body = (body[: m_time.start()] + body[m_time.end() :]).strip().rstrip(",").strip()
    when = at_s if at_s is not None else found_time
    understood: dict[str, str] = {}
    for pattern, predicate, demonym in _PATTERNS:
        m = pattern.match(body)
        if not m:
            continue
        understood["predicate"] = predicate or "landed_in/landed_at"
        subject = resolve_subject(m.group("s"), registry)
        if subject is not None:
            understood["subject"] = f"{subject[0]} {subject[1]}"
        obj: tuple[str, str] | None = None
        if predicate != "airborne":
            obj = resolve_object(m.group("o"), demonym)
            if obj is not None:
                understood["object"] = f"{obj[0]} {obj[1]}"
        if subject is None or (predicate != "airborne" and obj is None) or when is None:
            continue
        pred = predicate
        if pred is None:
            pred = "landed_at" if obj is not None and obj[0] == "airport" else "landed_in"
        if pred == "in_airspace_of" and obj is not None and obj[0] != "country":
            continue
        return Claim(
            subject_kind=subject[0],
            subject=subject[1],
            predicate=pred,  # type: ignore[arg-type]
            object=None if obj is None else obj[1],
            at_s=when,
        )
    parts = [f"{k}: {v}" for k, v in understood.items()] or ["nothing"]
    missing = [k for k in ("subject", "predicate", "object") if k not in understood]
    if when is None:
        missing.append("time (give --at or an ISO time in the claim)")
    raise ClaimParseError(
        f"could not parse claim {text!r}; understood {', '.join(parts)}; "
        f"missing {', '.join(missing) or 'a consistent reading'}"
    )
