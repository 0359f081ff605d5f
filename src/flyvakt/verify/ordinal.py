"""The fleet's last (first) aircraft to land (take off): "the last plane of ru-gov landed in
Pyongyang around half past two local time", "det første flyet til ru-gov landa ...".

Judged on every counted member's landing at the place (the member's landing nearest the
"around" time within a day; for "by T", its last landing at or before T), ordered in time:

- the ordinal member is the one landing last (first); its landing decides, judged as any
  "around" claim on that aircraft (``around.judge_member``): **supported** when its landing is
  in the window (basis: the landing's), **contradicted** when it was observed throughout the
  window without landing there (the verdict says when it did land), **unverifiable** otherwise;
- **unverifiable** while a member's landing there is unknown: the last cannot be known while a
  member is unaccounted for (the verdict names it). "First" is still contradicted when a known
  landing lies before the window: an unknown one could only be earlier.

"The last plane had landed by T" (no "around") is every member's claim: supported when every
counted member is, contradicted when any is. Members not in the data within a day are listed,
not counted, as for any fleet claim. Every verdict on a fleet's landings lists them all, first
to last, with local time and basis (:func:`landings_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyvakt.verify.claims import Claim
    from flyvakt.verify.verdict import Evidence, MemberResult, VerdictKind

_T: dict[str, dict[str, str]] = {
    "en": {
        "first": "first",
        "last": "last",
        "intro_landing": "the {ord} aircraft of the fleet to land in {place} was {who}",
        "intro_takeoff": "the {ord} aircraft of the fleet to take off from {place} was {who}",
        "did_landing": "it landed there {when}",
        "did_takeoff": "it took off from there {when}",
        "unknown_landing": "which aircraft of the fleet was the {ord} to land in {place} cannot "
        "be known: no landing there within a day of {when} is known for {names}",
        "unknown_takeoff": "which aircraft of the fleet was the {ord} to take off from {place} "
        "cannot be known: no takeoff from there within a day of {when} is known for {names}",
        "list_landing": "the landings in {place}, first to last: {items}; the last was {who}",
        "list_takeoff": "the takeoffs from {place}, first to last: {items}; the last was {who}",
        "item": "{who} {when} ({basis})",
        "observed": "observed",
        "inferred": "inferred",
    },
    "nb": {
        "first": "første",
        "last": "siste",
        "intro_landing": "det {ord} flyet i flåten som landet i {place}, var {who}",
        "intro_takeoff": "det {ord} flyet i flåten som lettet fra {place}, var {who}",
        "did_landing": "det landet der {when}",
        "did_takeoff": "det lettet derfra {when}",
        "unknown_landing": "hvilket fly i flåten som var det {ord} til å lande i {place}, kan "
        "ikke fastslås: ingen landing der innen et døgn fra {when} er kjent for {names}",
        "unknown_takeoff": "hvilket fly i flåten som var det {ord} til å lette fra {place}, kan "
        "ikke fastslås: ingen avgang derfra innen et døgn fra {when} er kjent for {names}",
        "list_landing": "landingene i {place}, fra første til siste: {items}; det siste var {who}",
        "list_takeoff": "avgangene fra {place}, fra første til siste: {items}; det siste var "
        "{who}",
        "item": "{who} {when} ({basis})",
        "observed": "observert",
        "inferred": "utledet",
    },
    "nn": {
        "first": "første",
        "last": "siste",
        "intro_landing": "det {ord} flyet i flåten som landa i {place}, var {who}",
        "intro_takeoff": "det {ord} flyet i flåten som letta frå {place}, var {who}",
        "did_landing": "det landa der {when}",
        "did_takeoff": "det letta derifrå {when}",
        "unknown_landing": "kva for fly i flåten som var det {ord} til å lande i {place}, kan "
        "ikkje fastslåast: inga landing der innanfor eit døgn frå {when} er kjend for {names}",
        "unknown_takeoff": "kva for fly i flåten som var det {ord} til å lette frå {place}, kan "
        "ikkje fastslåast: ingen avgang derifrå innanfor eit døgn frå {when} er kjend for {names}",
        "list_landing": "landingane i {place}, frå første til siste: {items}; det siste var {who}",
        "list_takeoff": "avgangane frå {place}, frå første til siste: {items}; det siste var "
        "{who}",
        "item": "{who} {when} ({basis})",
        "observed": "observert",
        "inferred": "utleidd",
    },
}  # fmt: skip


def _kind(claim: Claim) -> str:
    return "takeoff" if claim.predicate == "departed_from" else "landing"


def member_event(claim: Claim, icao24: str, ev: Evidence) -> dict[str, Any] | None:
    """The member's landing (takeoff) at the claim's place that the claim is about: the one
    nearest the "around" time, within a day (``verdict.ABSENT_WINDOW_S``, the span in which a
    member counts as part of the movement); for a claim "by T", its last at or before T."""
    from flyvakt.verify.around import events_at_place
    from flyvakt.verify.verdict import ABSENT_WINDOW_S, event_time

    at_place = events_at_place(claim, icao24, ev)
    if claim.around_s:
        c = claim.around_s[0]
        near = [e for e in at_place if abs(event_time(e) - c) <= ABSENT_WINDOW_S]
        return min(near, key=lambda e: abs(event_time(e) - c)) if near else None
    since = claim.since_s if claim.since_s is not None else float("-inf")
    by = [e for e in at_place if since <= event_time(e) <= claim.at_s]
    return by[-1] if by else None


def landings(
    claim: Claim, members: list[MemberResult], ev: Evidence
) -> list[tuple[MemberResult, dict[str, Any]]]:
    """Each member's landing (takeoff) at the place that is known, first to last."""
    from flyvakt.verify.verdict import event_time

    pairs = [(r, member_event(claim, r.icao24, ev)) for r in members]
    known = [(r, e) for r, e in pairs if e is not None]
    return sorted(known, key=lambda p: (event_time(p[1]), p[0].icao24))


