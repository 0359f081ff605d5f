"""Claims about an event "around" a time ("landed in Pyongyang around half past two, local
time"): the event at the claim's place within ``AROUND_S`` of the time said.

Per aircraft and per reading of the time (a 12-hour clock with no am/pm has two):

- **supported** if a landing (takeoff) at the place lies in the window; its basis is the
  event's: an inferred landing says "inferred, not observed" as everywhere else;
- **contradicted** if there is none and the aircraft was *observed* throughout the window (no
  gap longer than ``verdict.GAP_S``), never on the ground at the place (landing: it was
  elsewhere or in the air) or on it throughout (it had landed before); the verdict names when
  the event at the place really happened, if the data has one;
- **unverifiable** otherwise: positions are missing in the window (no data is never
  contradicted).

A claim with two readings (02:30 or 14:30) is supported if either reading is (the sentence is
true of a landing at 02:26 whichever the writer meant, and the verdict says which reading
fits), contradicted only if both are, and unverifiable otherwise, saying what each reading
gives.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from flyvakt.i18n.bulletins import N_
from flyvakt.verify.timeparse import AROUND_S

if TYPE_CHECKING:
    from flyvakt.verify.claims import Claim
    from flyvakt.verify.verdict import Evidence, MemberResult, Verdict, VerdictKind

EVENT_PREDICATES = frozenset({"landed_in", "landed_at", "departed_from"})


# The words: English msgids, nb/nn in the i18n catalogue (i18n/locale/*/flyvakt.po).
_NONE = {
    "landed_in": N_("no landing in {place}"),
    "landed_at": N_("no landing at {place}"),
    "departed_from": N_("no takeoff from {place}"),
}
_GAP = {
    "landed_in": N_(
        "positions of {who} are missing within {window} of {when}: the data cannot tell whether "
        "it landed in {place} then"
    ),
    "landed_at": N_(
        "positions of {who} are missing within {window} of {when}: the data cannot tell whether "
        "it landed at {place} then"
    ),
    "departed_from": N_(
        "positions of {who} are missing within {window} of {when}: the data cannot tell whether "
        "it took off from {place} then"
    ),
}
_DID = {
    "landed_in": N_("it landed in {place} {when}"),
    "landed_at": N_("it landed at {place} {when}"),
    "departed_from": N_("it took off from {place} {when}"),
}
_THERE = {
    "landing": N_("{who} was {state} and landed there {when}"),
    "takeoff": N_("{who} was {state} and took off from there {when}"),
}


def single(claim: Claim, centre_s: float) -> Claim:
    """The claim with one reading of its time."""
    return replace(
        claim, around_s=(centre_s,), at_s=centre_s + AROUND_S, since_s=centre_s - AROUND_S
    )


def judge_member(claim: Claim, icao24: str, ev: Evidence) -> MemberResult:
    """One aircraft, one reading (``claim.around_s`` has one time); event predicates only."""
    from flyvakt.verify.verdict import (
        NEAR_S,
        MemberResult,
        closest_place,
        event_time,
        fixes_around,
        gap_between,
        inside_gap,
    )

    (c,) = claim.around_s
    lo, hi = c - AROUND_S, c + AROUND_S
    want = "takeoff" if claim.predicate == "departed_from" else "landing"
    at_place = events_at_place(claim, icao24, ev)
    fx = ev.fixes.get(icao24)
    before, after = fixes_around(fx, c)
    res = MemberResult(icao24, "unverifiable", "coverage_gap", before=before, after=after)
    hits = [e for e in at_place if lo <= event_time(e) <= hi]
    if hits:
        best = min(hits, key=lambda e: abs(event_time(e) - c))
        inside = inside_gap(best, before, after, c)
        res.deciding, res.basis = [best], str(best.get("basis") or "observed")
        if inside is not None:
            res.gap, res.rule = inside, "inside_gap_without_evidence"
            return res
        res.outcome, res.rule = "supported", f"{want}_event_{res.basis}_around"
        return res
    if at_place:  # when it really happened, to name it
        res.deciding = [min(at_place, key=lambda e: abs(event_time(e) - c))]
    res.place = closest_place(before, after, c, NEAR_S)
    seen = _observed_throughout(claim, fx, lo, hi)
    if seen is None or res.place is None:
        res.gap = gap_between(before, after)
        return res
    res.outcome, res.rule, res.basis = "contradicted", f"observed_{seen}_around", "observed"
    return res


def events_at_place(claim: Claim, icao24: str, ev: Evidence) -> list[dict[str, Any]]:
    """The aircraft's landings (takeoffs, for "departed from") at the claim's place, in time
    order, an unnamed landing counting when all its candidates are there."""
    from flyvakt.verify.verdict import all_candidates_in, place_matches

    want = "takeoff" if claim.predicate == "departed_from" else "landing"
    return [
        e
        for e in ev.events
        if e.get("icao24") == icao24
        and e.get("type") == want
        and (
            place_matches(claim, e.get("airport"), e.get("country"))
            or (want == "landing" and all_candidates_in(claim, e))
        )
    ]


def event_zone(claim: Claim, e: dict[str, Any]) -> str | None:
    """The zone an event's time is "local time" in: its airport's; for a landing that names no
    airport, the zone the detector gave it, else the claim's place's (one zone), else None (the
    reader's time alone). Never the zone the claim was written in: "07:30 UTC" is not the local
    time at Toulouse."""
    from flyvakt.verify.claims import place_zone

    zone = (e.get("airport") or {}).get("tz") or (e.get("details") or {}).get("tz")
    return str(zone) if zone else place_zone(claim)


def place_words(claim: Claim, lang: str) -> str:
    """The claim's place as the reader wrote it: a country's or a city's name, or the code."""
    from flyvakt.i18n.format import city_of, country_name

    obj = str(claim.object)
    if claim.object_kind == "country":
        return country_name(obj, lang)
    if claim.object_kind == "city" and claim.airports:
        return city_of(claim.airports[0], obj, lang)
    return obj


def _observed_throughout(claim: Claim, fx: Any, lo: float, hi: float) -> str | None:
    """``"elsewhere"`` if positions cover ``lo``..``hi`` (no gap over ``GAP_S``, from before
    ``lo`` to after ``hi``) and none is on the ground at the claim's place; ``"at_place"`` if
    all are; None otherwise (a gap, or on the ground there only part of the time: unverifiable).
    """
    from flyvakt.verify.verdict import GAP_S, GROUND_ALT_FT, place_at, place_matches

    if fx is None or fx.time_s.size == 0:
        return None
    t = fx.time_s
    i0 = int(np.searchsorted(t, lo, side="right")) - 1
    i1 = int(np.searchsorted(t, hi, side="left"))
    if i0 < 0 or i1 >= t.size or t[i0] < lo - GAP_S or t[i1] > hi + GAP_S:
        return None
    if np.any(np.diff(t[i0 : i1 + 1]) > GAP_S):
        return None
    og = fx.on_ground[i0 : i1 + 1]
    alt = fx.altitude_baro_ft[i0 : i1 + 1]
    ground = (og == 1) | ((og == -1) & (alt <= GROUND_ALT_FT))
    there = [
        place_matches(claim, p.airport, p.country) and p.on_ground
        for p in (place_at(fx, i0 + int(k)) for k in np.flatnonzero(ground))
    ]
    if not any(there):
        return "elsewhere"
    return "at_place" if len(there) == ground.size and all(there) else None


def combine_readings(verdicts: list[Verdict]) -> tuple[VerdictKind, Verdict]:
    """Two readings of one 12-hour time: supported if either is, contradicted if both are."""
    kinds = [v.verdict for v in verdicts]
    if "supported" in kinds:
        return "supported", verdicts[kinds.index("supported")]
    if all(k == "contradicted" for k in kinds):
        return "contradicted", verdicts[0]
    return "unverifiable", verdicts[kinds.index("unverifiable")]


def readings_summary(
    claim: Claim, verdicts: list[Verdict], chosen: Verdict, kind: VerdictKind, lang: str, tz: str
) -> str:
    """The summary of a two-reading claim: the fitting reading's, saying which it is; or,
    when they differ without support, what each reading gives."""
    from flyvakt.i18n.catalog import translations
    from flyvakt.i18n.format import clock
    from flyvakt.verify.terms import verdict_term

    _ = translations(lang).gettext
    zone = claim.zone or tz
    clocks = [clock(c, zone, lang) for c in claim.around_s]
    if kind == "supported":
        c = clocks[verdicts.index(chosen)]
        fits = _("(the time in the claim says neither am nor pm: it fits if read as {clock})")
        return f"{chosen.summary.rstrip('.')} {fits.format(clock=c)}."

    def body(v: Verdict) -> str:
        head, _, rest = v.summary.partition(": ")
        return f"{head.lower()}: {rest.rstrip('.')}"

    lead = verdict_term(kind, chosen.basis if kind != "unverifiable" else None, lang)
    text = _(
        "the time in the claim says neither am nor pm. Read as {a}: {va}. Read as {b}: {vb}"
    ).format(a=clocks[0], b=clocks[1], va=body(verdicts[0]), vb=body(verdicts[1]))
    return f"{lead}: {text}."


def summary_text(claim: Claim, decisive: list[MemberResult], lang: str, tz: str) -> str:
    """Contradicted or unverifiable, one reading: what was seen in the window, and when the
    event at the place really was."""
    from flyvakt.i18n.catalog import translations
    from flyvakt.i18n.format import duration
    from flyvakt.verify.claims import place_zone
    from flyvakt.verify.summary import bare_time, iso_seconds, state, when, who

    _ = translations(lang).gettext
    (c,) = claim.around_s
    # the claim's time in the place's zone: the zone the claim was written in (UTC, say) is
    # not "local time" at the place
    at = bare_time(when(c, lang, tz, place_zone(claim)))
    window = duration(AROUND_S, lang)
    place = place_words(claim, lang)
    # "no landing in Pyongyang", "landed at ZKPY": a city reads like a country, not an airport
    pred = "landed_in" if claim.object_kind == "city" else claim.predicate

    def at_(e: dict[str, Any]) -> str:
        """When the event at the place was (its airport's local time where it names one)."""
        text = when(iso_seconds(str(e["time"])), lang, tz, event_zone(claim, e))
        return text + (" " + _("(inferred, not observed)") if e.get("basis") == "inferred" else "")

    def member(r: MemberResult) -> str:
        assert r.place is not None
        if not r.deciding:
            return _("{who} was {state}").format(who=who(r), state=state(r.place, lang))
        there = _THERE["takeoff" if claim.predicate == "departed_from" else "landing"]
        return _(there).format(who=who(r), state=state(r.place, lang), when=at_(r.deciding[0]))

    first = decisive[0]
    if first.outcome == "contradicted":
        members = "; ".join(member(r) for r in decisive[:3] if r.place is not None)
        text = (
            _("{event} within {window} of {when}, and every aircraft was observed throughout: "
              "{members}")
            if len(decisive) > 1
            else _("{event} within {window} of {when}, and the aircraft was observed throughout: "
                   "{members}")
        )  # fmt: skip
        event = _(_NONE[pred]).format(place=place)
        return text.format(event=event, window=window, when=at, members=members)
    names = ", ".join(who(r) for r in decisive[:3])
    text = _(_GAP[pred]).format(who=names, window=window, when=at, place=place)
    known = [r for r in decisive if r.deciding]
    if known:
        text += "; " + _(_DID[pred]).format(place=place, when=at_(known[0].deciding[0]))
    return text
