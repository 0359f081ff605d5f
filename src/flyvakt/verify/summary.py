"""Verdict text for editors, in en, nb and nn: one summary sentence, then the evidence as
sentences (never JSON). Aircraft are named by registration where known; times are given in the
place's local time and the reader's zone, with the date when the two days differ. The text
says what the data shows and what it cannot: ADS-B shows aircraft, never who is aboard.

The lead word comes from ``terms.py`` (the one list shared with the web panel).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flyvakt.verify.around import EVENT_PREDICATES
from flyvakt.verify.claims import INTERVAL_PREDICATES, Claim
from flyvakt.verify.summary_words import WORDS as _T

if TYPE_CHECKING:
    from flyvakt.verify.verdict import MemberResult, VerdictKind, _Place


# Why 60 s: a fix within a minute of the claim time is, to a reader, where the aircraft was
# then; a fix further away (up to verdict.NEAR_S) has its own time said beside it.
SEEN_AT_S = 60.0


def iso_seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def when(time_s: float, lang: str, tz: str, place_tz: str | None = None) -> str:
    """``kl. 02.26 lokal tid 19. juni (19.26 norsk tid 18. juni)``; the dates only when the
    place's day and the reader's day differ; without a place zone, the reader's time only."""
    from babel.dates import format_date

    from flyvakt.i18n.catalog import translations
    from flyvakt.i18n.format import clock, local_date, reader_clock, same_clock

    _ = translations(lang).gettext
    reader = reader_clock(time_s, tz, lang)
    if place_tz and not same_clock(time_s, place_tz, tz):
        local = clock(time_s, place_tz, lang)
        d_local, d_reader = local_date(time_s, place_tz), local_date(time_s, tz)
        if d_local != d_reader:
            pattern = "d MMMM" if lang == "en" else "d. MMMM"
            local = f"{local} {format_date(d_local, pattern, locale=lang)}"
            reader = f"{reader} {format_date(d_reader, pattern, locale=lang)}"
        return _("at {local} local time ({reader})").format(local=local, reader=reader)
    return _("at {reader}").format(reader=reader)


def who(r: MemberResult, ev: dict[str, Any] | None = None) -> str:
    """``RA-96017 (157711)``, else ``callsign (hex)``, else the hex address."""
    if r.registration:
        return f"{r.registration} ({r.icao24})"
    callsign = (ev or {}).get("callsign") or r.callsign
    return f"{callsign} ({r.icao24})" if callsign else r.icao24


def _airport_place(ap: dict[str, Any], lang: str) -> str:
    from flyvakt.i18n.format import city_of, country_name

    city = city_of(str(ap["icao"]), str(ap.get("name") or ""), lang)
    country = country_name(str(ap.get("country") or ""), lang) if ap.get("country") else ""
    return f"{city} ({ap['icao']})" + (f", {country}" if country else "")


def _place_tz(p: _Place) -> str | None:
    if p.airport is not None and p.airport.get("tz"):
        return str(p.airport["tz"])
    from flyvakt.geo import get_world

    try:
        return get_world().tz_at(p.lat, p.lon)
    except Exception:  # an unknown zone only costs the local time
        return None


def state(p: _Place, lang: str) -> str:
    from flyvakt.i18n.format import altitude_ft, country_name

    t = _T[lang]
    if p.on_ground:
        if p.airport is not None:
            return t["ground"].format(place=_airport_place(p.airport, lang))
        # The place is a city (above), a country or a position: "in Toulouse", "in France",
        # "at 43.629, 1.374" (nb/nn: "i Toulouse", "i Frankrike", "ved 43.629, 1.374").
        if p.country:
            return t["ground_in"].format(place=country_name(p.country, lang))
        return t["ground_at"].format(place=f"{p.lat:.3f}, {p.lon:.3f}")
    alt = altitude_ft(p.alt_ft, lang) if p.alt_ft is not None else "?"
    if p.country is None:
        return t["air_nowhere"].format(alt=alt)
    return t["air"].format(place=country_name(p.country, lang), alt=alt)


