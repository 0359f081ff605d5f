"""One-sentence verdict summaries in en, nb and nn (simple templates; Babel for times/names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyvakt.verify.claims import Claim

if TYPE_CHECKING:
    from flyvakt.verify.verdict import VerdictKind, _MemberResult, _Place

_LEAD = {
    "en": {
        "supported": "Supported",
        "contradicted": "Contradicted",
        "unverifiable": "Unverifiable",
    },
    "nb": {
        "supported": "Bekreftet",
        "contradicted": "Avkreftet",
        "unverifiable": "Kan ikke avgjøres",
    },
    "nn": {
        "supported": "Stadfesta",
        "contradicted": "Avkrefta",
        "unverifiable": "Kan ikkje avgjerast",
    },
}

_T: dict[str, dict[str, str]] = {
    "en": {
        "landed": "{who} landed at {place} at {when}",
        "departed": "{who} took off from {place} at {when}",
        "inferred": " (landing inferred, not observed directly)",
        "at_obs": "at {when} {who} {state}",
        "ground": "on the ground at {place}",
        "air": "airborne over {place} at {alt} ft",
        "air_nowhere": "airborne outside any country's territory at {alt} ft",
        "was": "was",
        "were": "were",
        "all": "all {n} aircraft",
        "gap": "no position of {who} within {window} of {when}",
        "last": "; last seen {last_when} at {lat}, {lon}, {alt} ft",
        "need": "; positions around {when} are needed",
        "nodata": "no aircraft of the claim is in the data",
        "any": "any of the {n} aircraft",
        "unseen": "; {n} other aircraft of the fleet are not in the data within 24 hours",
    },
    "nb": {
        "landed": "{who} landet på {place} {when}",
        "departed": "{who} lettet fra {place} {when}",
        "inferred": " (landingen er utledet, ikke observert direkte)",
        "at_obs": "{when} {state_who}",
        "ground": "på bakken på {place}",
        "air": "i lufta over {place} i {alt} fot",
        "air_nowhere": "i lufta utenfor alle lands territorium i {alt} fot",
        "was": "var",
        "were": "var",
        "all": "alle {n} flyene",
        "gap": "ingen posisjon for {who} innen {window} fra {when}",
        "last": "; sist sett {last_when} ved {lat}, {lon}, {alt} fot",
        "need": "; posisjoner rundt {when} trengs",
        "nodata": "ingen fly i påstanden finnes i dataene",
        "any": "noen av de {n} flyene",
        "unseen": "; {n} andre fly i flåten finnes ikke i dataene innen 24 timer",
    },
    "nn": {
        "landed": "{who} landa på {place} {when}",
        "departed": "{who} letta frå {place} {when}",
        "inferred": " (landinga er utleidd, ikkje observert direkte)",
        "at_obs": "{when} {state_who}",
        "ground": "på bakken på {place}",
        "air": "i lufta over {place} i {alt} fot",
        "air_nowhere": "i lufta utanfor territoriet til alle land i {alt} fot",
        "was": "var",
        "were": "var",
        "all": "alle dei {n} flya",
        "gap": "ingen posisjon for {who} innanfor {window} frå {when}",
        "last": "; sist sett {last_when} ved {lat}, {lon}, {alt} fot",
        "need": "; posisjonar rundt {when} trengst",
        "nodata": "ingen fly i påstanden finst i dataa",
        "any": "nokon av dei {n} flya",
        "unseen": "; {n} andre fly i flåten finst ikkje i dataa innanfor 24 timar",
    },
}


def _when(time_s: float, lang: str, tz: str) -> str:
    from flyvakt.i18n.format import reader_clock

    text = reader_clock(time_s, tz, lang)
    return text if lang == "en" else f"kl. {text}"


def _airport_place(ap: dict[str, Any], lang: str) -> str:
    from flyvakt.i18n.format import city_of, country_name

    city = city_of(str(ap["icao"]), str(ap.get("name") or ""), lang)
    country = country_name(str(ap.get("country") or ""), lang) if ap.get("country") else ""
    return f"{city} ({ap['icao']})" + (f", {country}" if country else "")


def _state(p: _Place, lang: str) -> str:
    from flyvakt.i18n.format import altitude_ft, country_name

    t = _T[lang]
    if p.on_ground:
        if p.airport is not None:
            return t["ground"].format(place=_airport_place(p.airport, lang))
        place = country_name(p.country, lang) if p.country else f"{p.lat:.3f}, {p.lon:.3f}"
        return t["ground"].format(place=place)
    alt = altitude_ft(p.alt_ft, lang) if p.alt_ft is not None else "?"
    if p.country is None:
        return t["air_nowhere"].format(alt=alt)
    return t["air"].format(place=country_name(p.country, lang), alt=alt)


def _who(r: _MemberResult, claim: Claim, ev: dict[str, Any] | None = None) -> str:
    callsign = (ev or {}).get("callsign")
    return f"{callsign} ({r.icao24})" if callsign else r.icao24


def summarise(
    claim: Claim,
    kind: VerdictKind,
    decisive: list[_MemberResult],
    n_members: int,
    lang: str,
    tz: str,
    *,
    unseen: int = 0,
) -> str:
    """One sentence, e.g.

    ``Contradicted: at 09:47 CEST all 3 aircraft were on the ground at Yakutsk (UEEE), Russia.``
    """
    from flyvakt.i18n.catalog import check_lang
    from flyvakt.i18n.format import altitude_ft, duration

    lang = check_lang(lang)
    t = _T[lang]
    lead = _LEAD[lang][kind]
    when = _when(claim.at_s, lang, tz)
    if not decisive:
        return f"{lead}: {t['nodata']}."
    first = decisive[0]
    if kind == "supported" and first.deciding:
        ev = first.deciding[0]
        from datetime import datetime

        ev_s = datetime.fromisoformat(str(ev["time"]).replace("Z", "+00:00")).timestamp()
        key = "departed" if ev.get("type") == "takeoff" else "landed"
        ap = ev.get("airport")
        place = _airport_place(ap, lang) if ap else str(ev.get("country") or "?")
        text = t[key].format(who=_who(first, claim, ev), place=place, when=_when(ev_s, lang, tz))
        if ev.get("basis") == "inferred":
            text += t["inferred"]
        return f"{lead}: {text}."
    if kind in ("supported", "contradicted") and first.place is not None:
        states = {_state(r.place, lang) for r in decisive if r.place is not None}
        plural = len(decisive) > 1
        who = t["all"].format(n=len(decisive)) if plural else _who(first, claim)
        verb = t["were"] if plural else t["was"]
        state = next(iter(states)) if len(states) == 1 else "; ".join(sorted(states))
        if lang == "en":
            text = t["at_obs"].format(when=when, who=who, state=f"{verb} {state}")
        else:
            text = t["at_obs"].format(when=when, state_who=f"{verb} {who} {state}")
        if unseen:
            text += t["unseen"].format(n=unseen)
        return f"{lead}: {text}."
    # unverifiable: a coverage gap
    from flyvakt.verify.verdict import AIRSPACE_NEAR_S, NEAR_S

    window = NEAR_S if claim.predicate not in ("airborne", "in_airspace_of") else AIRSPACE_NEAR_S
    # Name up to three aircraft; a whole fleet's list would drown the sentence.
    who = (
        ", ".join(r.icao24 for r in decisive)
        if len(decisive) <= 3
        else t["any"].format(n=len(decisive))
    )
    text = t["gap"].format(who=who, window=duration(window, lang), when=when)
    if first.before is not None:
        b = first.before
        alt = altitude_ft(b.alt_ft, lang) if b.alt_ft is not None else "?"
        text += t["last"].format(
            last_when=_when(b.time_s, lang, tz), lat=f"{b.lat:.3f}", lon=f"{b.lon:.3f}", alt=alt
        )
    text += t["need"].format(when=when)
    return f"{lead}: {text}."
