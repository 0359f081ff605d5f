"""Structured claims (CLI options, the Python API, ``POST /api/verify`` fields) → ``Claim``,
through the same subject, place and time resolvers as free text, so that both forms agree.

Fields: ``fleet`` or ``aircraft`` (hex, registration, callsign or flight number), ``predicate``
(one of ``PREDICATES``), ``place`` (country, airport or city; not for ``airborne``), ``at``
(or ``until``) and ``since`` (ISO 8601 or a written time); ``around`` (a time: the event
within ``timeparse.AROUND_S`` of it, as "around half past two" in free text; ``at`` wins over
it); ``ordinal`` ("first"/"last": the fleet's first or last member to land or take off, as "the
last plane of" in free text). With ``claim`` (free text) the subject fields only fill in "the
aircraft"/"flyet", and the time fields win over the text's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyvakt.fleets import FleetRegistry
from flyvakt.verify.claims import (
    INTERVAL_PREDICATES,
    PREDICATES,
    Claim,
    ClaimContext,
    ClaimParseError,
    parse_claim,
    place_zone,
    resolve_time,
)
from flyvakt.verify.places import AmbiguousPlace, resolve_place
from flyvakt.verify.subjects import Subject, SubjectContext, SubjectError, resolve_subject
from flyvakt.verify.timeparse import AROUND_S, TimeParseError, find_time, parse_instant

# The fields of POST /api/verify's body that make the claim (lang and tz are the reader's).
PAYLOAD_FIELDS = (
    "claim", "fleet", "aircraft", "predicate", "place", "at", "until", "since", "around",
    "ordinal",
)  # fmt: skip
ORDINALS = ("first", "last")
_COUNTRY_ONLY = frozenset({"in_airspace_of", *INTERVAL_PREDICATES})


def _time(name: str, value: Any, zone: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(str(value), zone)
    except TimeParseError as exc:
        raise ClaimParseError(
            f"{name}: cannot read the time {str(value)!r} ({exc.key})",
            key=f"time_{exc.key}",
            details={"phrase": str(value), "field": name},
        ) from None


def _around(
    value: Any, zone: str | None, local_zone: str | None
) -> tuple[tuple[float, ...], str | None]:
    """The time(s) an ``around`` field means: an ISO 8601 instant, or a phrase as free text
    writes it ("half past two UTC on 19 June 2024": both readings of a 12-hour clock; "local
    time" is ``local_zone``, the place's); and the zone it was written in, if a phrase says."""
    from flyvakt.verify.places import city_zone

    if value is None or value == "":
        return (), None
    raw = str(value).strip()
    for text in (raw, f"around {raw}", f"rundt {raw}"):
        try:
            spec, rest = find_time(
                text, default_zone=zone, city_zone=city_zone, local_zone=local_zone
            )
        except TimeParseError as exc:
            if exc.key == "local_zone":
                raise ClaimParseError(
                    f"around: {raw!r} is in local time, and the place has no single zone",
                    key="time_local_zone", details={"phrase": raw},
                ) from None  # fmt: skip
            continue
        if spec is not None and not rest and spec.readings:
            return spec.readings, spec.zone
    try:
        t = _time("around", raw, zone)
    except ClaimParseError as exc:  # e.g. a 12-hour clock the phrase forms above did not read
        raise ClaimParseError(str(exc), key="time", details={"phrase": raw}) from None
    return ((), None) if t is None else ((t,), None)


def _ordinal(fields: Mapping[str, Any], claim: Claim) -> Claim:
    """The claim as "the first/last plane of the fleet" when the ``ordinal`` field says so."""
    from dataclasses import replace

    from flyvakt.verify.around import EVENT_PREDICATES

    value = fields.get("ordinal")
    if not value:
        return claim
    if value not in ORDINALS:
        raise ClaimParseError(
            f"ordinal {value!r}: choose first or last", key="ordinal_needs_fleet",
            details={"subject": str(value)},
        )  # fmt: skip
    if claim.subject_kind != "fleet" or claim.predicate not in EVENT_PREDICATES:
        raise ClaimParseError(
            f"ordinal {value!r} needs a fleet and a landing or takeoff",
            key="ordinal_needs_fleet", details={"subject": claim.subject},
        )  # fmt: skip
    return replace(claim, ordinal=value)


def given_subject(fields: Mapping[str, Any], subjects: SubjectContext) -> Subject | None:
    """The subject named by ``fleet`` / ``aircraft`` fields, or None."""
    fleet = fields.get("fleet")
    if fleet:
        reg = subjects.registry
        fleet_id = str(fleet) if str(fleet) in reg else reg.resolve(str(fleet))
        if fleet_id is None:
            raise ClaimParseError(
                f"fleet {fleet!r}: no such fleet", key="unknown_fleet", details={"subject": fleet}
            )
        return "fleet", fleet_id
    aircraft = fields.get("aircraft")
    if aircraft:
        try:
            found = resolve_subject(
                str(aircraft),
                SubjectContext(subjects.registry, subjects.aircraft, None, subjects.seen_callsign),
            )
        except SubjectError:
            found = None
        if found is None or found[0] != "aircraft":
            raise ClaimParseError(
                f"aircraft {aircraft!r}: not a hex address, registration, callsign or flight "
                "number", key="unknown_subject", details={"subject": aircraft},
            )  # fmt: skip
        return found
    return None


def build_claim(
    fields: Mapping[str, Any], registry: FleetRegistry, ctx: ClaimContext | None = None
) -> Claim:
    """One claim from structured fields (and/or free text in ``claim``)."""
    ctx = ctx or ClaimContext()
    subjects = ctx.subjects or SubjectContext(registry)
    given = given_subject(fields, subjects) or subjects.given
    subjects = SubjectContext(subjects.registry, subjects.aircraft, given, subjects.seen_callsign)
    zone = ctx.default_zone
    at_s = _time("at", fields.get("until") or fields.get("at"), zone)
    since_s = _time("since", fields.get("since"), zone)
    # "around T" (one time, or two readings): the window spans them, each judged ± AROUND_S;
    # an explicit at/until wins, as over a time written in the claim
    wants_around = at_s is None and bool(fields.get("around"))
    around: tuple[float, ...] = ()
    written: str | None = None
    inner = ClaimContext(subjects, zone, ctx.now_s, ctx.end_of_data_s, ctx.used_airports)
    text = fields.get("claim")
    if isinstance(text, str) and text.strip():
        from dataclasses import replace

        if wants_around:  # read in the zone of the claim's place, found with a stand-in time
            probe = parse_claim(text, registry, 0.0, ctx=inner)
            around, written = _around(fields.get("around"), zone, place_zone(probe))
            at_s, since_s = max(around) + AROUND_S, min(around) - AROUND_S
        claim = parse_claim(text, registry, at_s, ctx=inner)

        if since_s is not None:
            claim = replace(claim, since_s=since_s)
        option = given_subject(fields, subjects)
        if option is not None and (claim.subject_kind, claim.subject) != option:
            # The subject an option names wins over the text's ("MS804 har landa i Frankrike"
            # with --icao24): the option is the user's precise word for the same aircraft.
            claim = replace(claim, subject_kind=option[0], subject=option[1])
        if around:
            claim = replace(claim, around_s=around, since_s=since_s, zone=written or claim.zone)
        return _ordinal(fields, claim)
    predicate = str(fields.get("predicate") or "")
    if predicate not in PREDICATES:
        raise ClaimParseError(
            f"predicate {predicate!r}: choose one of {', '.join(PREDICATES)}",
            key="unknown_predicate",
            details={"predicate": predicate},
        )
    if given is None:
        raise ClaimParseError("give a fleet or an aircraft", key="unknown_subject")
    place = None
    if predicate != "airborne":
        place_text = str(fields.get("place") or "").strip()
        used = ctx.used_airports(given) if ctx.used_airports is not None else set()
        try:
            place = resolve_place(
                place_text, used_airports=used, prefer_airport=predicate == "landed_at"
            )
        except AmbiguousPlace as exc:
            raise ClaimParseError(
                str(exc), key="ambiguous_place",
                details={"place": exc.text, "options": exc.options},
            ) from None  # fmt: skip
        if place is None:
            raise ClaimParseError(
                f"unknown place {place_text!r}", key="unknown_place", details={"place": place_text}
            )
        if predicate in _COUNTRY_ONLY and place.kind != "country":
            raise ClaimParseError(
                f"{predicate} needs a country, got {place_text!r}",
                key="airspace_needs_country",
                details={"place": place_text},
            )
        if predicate == "landed_in" and place.kind != "country":
            predicate = "landed_at"
        if predicate == "landed_at" and place.kind == "country":
            predicate = "landed_in"
    if wants_around:
        probe = Claim.of(given, predicate, place, 0.0)
        around, written = _around(fields.get("around"), zone, place_zone(probe))
        at_s, since_s = max(around) + AROUND_S, min(around) - AROUND_S
    when, _, basis, _ = resolve_time(None, at_s, ctx)
    if when is None:
        raise ClaimParseError(
            "give a time (at)",
            key="missing_time",
            details={"subject": str(fields.get("fleet") or fields.get("aircraft") or ""),
                     "place": str(fields.get("place") or ""), "predicate": predicate},
        )  # fmt: skip
    claim = Claim.of(given, predicate, place, when, since_s, basis, written, around_s=around)
    return _ordinal(fields, claim)


def fields_from_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """CLI options (``landed_in="KP"``, ``airborne=True`` …) → structured fields."""
    keys = ("fleet", "claim", "at", "since", "until", "around")
    out: dict[str, Any] = {k: options.get(k) for k in keys}
    out["aircraft"] = options.get("icao24") or options.get("aircraft")
    out["ordinal"] = "last" if options.get("last") else "first" if options.get("first") else None
    for pred in PREDICATES:
        value = options.get(pred)
        if value:
            out["predicate"] = pred
            out["place"] = None if value is True else value
    return out