def landings_json(pairs: list[tuple[MemberResult, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "icao24": r.icao24,
            "registration": r.registration,
            "time": e["time"],
            "basis": e.get("basis") or "observed",
            "airport": (e.get("airport") or {}).get("icao"),
        }
        for r, e in pairs
    ]


def _when_of(claim: Claim, e: dict[str, Any], lang: str, tz: str) -> str:
    from flyvakt.verify.around import event_zone
    from flyvakt.verify.summary import iso_seconds, when

    return when(iso_seconds(str(e["time"])), lang, tz, event_zone(claim, e))


def landings_text(
    claim: Claim, pairs: list[tuple[MemberResult, dict[str, Any]]], lang: str, tz: str
) -> str:
    """ "the landings in Pyongyang, first to last: RA-96017 (157711) at 02:20 19 June local time
    (19:20 18 June) (inferred); ...; the last was RA-96025 (157719)"."""
    from flyvakt.verify.around import place_words
    from flyvakt.verify.summary import who

    t = _T[lang]
    items = "; ".join(
        t["item"].format(
            who=who(r, e), when=_when_of(claim, e, lang, tz), basis=t[e.get("basis") or "observed"]
        )
        for r, e in pairs
    )
    last_r, last_e = pairs[-1]
    return t[f"list_{_kind(claim)}"].format(
        place=place_words(claim, lang), items=items, who=who(last_r, last_e)
    )


def judge(
    claim: Claim, counted: list[MemberResult], ev: Evidence, lang: str, tz: str
) -> tuple[VerdictKind, list[MemberResult], str | None, str | None]:
    """(verdict, decisive members, rule, summary text after the lead word) of an ordinal claim
    on the counted members' results (``around.judge_member``, or ``_judge_member`` for "by").
    Rule and text None: as for any fleet claim (a member contradicting "the last had landed by
    T" contradicts it, as it would "the fleet had landed")."""
    from flyvakt.verify.around import place_words, summary_text
    from flyvakt.verify.claims import place_zone
    from flyvakt.verify.summary import bare_time, when, who
    from flyvakt.verify.summary_words import WORDS as _S
    from flyvakt.verify.timeparse import AROUND_S
    from flyvakt.verify.verdict import event_time

    t = _T[lang]
    kind_word = _kind(claim)
    pairs = landings(claim, counted, ev)
    listed = "; " + landings_text(claim, pairs, lang, tz) if len(pairs) > 1 else ""
    ord_word = t[claim.ordinal or "last"]
    place = place_words(claim, lang)
    centre = claim.around_s[0] if claim.around_s else claim.at_s
    known = {r.icao24 for r, _e in pairs}
    unknown = [r for r in counted if r.icao24 not in known]
    o_r, o_e = (pairs[0] if claim.ordinal == "first" else pairs[-1]) if pairs else (None, None)
    early = (
        o_e is not None and claim.ordinal == "first" and bool(claim.around_s)
        and event_time(o_e) < centre - AROUND_S
    )  # fmt: skip
    if not claim.around_s and any(r.outcome == "contradicted" for r in counted):
        return "contradicted", [r for r in counted if r.outcome == "contradicted"], None, None
    if o_r is None or o_e is None or (unknown and not early):
        names = ", ".join(who(r) for r in unknown)
        at = bare_time(when(centre, lang, tz, place_zone(claim)))
        text = t[f"unknown_{kind_word}"].format(ord=ord_word, place=place, when=at, names=names)
        return "unverifiable", unknown, "member_event_unknown", text + listed
    intro = t[f"intro_{kind_word}"].format(ord=ord_word, place=place, who=who(o_r, o_e))
    kind: VerdictKind
    if not claim.around_s:  # "the last had landed by T": every member's claim
        every = all(r.outcome == "supported" for r in counted)
        kind = "supported" if every else "unverifiable"
        decisive = [o_r] if every else [r for r in counted if r.outcome == kind]
        rule = decisive[0].rule
    else:
        kind, decisive, rule = o_r.outcome, [o_r], o_r.rule
    if kind == "supported":
        did = t[f"did_{kind_word}"].format(when=_when_of(claim, o_e, lang, tz))
        if o_e.get("basis") == "inferred":
            did += _S[lang]["inferred_takeoff" if kind_word == "takeoff" else "inferred"]
        return kind, decisive, rule, f"{intro}; {did}{listed}"
    if claim.around_s:
        return kind, decisive, rule, f"{intro}; {summary_text(claim, decisive, lang, tz)}{listed}"
    did = t[f"did_{kind_word}"].format(when=_when_of(claim, o_e, lang, tz))
    return kind, decisive, rule, f"{intro}; {did}{listed}"


def summary(
    claim: Claim,
    kind: VerdictKind,
    basis: str | None,
    text: str,
    unseen: Sequence[str],
    lang: str,
    tz: str,
) -> str:
    """The one sentence: the lead word, the ordinal's text, the members not in the data."""
    from flyvakt.verify.summary import time_note, unseen_text
    from flyvakt.verify.terms import verdict_term

    lead = verdict_term(kind, basis, lang)
    return f"{lead}: {text}{unseen_text(unseen, lang)}{time_note(claim, lang, tz)}."
