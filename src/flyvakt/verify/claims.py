"""Claims to verify: a structured ``Claim`` and the free-text parser (en, nb, nn).

The parser is a few regular expressions per language for the predicate ("X has landed in Y",
"X har landa i Y", "X avoided China's airspace", "X unngjekk luftrommet til Kina"), around
three resolvers of their own modules: subjects (``subjects.py``), places (``places.py``) and
times (``timeparse.py``). Anything it cannot read raises ``ClaimParseError`` with a key, what
was understood and a proposed rewrite; ``messages.py`` says it in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from flyvakt.fleets import FleetRegistry
from flyvakt.model.events import iso_utc
from flyvakt.verify.places import AmbiguousPlace, Place, city_zone, resolve_place
from flyvakt.verify.subjects import (
    Ordinal,
    Subject,
    SubjectContext,
    SubjectError,
    SubjectKind,
    resolve_subject,
    split_ordinal,
)
from flyvakt.verify.timeparse import TimeParseError, TimeSpec, find_time

Predicate = Literal[
    "landed_in",
    "landed_at",
    "departed_from",
    "in_airspace_of",
    "on_ground_at",
    "airborne",
    "entered_airspace_of",
    "avoided_airspace_of",
    "flew_over",
]
PREDICATES: tuple[str, ...] = (
    "landed_in",
    "landed_at",
    "departed_from",
    "on_ground_at",
    "airborne",
    "in_airspace_of",
    "entered_airspace_of",
    "avoided_airspace_of",
    "flew_over",
)
# Predicates about a window of time (judged on every fix and every gap in it).
INTERVAL_PREDICATES = frozenset({"entered_airspace_of", "avoided_airspace_of", "flew_over"})
# Where the judged time came from: the claim or an option, or the default when none was given.
TimeBasis = Literal["claim", "now", "end_of_data"]

__all__ = [
    "INTERVAL_PREDICATES",
    "PREDICATES",
    "Claim",
    "ClaimContext",
    "ClaimParseError",
    "Predicate",
    "SubjectKind",
    "parse_claim",
    "parse_time",
]


@dataclass(frozen=True)
class Claim:
    """``subject`` did ``predicate`` (``object``) by ``at_s`` (within ``since_s``..``at_s``).

    ``object``: ISO 3166 alpha-2 country, ICAO airport, or a city name whose airports are in
    ``airports``. ``subject``: a fleet id (kind ``fleet``) or, for kind ``aircraft``, a
    lower-case hex address or an upper-case callsign. ``since_s`` None: any time before.
    """

    subject_kind: SubjectKind
    subject: str
    predicate: Predicate
    object: str | None
    at_s: float
    since_s: float | None = None
    object_kind: Literal["country", "airport", "city"] | None = None
    airports: tuple[str, ...] = ()
    time_basis: TimeBasis = "claim"
    zone: str | None = None  # the zone the claim's time was written in
    text: str = field(default="", compare=False)
    # "around T": the times meant (two for "half past two" with no am/pm), each judged within
    # timeparse.AROUND_S; ``since_s``..``at_s`` then spans them all. Empty: not "around".
    around_s: tuple[float, ...] = ()
    # "the last plane of <fleet>" / "det første flyet": the claim is about the fleet's last
    # (first) member to do it, judged on every member's event (``ordinal.py``). None: any.
    ordinal: Ordinal | None = None

    def __post_init__(self) -> None:
        if self.object_kind is None and self.object is not None:
            kind = "airport" if len(self.object) == 4 else "country"
            object.__setattr__(self, "object_kind", kind)
            if kind == "airport" and not self.airports:
                object.__setattr__(self, "airports", (self.object,))

    @classmethod
    def of(
        cls,
        subject: Subject,
        predicate: str,
        place: Place | None,
        at_s: float,
        since_s: float | None = None,
        time_basis: TimeBasis = "claim",
        zone: str | None = None,
        text: str = "",
        around_s: tuple[float, ...] = (),
        ordinal: Ordinal | None = None,
    ) -> Claim:
        """A claim from resolved parts (the one constructor both claim forms use)."""
        return cls(
            subject_kind=subject[0],
            subject=subject[1],
            predicate=predicate,  # type: ignore[arg-type]
            object=None if place is None else place.code,
            at_s=at_s,
            since_s=since_s,
            object_kind=None if place is None else place.kind,
            airports=() if place is None else place.airports,
            time_basis=time_basis,
            zone=zone,
            text=text,
            around_s=around_s,
            ordinal=ordinal,
        )

    @property
    def place(self) -> Place | None:
        if self.object is None or self.object_kind is None:
            return None
        return Place(self.object_kind, self.object, self.airports)

    def to_json(self) -> dict[str, Any]:
        around = {"around": [iso_utc(t) for t in self.around_s]} if self.around_s else {}
        ordinal = {"ordinal": self.ordinal} if self.ordinal else {}
        return {
            **around,
            **ordinal,
            "subject_kind": self.subject_kind,
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
            "object_kind": self.object_kind,
            "airports": list(self.airports),
            "at": iso_utc(self.at_s),
            "since": None if self.since_s is None else iso_utc(self.since_s),
            "time_basis": self.time_basis,
        }


class ClaimParseError(ValueError):
    """The claim could not be read. ``key`` names the problem (see ``messages.py``),
    ``understood`` what was read, ``details`` the values for the message."""

    def __init__(
        self,
        message: str,
        *,
        key: str = "unreadable",
        understood: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.understood = understood or {}
        self.details = details or {}


@dataclass
class ClaimContext:
    """Everything besides the text that reading a claim may use (all optional).

    ``now_s`` (a live server) or ``end_of_data_s`` (a store or a replay) is the time a claim
    without one is judged at, and the verdict says which. ``used_airports`` gives the airports
    a subject actually used, to resolve an ambiguous city. ``local_zone``: the zone a time in
    "local time" is read in (set by :func:`parse_claim` itself, from the claim's place).
    """

    subjects: SubjectContext | None = None
    default_zone: str | None = None
    now_s: float | None = None
    end_of_data_s: float | None = None
    used_airports: Callable[[Subject], set[str]] | None = None
    local_zone: str | None = None


def parse_time(text: str, default_zone: str | None = None) -> float:
    """One instant as an option gives it (ISO 8601, or "18. juni 2024 kl. 20.00 norsk tid")."""
    from flyvakt.verify.timeparse import parse_instant

    try:
        return parse_instant(text, default_zone)
    except TimeParseError as exc:
        if exc.key == "no_zone":
            raise ValueError(f"{text!r}: give a time zone (e.g. 2024-07-06T08:10Z)") from None
        raise ValueError(f"{text!r}: not a time (e.g. 2024-07-06T08:10Z)") from None


_OBJ = r"(?P<o>.+)"
_SUBJ = r"^(?P<s>.+?)\s+"
# (pattern, predicate or None = landed_in/landed_at by the place, place is a demonym)
_PATTERNS: list[tuple[re.Pattern[str], str | None, bool]] = [
    # English
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:landed|touched down|arrived)\s+(?:in|at)\s+"
                + _OBJ, re.I), None, False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:departed|took off|taken off|left)\s+"
                r"(?:from\s+)?" + _OBJ, re.I), "departed_from", False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:avoided|stayed out of|kept out of|"
                r"did not (?:enter|go through|fly through|cross|fly into))\s+(?:the\s+)?"
                r"airspace\s+of\s+" + _OBJ, re.I), "avoided_airspace_of", False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:avoided|stayed out of|kept out of|"
                r"did not (?:enter|go through|fly through|cross|fly into))\s+"
                r"(?P<o>.+?)(?:'s|’s)\s+airspace$", re.I), "avoided_airspace_of", False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:avoided|stayed out of|kept out of|"
                r"did not (?:enter|go through|fly through|cross|fly into))\s+"
                r"(?P<o>.+?)\s+airspace$", re.I), "avoided_airspace_of", True),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:entered|flew into|crossed into|went into|"
                r"violated)\s+(?:the\s+)?airspace\s+of\s+" + _OBJ, re.I),
     "entered_airspace_of", False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:entered|flew into|crossed into|went into|"
                r"violated)\s+(?P<o>.+?)(?:'s|’s)\s+airspace$", re.I),
     "entered_airspace_of", False),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:entered|flew into|crossed into|went into|"
                r"violated)\s+(?P<o>.+?)\s+airspace$", re.I), "entered_airspace_of", True),
    (re.compile(_SUBJ + r"(?:has|have|had)?\s*(?:flown over|flew over|overflew|overflown)\s+"
                + _OBJ, re.I), "flew_over", False),
    (re.compile(_SUBJ + r"(?:is|are|was|were)\s+(?:in|inside)\s+(?:the\s+)?airspace\s+of\s+"
                + _OBJ, re.I), "in_airspace_of", False),
    (re.compile(_SUBJ + r"(?:is|are|was|were)\s+(?:in|inside)\s+(?P<o>.+?)(?:'s|’s)\s+"
                r"airspace$", re.I), "in_airspace_of", False),
    (re.compile(_SUBJ + r"(?:is|are|was|were)\s+(?:in|inside)\s+(?P<o>.+?)\s+airspace$",
                re.I), "in_airspace_of", True),
    (re.compile(_SUBJ + r"(?:is|are|was|were)\s+on\s+the\s+ground\s+(?:in|at)\s+" + _OBJ,
                re.I), "on_ground_at", False),
    (re.compile(_SUBJ + r"(?:is|are|was|were)\s+(?:airborne|in the air|flying)$", re.I),
     "airborne", False),
    # Bokmål and nynorsk
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:landet|landa|lande)\s+(?:i|på)\s+" + _OBJ,
                re.I), None, False),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:lettet|letta|tatt av|teke av|tok av|"
                r"reist|dratt|forlatt|forlate)\s+(?:fra\s+|frå\s+)?" + _OBJ, re.I),
     "departed_from", False),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:unngikk|unngjekk|unngått|unngått|"
                r"holdt seg unna|heldt seg unna|(?:fløy|flaug|gikk|gjekk|for)\s+"
                r"(?:ikke|ikkje)\s+(?:gjennom|inn i|over))\s+luftrommet\s+(?:til|over|åt)\s+"
                + _OBJ, re.I), "avoided_airspace_of", False),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:unngikk|unngjekk|unngått|holdt seg unna|"
                r"heldt seg unna|(?:fløy|flaug|gikk|gjekk|for)\s+(?:ikke|ikkje)\s+"
                r"(?:gjennom|inn i|over))\s+(?P<o>.+?)\s+luftrom(?:met)?$", re.I),
     "avoided_airspace_of", True),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:fløy|flaug|flydd|flogi|gikk|gjekk|kom|var)\s+"
                r"(?:inn\s+i|innom|gjennom)\s+luftrommet\s+(?:til|over|åt)\s+" + _OBJ, re.I),
     "entered_airspace_of", False),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:fløy|flaug|flydd|flogi|gikk|gjekk|kom|var)\s+"
                r"(?:inn\s+i|innom|gjennom)\s+(?P<o>.+?)\s+luftrom(?:met)?$", re.I),
     "entered_airspace_of", True),
    (re.compile(_SUBJ + r"(?:har|hadde)?\s*(?:fløy|flaug|flydd|flogi|passerte)\s+over\s+"
                + _OBJ, re.I), "flew_over", False),
    (re.compile(_SUBJ + r"(?:er|var)\s+i\s+luftrommet\s+(?:til|over|åt)\s+" + _OBJ, re.I),
     "in_airspace_of", False),
    (re.compile(_SUBJ + r"(?:er|var)\s+i\s+(?P<o>.+?)\s+luftrom(?:met)?$", re.I),
     "in_airspace_of", True),
    (re.compile(_SUBJ + r"(?:er|var|står|stod|sto)\s+på\s+bakken\s+(?:i|på)\s+" + _OBJ,
                re.I), "on_ground_at", False),
    (re.compile(_SUBJ + r"(?:er|var)\s+(?:i\s+lufta|i\s+luften|i\s+lufti|på\s+vingene)$",
                re.I), "airborne", False),
]  # fmt: skip

_NEEDS_COUNTRY = frozenset({"in_airspace_of", "entered_airspace_of", "avoided_airspace_of"})


def _place_of(text: str, demonym: bool, used: set[str], at_word: bool) -> Place | None:
    place = resolve_place(text, demonym=demonym, used_airports=used, prefer_airport=at_word)
    if place is None and demonym:  # "i Kinas luftrom": a genitive, not a demonym
        place = resolve_place(text, used_airports=used)
    if place is None:
        # Genitive: "Kinas luftrom", "Russlands" → Kina, Russland.
        stripped = re.sub(r"(?:'s|’s|s)$", "", text.strip().rstrip(".!?"))
        if stripped != text.strip():
            place = resolve_place(stripped, used_airports=used, prefer_airport=at_word)
    return place


def resolve_time(
    spec: TimeSpec | None, at_s: float | None, ctx: ClaimContext
) -> tuple[float | None, float | None, TimeBasis, str | None]:
    """(at, since, basis, zone): an option's time wins over the text's; none → now/end."""
    since = spec.since_s if spec is not None else None
    zone = spec.zone if spec is not None else None
    if at_s is not None:
        return at_s, since, "claim", zone
    if spec is not None and spec.at_s is not None:
        return spec.at_s, since, "claim", zone
    if ctx.now_s is not None:
        return ctx.now_s, since, "now", zone
    if ctx.end_of_data_s is not None:
        return ctx.end_of_data_s, since, "end_of_data", zone
    return None, since, "claim", zone


def clean_claim_text(text: str) -> str:
    """``text`` without invisible format characters (zero-width space, LRM/RLM, BOM, soft
    hyphen: text pasted from web pages and chats carries them, and they glued to a callsign made
    it unknown) and with each control character (NUL, tab, CR/LF, ESC) made a space."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        out.append(" " if cat == "Cc" else ch)
    return "".join(out)


def parse_claim(
    text: str,
    registry: FleetRegistry,
    at_s: float | None = None,
    *,
    ctx: ClaimContext | None = None,
) -> Claim:
    """Free text (en/nb/nn) → Claim. ``at_s`` (an option) wins over a time in the text.

    Raises ``ClaimParseError`` with a key and what was understood.
    """
    ctx = ctx or ClaimContext()
    subjects = ctx.subjects or SubjectContext(registry)
    text = clean_claim_text(text)
    body = text.strip().rstrip(".!?").strip()
    try:
        spec, body = find_time(
            body, default_zone=ctx.default_zone, city_zone=city_zone, local_zone=ctx.local_zone
        )
    except TimeParseError as exc:
        if exc.key == "local_zone" and ctx.local_zone is None:
            return _in_local_time(text, registry, at_s, ctx, exc.phrase)
        raise ClaimParseError(
            f"claim {text!r}: cannot read the time {exc.phrase!r} ({exc.key})",
            key=f"time_{exc.key}",
            details={"phrase": exc.phrase, "readings": list(exc.readings)},
        ) from None
    body = body.rstrip(",.!? ").strip()
    when, since, basis, zone = resolve_time(spec, at_s, ctx)
    understood: dict[str, str] = {}
    failure: tuple[str, dict[str, Any]] | None = None
    for pattern, predicate, demonym in _PATTERNS:
        m = pattern.match(body)
        if not m:
            continue
        understood["predicate"] = predicate or "landed_in/landed_at"
        said = {
            "subject": m.group("s").strip(),
            "place": (m.groupdict().get("o") or "").strip(),
            "predicate": predicate or "landed_in",
        }
        ordinal, subject_text = split_ordinal(m.group("s"))
        try:
            subject = resolve_subject(subject_text, subjects)
        except SubjectError as exc:
            failure = (f"subject_{exc.key}", said)
            continue
        if subject is None or (ordinal and subject[0] != "fleet"):
            # "the last plane of" an aircraft: not a subject (a fleet's last is)
            failure = failure or ("unknown_subject", said)
            continue
        understood["subject"] = f"{subject[0]} {subject[1]}"
        place: Place | None = None
        if predicate != "airborne":
            used = ctx.used_airports(subject) if ctx.used_airports is not None else set()
            at_word = bool(re.search(r"\s(?:at|på)\s+\S+$", m.group(0), re.I))
            try:
                place = _place_of(m.group("o"), demonym, used, at_word)
            except AmbiguousPlace as exc:
                raise ClaimParseError(
                    f"claim {text!r}: {exc}",
                    key="ambiguous_place",
                    understood=understood,
                    details={**said, "place": exc.text, "options": exc.options},
                ) from None
            if place is None:
                failure = ("unknown_place", said)
                continue
            understood["object"] = f"{place.kind} {place.code}"
        pred = predicate or ("landed_in" if place and place.kind == "country" else "landed_at")
        if pred in _NEEDS_COUNTRY and place is not None and place.kind != "country":
            failure = ("airspace_needs_country", said)
            continue
        if when is None:
            raise ClaimParseError(
                f"could not parse claim {text!r}; understood "
                f"{', '.join(f'{k}: {v}' for k, v in understood.items())}; missing time "
                "(give --at or a time in the claim, e.g. 'by 2024-06-18T20:00Z')",
                key="missing_time",
                understood=understood,
                details={**said, "predicate": pred},
            )
        around = spec.readings if spec is not None and at_s is None else ()
        return Claim.of(subject, pred, place, when, since, basis, zone, text, around, ordinal)
    key, details = failure or ("unknown_predicate", _guess_parts(body, subjects))
    parts = [f"{k}: {v}" for k, v in understood.items()] or ["nothing"]
    missing = [k for k in ("subject", "predicate", "object") if k not in understood]
    raise ClaimParseError(
        f"could not parse claim {text!r}; understood {', '.join(parts)}; "
        f"missing {', '.join(missing) or 'a consistent reading'} ({key})",
        key=key,
        understood=understood,
        details={**details, "body": body},
    )


def _in_local_time(
    text: str, registry: FleetRegistry, at_s: float | None, ctx: ClaimContext, phrase: str
) -> Claim:
    """A claim whose time is in "local time" with no place in the phrase ("had landed in
    Pyongyang by 02:30 local time on 19 June 2024"): the local time of the claim's place. The
    claim is read once with the time in UTC, only to find its place, then again in the place's
    zone. A place with no single zone (Russia, the United States; or no place) is an error that
    asks for the zone: guessing one would shift the claim by hours."""
    probe = parse_claim(text, registry, at_s, ctx=replace(ctx, local_zone="UTC"))
    zone = place_zone(probe)
    if zone is None:
        raise ClaimParseError(
            f"claim {text!r}: the time {phrase!r} is in local time, but "
            f"{probe.object or 'the claim'} has no single time zone: write the zone",
            key="time_local_zone",
            details={"phrase": phrase, "place": probe.object or ""},
        )
    return parse_claim(text, registry, at_s, ctx=replace(ctx, local_zone=zone))


def place_zone(claim: Claim) -> str | None:
    """The one IANA zone of the claim's place: its airport's or city's (the first airport's),
    or a country's only zone in tzdata's ``zone.tab``; None for a country with several."""
    from flyvakt.geo import get_world
    from flyvakt.geo.zonetab import country_zones

    if claim.object_kind in ("airport", "city") and claim.airports:
        ref = get_world().airport(claim.airports[0])
        return None if ref is None else ref.tz
    if claim.object_kind == "country" and claim.object:
        zones = country_zones().get(claim.object.upper(), ())
        return zones[0] if len(zones) == 1 else None
    return None


def with_time(claim: Claim, at_s: float, basis: TimeBasis) -> Claim:
    """The claim judged at ``at_s`` (e.g. the end of the data, once it is known)."""
    return replace(claim, at_s=at_s, time_basis=basis)


def _guess_parts(body: str, subjects: SubjectContext) -> dict[str, Any]:
    """For an unreadable predicate: a subject at the start and a place at the end, if any
    (so that the error can propose "X landed in Y by T")."""
    words = body.split()
    out: dict[str, Any] = {}
    for i in range(1, min(len(words), 5)):
        try:
            if resolve_subject(" ".join(words[:i]), subjects) is not None:
                out["subject"] = " ".join(words[:i])
                break
        except SubjectError:
            continue
    start = len(out.get("subject", "").split())
    for j in range(max(start, len(words) - 4), len(words)):
        try:
            if resolve_place(" ".join(words[j:])) is not None:
                out["place"] = " ".join(words[j:])
                break
        except AmbiguousPlace:
            continue
    return out