def time_note(claim: Claim, lang: str, tz: str) -> str:
    if claim.time_basis in ("now", "end_of_data"):
        return _T[lang][claim.time_basis].format(when=when(claim.at_s, lang, tz))
    return ""


# Why 12: a state fleet's list (13 aircraft here) fits; a bigger fleet's unseen members are
# counted in the sentence and all listed in the evidence JSON (members_not_in_data).
UNSEEN_NAMED = 12


def unseen_text(names: Sequence[str], lang: str) -> str:
    """``; 10 other aircraft of the fleet are not in the data within 24 hours: RA-96010, …``
    (the first ``UNSEEN_NAMED`` by name, then how many more), or "" for none."""
    t = _T[lang]
    if not names:
        return ""
    shown = ", ".join(names[:UNSEEN_NAMED])
    if len(names) > UNSEEN_NAMED:
        shown = t["more"].format(names=shown, n=len(names) - UNSEEN_NAMED)
    key = "unseen_one" if len(names) == 1 else "unseen"
    return t[key].format(n=len(names), names=shown)


def summarise(
    claim: Claim,
    kind: VerdictKind,
    decisive: list[MemberResult],
    n_members: int,
    lang: str,
    tz: str,
    *,
    unseen: Sequence[str] = (),
    basis: str | None = None,
    listed: str = "",
) -> str:
    """One sentence, e.g.

    ``Contradicted: at 09:47 CEST all 3 aircraft were on the ground at Yakutsk (UEEE), Russia.``

    ``unseen`` names the fleet's members not in the data (said whatever the verdict: a
    supported fleet claim must not read as if every member was seen); ``listed`` (every
    member's landing) comes before them.
    """
    from flyvakt.i18n.catalog import check_lang
    from flyvakt.verify.terms import verdict_term

    lang = check_lang(lang)
    t = _T[lang]
    lead = verdict_term(kind, basis, lang)
    note = time_note(claim, lang, tz)
    if not decisive:
        return f"{lead}: {t['nodata']}{note}."
    body = _body(claim, kind, decisive, lang, tz)
    return f"{lead}: {body}{listed}{unseen_text(unseen, lang)}{note}."


def _body(claim: Claim, kind: VerdictKind, decisive: list[MemberResult], lang: str, tz: str) -> str:
    t = _T[lang]
    if claim.predicate in INTERVAL_PREDICATES:
        return _interval_text(claim, kind, decisive, lang, tz)
    first = decisive[0]
    if claim.around_s and claim.predicate in EVENT_PREDICATES and kind != "supported":
        from flyvakt.verify.around import summary_text

        return summary_text(claim, decisive, lang, tz)
    if kind == "supported" and first.deciding:
        ev = first.deciding[0]
        key = "departed" if ev.get("type") == "takeoff" else "landed"
        ap = ev.get("airport")
        place = _airport_place(ap, lang) if ap else str(ev.get("country") or "?")
        place_tz = str(ap.get("tz")) if ap and ap.get("tz") else None
        at = when(iso_seconds(str(ev["time"])), lang, tz, place_tz)
        cands = [str(c) for c in ev.get("candidates") or []]
        if key == "landed" and not ap and cands and claim.object:
            # an unnamed landing decided by its candidates (verdict.all_candidates_in)
            return _in_reach_text(claim, first, ev, cands, lang, tz)
        text = t[key].format(who=who(first, ev), place=place, when=at)
        if ev.get("basis") == "inferred":
            text += t["inferred_takeoff" if key == "departed" else "inferred"]
        return text
    if kind in ("supported", "contradicted") and first.place is not None:
        states = {state(r.place, lang) for r in decisive if r.place is not None}
        plural = len(decisive) > 1
        subject = t["all"].format(n=len(decisive)) if plural else who(first)
        verb = t["were"] if plural else t["was"]
        st = next(iter(states)) if len(states) == 1 else "; ".join(sorted(states))
        at = when(claim.at_s, lang, tz, _place_tz(first.place))
        text = t["at_obs"].format(when=at, who=subject, verb=verb, state=st)
        # The state rests on the fix nearest the claim time (verdict.NEAR_S); when that fix is
        # more than a minute away, say when it was: "at 08:30" must not read as seen at 08:30.
        far = max(decisive, key=lambda r: abs(r.place.time_s - claim.at_s) if r.place else 0.0)
        if far.place is not None and abs(far.place.time_s - claim.at_s) > SEEN_AT_S:
            text += t["seen_at"].format(when=when(far.place.time_s, lang, tz, _place_tz(far.place)))
        return text
    return _gap_text(claim, decisive, lang, tz)


