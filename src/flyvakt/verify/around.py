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

from flyvakt.verify.timeparse import AROUND_S

if TYPE_CHECKING:
    from flyvakt.verify.claims import Claim
    from flyvakt.verify.verdict import Evidence, Verdict, VerdictKind, _MemberResult

EVENT_PREDICATES = frozenset({"landed_in", "landed_at", "departed_from"})

_T: dict[str, dict[str, str]] = {
    "en": {
        "landed_in": "no landing in {place}", "landed_at": "no landing at {place}",
        "departed_from": "no takeoff from {place}",
        "none": "{event} within {window} of {when}, and {all} observed throughout: {members}",
        "one": "the aircraft was", "every": "every aircraft was",
        "state": "{who} was {state}",
        "real_landing": " and landed there {when}",
        "real_takeoff": " and took off from there {when}",
        "inferred": " (inferred, not observed)",
        "acted_landed_in": "landed in", "acted_landed_at": "landed at",
        "acted_departed_from": "took off from",
        "gap": "positions of {who} are missing within {window} of {when}: the data cannot tell "
               "whether it {acted} {place} then",
        "gap_real": "; it {acted} {place} {when}",
        "fits": " (the time in the claim says neither am nor pm: it fits read as {clock})",
        "readings": "the time in the claim says neither am nor pm. Read as {a}: {va}. "
                    "Read as {b}: {vb}",
    },
    "nb": {
        "landed_in": "ingen landing i {place}", "landed_at": "ingen landing på {place}",
        "departed_from": "ingen avgang fra {place}",
        "none": "{event} innen {window} fra {when}, og {all} observert hele tiden: {members}",
        "one": "flyet ble", "every": "alle flyene ble",
        "state": "{who} var {state}",
        "real_landing": " og landet der {when}", "real_takeoff": " og lettet derfra {when}",
        "inferred": " (utledet, ikke observert)",
        "acted_landed_in": "landet i", "acted_landed_at": "landet på",
        "acted_departed_from": "lettet fra",
        "gap": "posisjoner for {who} mangler innen {window} fra {when}: dataene kan ikke "
               "avgjøre om flyet {acted} {place} da",
        "gap_real": "; flyet {acted} {place} {when}",
        "fits": " (klokkeslettet i påstanden sier ikke om det er natt eller dag: det passer "
                "lest som {clock})",
        "readings": "klokkeslettet i påstanden sier ikke om det er natt eller dag. Lest som "
                    "{a}: {va}. Lest som {b}: {vb}",
    },
    "nn": {
        "landed_in": "inga landing i {place}", "landed_at": "inga landing på {place}",
        "departed_from": "ingen avgang frå {place}",
        "none": "{event} innanfor {window} frå {when}, og {all} observert heile tida: {members}",
        "one": "flyet vart", "every": "alle flya vart",
        "state": "{who} var {state}",
        "real_landing": " og landa der {when}", "real_takeoff": " og letta derifrå {when}",
        "inferred": " (utleidd, ikkje observert)",
        "acted_landed_in": "landa i", "acted_landed_at": "landa på",
        "acted_departed_from": "letta frå",
        "gap": "posisjonar for {who} manglar innanfor {window} frå {when}: dataa kan ikkje "
               "avgjere om flyet {acted} {place} då",
        "gap_real": "; flyet {acted} {place} {when}",
        "fits": " (klokkeslettet i påstanden seier ikkje om det er natt eller dag: det passar "
                "lese som {clock})",
        "readings": "klokkeslettet i påstanden seier ikkje om det er natt eller dag. Lese som "
                    "{a}: {va}. Lese som {b}: {vb}",
    },
}  # fmt: skip


def single(claim: Claim, centre_s: float) -> Claim:
    """The claim with one reading of its time."""
    return replace(
        claim, around_s=(centre_s,), at_s=centre_s + AROUND_S, since_s=centre_s - AROUND_S
    )


def judge_member(claim: Claim, icao24: str, ev: Evidence) -> _MemberResult:
    """One aircraft, one reading (``claim.around_s`` has one time); event predicates only."""
    from flyvakt.verify.verdict import (
        NEAR_S,
        _all_candidates_in,
        _around,
        _closest,
        _ev_time,
        _gap,
        _inside_gap,
        _matches,
        _MemberResult,
    )

    (c,) = claim.around_s
    lo, hi = c - AROUND_S, c + AROUND_S
    want = "takeoff" if claim.predicate == "departed_from" else "landing"
    at_place = [
        e
        for e in ev.events
        if e.get("icao24") == icao24
        and e.get("type") == want
        and (
            _matches(claim, e.get("airport"), e.get("country"))
            or (want == "landing" and _all_candidates_in(claim, e))
        )
    ]
    fx = ev.fixes.get(icao24)
    before, after = _around(fx, c)
    res = _MemberResult(icao24, "unverifiable", "coverage_gap", before=before, after=after)
    hits = [e for e in at_place if lo <= _ev_time(e) <= hi]
    if hits:
        best = min(hits, key=lambda e: abs(_ev_time(e) - c))
        inside = _inside_gap(best, before, after, c)
        res.deciding, res.basis = [best], str(best.get("basis") or "observed")
        if inside is not None:
            res.gap, res.rule = inside, "inside_gap_without_evidence"
            return res
        res.outcome, res.rule = "supported", f"{want}_event_{res.basis}_around"
        return res
    if at_place:  # when it really happened, to name it
        res.deciding = [min(at_place, key=lambda e: abs(_ev_time(e) - c))]
    res.place = _closest(before, after, c, NEAR_S)
    seen = _observed_throughout(claim, fx, lo, hi)
    if seen is None or res.place is None:
        res.gap = _gap(before, after)
        return res
    res.outcome, res.rule, res.basis = "contradicted", f"observed_{seen}_around", "observed"
    return res