def _in_reach_text(
    claim: Claim, r: MemberResult, ev: dict[str, Any], codes: list[str], lang: str, tz: str
) -> str:
    """An unnamed inferred landing whose every candidate is the claim's place: with one
    candidate, "landed at <it>: the only airport within reach"; with several, "landed somewhere
    in <the country or city>: within reach of A, B only"."""
    from flyvakt.geo import get_world
    from flyvakt.i18n.format import city_of, country_name

    t = _T[lang]
    ref = get_world().airport(codes[0]) if len(codes) == 1 else None
    if ref is not None:
        at = when(iso_seconds(str(ev["time"])), lang, tz, ref.tz or None)
        place = _airport_place(ref.to_json(), lang)
        return t["landed_only"].format(who=who(r, ev), place=place, when=at, code=ref.icao)
    zone = (ev.get("details") or {}).get("tz")
    at = when(iso_seconds(str(ev["time"])), lang, tz, str(zone) if zone else None)
    obj = str(claim.object)
    if claim.object_kind == "country":
        name = country_name(obj, lang)
    else:
        name = city_of(claim.airports[0], obj, lang) if claim.airports else obj
    text = t["landed_in_reach"].format(
        who=who(r, ev), place=name, when=at, codes=", ".join(codes),
        all=t["both"] if len(codes) == 2 else t["every"],
    )  # fmt: skip
    return text + t["inferred"]


def bare_time(when_text: str) -> str:
    """A time without its English preposition ("at 19:03 UTC" -> "19:03 UTC")."""
    return when_text.removeprefix("at ")


def _gap_text(claim: Claim, decisive: list[MemberResult], lang: str, tz: str) -> str:
    from flyvakt.i18n.format import altitude_ft, duration
    from flyvakt.verify.verdict import AIRSPACE_NEAR_S, GAP_S, NEAR_S

    t = _T[lang]
    first = decisive[0]
    window = NEAR_S if claim.predicate not in ("airborne", "in_airspace_of") else AIRSPACE_NEAR_S
    # Name up to three aircraft; a whole fleet's list would drown the sentence.
    names = (
        ", ".join(who(r) for r in decisive)
        if len(decisive) <= 3
        else t["any"].format(n=len(decisive))
    )
    at = when(claim.at_s, lang, tz)
    g, b, a = first.gap, first.before, first.after
    if first.rule == "inside_gap_without_evidence" and g is not None and b and a:
        return t["in_gap"].format(
            when=at, who=names, start=bare_time(when(b.time_s, lang, tz)),
            end=bare_time(when(a.time_s, lang, tz)),
            gap=duration(float(g["duration_s"]), lang),
        )  # fmt: skip
    span = g.get("duration_s") if g is not None else None
    if (
        first.rule == "coverage_gap"
        and b is not None
        and a is not None
        and span is not None
        and span > GAP_S
        and b.time_s < claim.at_s < a.time_s
    ):
        # Inside a gap with positions on both sides and no event to decide (issue 9: such a
        # claim is unverifiable, naming the gap): both ends, not only the last position.
        return t["in_plain_gap"].format(
            when=at, who=names, start=bare_time(when(b.time_s, lang, tz)),
            end=bare_time(when(a.time_s, lang, tz)), gap=duration(float(span), lang),
        )  # fmt: skip
    # "within 15 minutes of 20:30 UTC", not "of at 20:30 UTC" (bare_time drops English "at")
    text = t["gap"].format(who=names, window=duration(window, lang), when=bare_time(at))
    if first.before is not None:
        b = first.before
        alt = altitude_ft(b.alt_ft, lang) if b.alt_ft is not None else "?"
        text += t["last"].format(
            last_when=when(b.time_s, lang, tz), lat=f"{b.lat:.3f}", lon=f"{b.lon:.3f}", alt=alt
        )
    return text + t["need"].format(when=bare_time(at))


def _interval_text(
    claim: Claim, kind: VerdictKind, decisive: list[MemberResult], lang: str, tz: str
) -> str:
    from flyvakt.i18n.format import country_name

    t = _T[lang]
    country = country_name(str(claim.object), lang)
    since = claim.since_s if claim.since_s is not None else claim.at_s
    window = window_text(since, claim.at_s, lang, tz)
    plural = len(decisive) > 1
    inside = [r for r in decisive if r.airspace is not None and r.airspace.first_inside]
    if inside:
        r = inside[0]
        assert r.airspace is not None and r.airspace.first_inside is not None
        fi = r.airspace.first_inside
        return t["inside"].format(
            who=who(r),
            verb=t["was"],
            country=country,
            when=when(iso_seconds(fi["time"]), lang, tz),
            lat=f"{fi['lat']:.3f}",
            lon=f"{fi['lon']:.3f}",
        )
    possible = [r for r in decisive if r.airspace is not None and r.airspace.reachable_gaps]
    if kind == "unverifiable" and possible:
        # Every member that could have reached the zone unseen, one sentence each (a fleet
        # verdict that named only the first hid RA-96024 behind RA-96017).
        return ". ".join(_could_text(r, country, lang, tz) for r in possible)
    if kind == "unverifiable":
        return _gap_text(claim, decisive, lang, tz)
    names = t["all"].format(n=len(decisive)) if plural else who(decisive[0])
    text = t["avoided"].format(
        window=window, who=names, country=country, closest=closest_text(decisive, lang, tz)
    )
    if any(r.airspace is not None and r.airspace.inferred_landing for r in decisive):
        text += t["landed_inferred"]
    return text


def _could_text(r: MemberResult, country: str, lang: str, tz: str) -> str:
    """``r`` could have reached ``country`` unseen in its first reachable gap."""
    from flyvakt.i18n.format import duration, number

    t = _T[lang]
    assert r.airspace is not None
    g = r.airspace.reachable_gaps[0]
    # A stretch between two positions is a coverage gap; one open at either end is the
    # aircraft's data beginning after, or ending before, the claim's span: not a "gap".
    if g.get("end") is None:
        key = "could_landing"
    elif g.get("last_known") is None:
        key = "could_before"
    elif g.get("next_known") is None:
        key = "could_after"
    else:
        key = "could"
    start_s, end_s = iso_seconds(g["start"]), iso_seconds(g["end"]) if g.get("end") else None
    if key == "could" and end_s is not None:
        start, end = clock_span(start_s, end_s, lang, tz)
    else:
        start = bare_time(when(start_s, lang, tz))
        end = bare_time(when(end_s, lang, tz)) if end_s is not None else "?"
    return t[key].format(
        who=who(r), country=country, start=start, end=end,
        start_at=when(start_s, lang, tz),
        end_at=when(end_s, lang, tz) if end_s is not None else "?",
        dist=number(round(float(g["needed_nm"])), lang),
        reach=number(round(float(g["reach_nm"])), lang),
        gap=duration(float(g["duration_s"]), lang),
    )  # fmt: skip


def bare_clock(time_s: float, lang: str, tz: str) -> str:
    """``17:36 Norwegian time`` / ``kl. 17.36 norsk tid`` (no preposition)."""
    from flyvakt.i18n.format import reader_clock

    return (
        reader_clock(time_s, tz, lang) if lang == "en" else f"kl. {reader_clock(time_s, tz, lang)}"
    )