def _observed_throughout(claim: Claim, fx: Any, lo: float, hi: float) -> str | None:
    """``"elsewhere"`` if positions cover ``lo``..``hi`` (no gap over ``GAP_S``, from before
    ``lo`` to after ``hi``) and none is on the ground at the claim's place; ``"at_place"`` if
    all are; None otherwise (a gap, or on the ground there only part of the time: unverifiable).
    """
    from flyvakt.verify.verdict import GAP_S, GROUND_ALT_FT, _matches, _place

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
        _matches(claim, p.airport, p.country) and p.on_ground
        for p in (_place(fx, i0 + int(k)) for k in np.flatnonzero(ground))
    ]
    if not any(there):
        return "elsewhere"
    return "at_place" if len(there) == ground.size and all(there) else None


def combine_readings(
    claim: Claim, verdicts: list[Verdict], lang: str, tz: str
) -> tuple[VerdictKind, Verdict]:
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
    from flyvakt.i18n.format import clock
    from flyvakt.verify.terms import verdict_term

    t = _T[lang]
    zone = claim.zone or tz
    clocks = [clock(c, zone, lang) for c in claim.around_s]
    if kind == "supported":
        c = clocks[verdicts.index(chosen)]
        return chosen.summary.rstrip(".") + t["fits"].format(clock=c) + "."

    def body(v: Verdict) -> str:
        head, _, rest = v.summary.partition(": ")
        return f"{head.lower()}: {rest.rstrip('.')}"

    lead = verdict_term(kind, chosen.basis if kind != "unverifiable" else None, lang)
    text = t["readings"].format(
        a=clocks[0], b=clocks[1], va=body(verdicts[0]), vb=body(verdicts[1])
    )
    return f"{lead}: {text}."


def summary_text(claim: Claim, decisive: list[_MemberResult], lang: str, tz: str) -> str:
    """Contradicted or unverifiable, one reading: what was seen in the window, and when the
    event at the place really was."""
    from flyvakt.i18n.format import city_of, country_name, duration
    from flyvakt.verify.summary import _bare, _ts, state, when, who

    t = _T[lang]
    (c,) = claim.around_s
    at = _bare(when(c, lang, tz, claim.zone))
    window = duration(AROUND_S, lang)
    obj = str(claim.object)
    if claim.object_kind == "country":
        place = country_name(obj, lang)
    elif claim.object_kind == "city" and claim.airports:
        place = city_of(claim.airports[0], obj, lang)
    else:
        place = obj
    real_key = "real_takeoff" if claim.predicate == "departed_from" else "real_landing"
    # "no landing in Pyongyang", "landed at ZKPY": a city reads like a country, not an airport
    pred = "landed_in" if claim.object_kind == "city" else claim.predicate

    def at_(e: dict[str, Any]) -> str:
        """When the event at the place was (its airport's local time where it names one)."""
        zone = (e.get("airport") or {}).get("tz") or claim.zone
        return when(_ts(str(e["time"])), lang, tz, zone)

    def hedge(e: dict[str, Any]) -> str:
        return t["inferred"] if e.get("basis") == "inferred" else ""

    def real(r: _MemberResult) -> str:
        if not r.deciding:
            return ""
        return t[real_key].format(when=at_(r.deciding[0])) + hedge(r.deciding[0])

    first = decisive[0]
    if first.outcome == "contradicted":
        members = "; ".join(
            t["state"].format(who=who(r), state=state(r.place, lang)) + real(r)
            for r in decisive[:3]
            if r.place is not None
        )
        return t["none"].format(
            event=t[pred].format(place=place), window=window, when=at,
            all=t["every" if len(decisive) > 1 else "one"], members=members,
        )  # fmt: skip
    names = ", ".join(who(r) for r in decisive[:3])
    acted = t[f"acted_{pred}"]
    text = t["gap"].format(who=names, window=window, when=at, acted=acted, place=place)
    known = [r for r in decisive if r.deciding]
    if known:
        e = known[0].deciding[0]
        text += t["gap_real"].format(acted=acted, place=place, when=at_(e)) + hedge(e)
    return text