def clock_span(start_s: float, end_s: float, lang: str, tz: str) -> tuple[str, str]:
    """The two ends of ``between … and …`` with the zone said once, at the end: ``19:20``,
    ``19:30 Norwegian time`` (nb/nn ``kl. 19.20``, ``19.30 norsk tid``); each end with its zone
    when the two days differ in the reader's zone."""
    from flyvakt.i18n.format import clock, is_utc, local_date, reader_clock

    zone = "UTC" if is_utc(tz) else tz
    if local_date(start_s, zone) != local_date(end_s, zone):
        return bare_clock(start_s, lang, tz), bare_clock(end_s, lang, tz)
    kl = "" if lang == "en" else "kl. "
    return f"{kl}{clock(start_s, zone, lang)}", reader_clock(end_s, tz, lang)


def window_text(start_s: float, end_s: float, lang: str, tz: str) -> str:
    """``between 14:30 and 19:30 Norwegian time on 18 June 2024`` (the reader's zone)."""
    from babel.dates import format_date

    from flyvakt.i18n.format import clock, is_utc, local_date, reader_clock

    zone = "UTC" if is_utc(tz) else tz
    pattern = "d MMMM y" if lang == "en" else "d. MMMM y"
    d0, d1 = local_date(start_s, zone), local_date(end_s, zone)
    end = reader_clock(end_s, tz, lang)
    kl = "" if lang == "en" else "kl. "
    if d0 == d1:
        day = format_date(d1, pattern, locale=lang)
        start = f"{kl}{clock(start_s, zone, lang)}"
        return _T[lang]["window"].format(start=start, end=f"{kl}{end}") + (
            f" on {day}" if lang == "en" else f" {day}"
        )
    start = f"{kl}{reader_clock(start_s, tz, lang)} {format_date(d0, pattern, locale=lang)}"
    return _T[lang]["window"].format(
        start=start, end=f"{kl}{end} {format_date(d1, pattern, locale=lang)}"
    )


def closest_text(members: list[MemberResult], lang: str, tz: str) -> str:
    """``RA-96017 (157711) 70 NM at 19:20 Norwegian time, RA-96024 (…) …``."""
    from flyvakt.i18n.format import number

    t = _T[lang]
    parts = []
    for r in members:
        c = None if r.airspace is None else r.airspace.closest
        if c is None or c.get("distance_nm") is None:
            continue
        parts.append(
            t["closest"].format(
                who=who(r),
                dist=number(round(float(c["distance_nm"])), lang),
                when=when(iso_seconds(c["time"]), lang, tz),
            )
        )
    return ", ".join(parts) or "-"


def evidence_sentences(claim: Claim, members: list[MemberResult], lang: str, tz: str) -> list[str]:
    """Each aircraft's state at the claim time (or its closest approach), then the caveat."""
    from flyvakt.i18n.format import country_name, number

    t = _T[lang]
    out: list[str] = []
    for r in members:
        if claim.predicate in INTERVAL_PREDICATES and r.airspace is not None:
            c = r.airspace.closest
            inside = r.airspace.first_inside
            if inside is not None:
                text = t["member_inside"].format(
                    country=country_name(str(claim.object), lang),
                    when=when(iso_seconds(inside["time"]), lang, tz),
                )
                out.append(t["member"].format(who=who(r), state=text))
            elif c is not None and c.get("distance_nm") is not None:
                dist = number(round(float(c["distance_nm"])), lang)
                text = t["member_closest"].format(
                    dist=dist, country=country_name(str(claim.object), lang),
                    when=when(iso_seconds(c["time"]), lang, tz),
                )  # fmt: skip
                out.append(t["member"].format(who=who(r), state=text))
            elif r.airspace.n_fixes == 0:
                out.append(t["member_gap"].format(who=who(r), when=when(claim.at_s, lang, tz)))
            continue
        p = r.place or (r.before if r.before is not None else None)
        if p is not None and abs(p.time_s - claim.at_s) <= 24 * 3600:
            out.append(
                t["member"].format(
                    who=who(r), state=f"{when(p.time_s, lang, tz, _place_tz(p))} {state(p, lang)}"
                )
            )
        else:
            out.append(t["member_gap"].format(who=who(r), when=when(claim.at_s, lang, tz)))
    out.append(t["caveat"])
    return out
