"""Claim errors in the user's language (en/nb/nn), each with a proposed rewrite that the parser
reads back: "Meinte du: «RA-96017 har landa i Nord-Korea innan 18. juni 2024 kl. 20.00 norsk
tid»?".
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from flyvakt.fleets import FleetRegistry
from flyvakt.i18n.format import number
from flyvakt.verify.claims import ClaimParseError

_MSG: dict[str, dict[str, str]] = {
    "en": {
        "unknown_subject": "I do not know who “{subject}” is: name a fleet, a registration "
                           "(RA-96017), an ICAO address (157711), a callsign or a flight number",
        "unknown_fleet": "there is no fleet called “{subject}”",
        "subject_needs_option": "“{subject}” needs the aircraft or fleet to be named (--icao24 "
                                "or --fleet, or the aircraft field)",
        "unknown_place": "I do not know the place “{place}”: name a country, an airport (ICAO "
                         "or IATA code, or its name) or a city",
        "ambiguous_place": "“{place}” is ambiguous: {options}?",
        "airspace_needs_country": "airspace claims are about a country, not “{place}”",
        "missing_time": "the claim has no time: say by when",
        "time_no_zone": "the time “{phrase}” has no time zone (UTC, CEST, norsk tid, +02:00…)",
        "time_no_date": "the time “{phrase}” has no date",
        "time_local_zone": "the time “{phrase}” is in local time, but the place has no single "
                           "time zone: write the zone (UTC, Moscow time, +09:00…)",
        "time_twelve_hour": "“{phrase}” is a 12-hour time with no am or pm: it could be {a} "
                            "or {b}",
        "time_twelve_hour_no_date": "“{phrase}” has no date and is a 12-hour time with no am "
                                    "or pm: it could be {a} or {b} on any day",
        "date_placeholder": " on [date]",
        "time_daypart_no_clock": "“{phrase}” names a part of the day but no clock time: "
                                  "write the time (around 20:00, at half past eight in the "
                                  "evening), or leave the part of the day out to mean the "
                                  "whole day",
        "time": "I cannot read the time “{phrase}”",
        "unknown_predicate": "I cannot tell what the claim says happened (landed, took off, "
                             "was on the ground, was airborne, entered or avoided an airspace)",
        "rewrite": "Did you mean: “{text}”?",
        "or": " or ",
        "cut": " (the quote is cut short: it was {n} characters)",
        "ordinal_needs_fleet": "“first” or “last” is about a fleet's landings or takeoffs: "
                               "give a fleet (--fleet) and --landed-in, --landed-at or "
                               "--departed-from",
    },
    "nb": {
        "unknown_subject": "Jeg vet ikke hvem «{subject}» er: oppgi en flåte, en registrering "
                           "(RA-96017), en ICAO-adresse (157711), et kallesignal eller et "
                           "rutenummer",
        "unknown_fleet": "det finnes ingen flåte som heter «{subject}»",
        "subject_needs_option": "«{subject}» krever at flyet eller flåten er oppgitt (--icao24 "
                                "eller --fleet, eller feltet for fly)",
        "unknown_place": "Jeg kjenner ikke stedet «{place}»: oppgi et land, en flyplass (ICAO- "
                         "eller IATA-kode, eller navnet) eller en by",
        "ambiguous_place": "«{place}» er tvetydig: {options}?",
        "airspace_needs_country": "påstander om luftrom gjelder et land, ikke «{place}»",
        "missing_time": "påstanden har ingen tid: si innen når",
        "time_no_zone": "tiden «{phrase}» mangler tidssone (UTC, norsk tid, CEST, +02:00 …)",
        "time_no_date": "tiden «{phrase}» mangler dato",
        "time_local_zone": "tiden «{phrase}» er i lokal tid, men stedet har ikke én tidssone: "
                           "skriv tidssonen (UTC, Moskva-tid, +09:00 …)",
        "time_twelve_hour": "«{phrase}» sier ikke om det er natt eller dag: det kan være {a} "
                            "eller {b}",
        "time_twelve_hour_no_date": "«{phrase}» mangler dato og sier ikke om det er natt eller "
                                    "dag: det kan være {a} eller {b} hvilken som helst dag",
        "date_placeholder": " [dato]",
        "time_daypart_no_clock": "«{phrase}» sier hvilken del av døgnet, men ikke klokkeslettet: "
                                  "skriv tiden (rundt kl. 20.00, rundt halv ni om kvelden), "
                                  "eller ta bort delen av døgnet for å mene hele dagen",
        "time": "Jeg kan ikke lese tiden «{phrase}»",
        "unknown_predicate": "Jeg forstår ikke hva påstanden sier skjedde (landet, lettet, stod "
                             "på bakken, var i lufta, fløy inn i eller unngikk et luftrom)",
        "rewrite": "Mente du: «{text}»?",
        "or": " eller ",
        "cut": " (sitatet er forkortet: det var {n} tegn)",
        "ordinal_needs_fleet": "«første» eller «siste» gjelder landingene eller avgangene til "
                               "en flåte: oppgi en flåte (--fleet) og --landed-in, --landed-at "
                               "eller --departed-from",
    },
    "nn": {
        "unknown_subject": "Eg veit ikkje kven «{subject}» er: gje opp ein flåte, ei "
                           "registrering (RA-96017), ei ICAO-adresse (157711), eit kallesignal "
                           "eller eit rutenummer",
        "unknown_fleet": "det finst ingen flåte som heiter «{subject}»",
        "subject_needs_option": "«{subject}» krev at flyet eller flåten er oppgitt (--icao24 "
                                "eller --fleet, eller feltet for fly)",
        "unknown_place": "Eg kjenner ikkje staden «{place}»: gje opp eit land, ein flyplass "
                         "(ICAO- eller IATA-kode, eller namnet) eller ein by",
        "ambiguous_place": "«{place}» er tvetydig: {options}?",
        "airspace_needs_country": "påstandar om luftrom gjeld eit land, ikkje «{place}»",
        "missing_time": "påstanden har inga tid: sei innan når",
        "time_no_zone": "tida «{phrase}» manglar tidssone (UTC, norsk tid, CEST, +02:00 …)",
        "time_no_date": "tida «{phrase}» manglar dato",
        "time_local_zone": "tida «{phrase}» er i lokal tid, men staden har ikkje éi tidssone: "
                           "skriv tidssona (UTC, Moskva-tid, +09:00 …)",
        "time_twelve_hour": "«{phrase}» seier ikkje om det er natt eller dag: det kan vere "
                            "{a} eller {b}",
        "time_twelve_hour_no_date": "«{phrase}» manglar dato og seier ikkje om det er natt "
                                    "eller dag: det kan vere {a} eller {b} kva dag som helst",
        "date_placeholder": " [dato]",
        "time_daypart_no_clock": "«{phrase}» seier kva del av døgnet, men ikkje klokkeslettet: "
                                  "skriv tida (rundt kl. 20.00, rundt halv ni om kvelden), "
                                  "eller ta bort delen av døgnet for å meine heile dagen",
        "time": "Eg kan ikkje lese tida «{phrase}»",
        "unknown_predicate": "Eg forstår ikkje kva påstanden seier skjedde (landa, letta, stod "
                             "på bakken, var i lufta, flaug inn i eller unngjekk eit luftrom)",
        "rewrite": "Meinte du: «{text}»?",
        "or": " eller ",
        "cut": " (sitatet er forkorta: det var {n} teikn)",
        "ordinal_needs_fleet": "«første» eller «siste» gjeld landingane eller avgangane til "
                               "ein flåte: gje opp ein flåte (--fleet) og --landed-in, "
                               "--landed-at eller --departed-from",
    },
}  # fmt: skip

# Canonical claim shapes per predicate that the parser reads back ({s} subject, {o} place,
# {t} end time, {t1} start time).
_SHAPES: dict[str, dict[str, str]] = {
    "en": {
        "landed_in": "{s} landed in {o} by {t}", "landed_at": "{s} landed at {o} by {t}",
        "departed_from": "{s} departed from {o} by {t}",
        "on_ground_at": "{s} was on the ground at {o} at {t}",
        "airborne": "{s} was airborne at {t}",
        "in_airspace_of": "{s} was in the airspace of {o} at {t}",
        "entered_airspace_of": "{s} entered the airspace of {o} between {t1} and {t}",
        "avoided_airspace_of": "{s} avoided the airspace of {o} between {t1} and {t}",
        "flew_over": "{s} flew over {o} between {t1} and {t}",
    },
    "nb": {
        "landed_in": "{s} har landet i {o} innen {t}",
        "landed_at": "{s} har landet på {o} innen {t}",
        "departed_from": "{s} har lettet fra {o} innen {t}",
        "on_ground_at": "{s} stod på bakken på {o} {t}",
        "airborne": "{s} var i lufta {t}",
        "in_airspace_of": "{s} var i luftrommet til {o} {t}",
        "entered_airspace_of": "{s} fløy inn i luftrommet til {o} mellom {t1} og {t}",
        "avoided_airspace_of": "{s} unngikk luftrommet til {o} mellom {t1} og {t}",
        "flew_over": "{s} fløy over {o} mellom {t1} og {t}",
    },
    "nn": {
        "landed_in": "{s} har landa i {o} innan {t}",
        "landed_at": "{s} har landa på {o} innan {t}",
        "departed_from": "{s} har letta frå {o} innan {t}",
        "on_ground_at": "{s} stod på bakken på {o} {t}",
        "airborne": "{s} var i lufta {t}",
        "in_airspace_of": "{s} var i luftrommet til {o} {t}",
        "entered_airspace_of": "{s} flaug inn i luftrommet til {o} mellom {t1} og {t}",
        "avoided_airspace_of": "{s} unngjekk luftrommet til {o} mellom {t1} og {t}",
        "flew_over": "{s} flaug over {o} mellom {t1} og {t}",
    },
}  # fmt: skip
# Why 80 characters: a subject, place or time phrase is a few words; 80 show the start of what
# was not understood without filling the screen or the web page (a 5,000-character paste was
# echoed whole, in red). Longer text is cut to ECHO_KEEP_CHARS and the message says so.
ECHO_MAX_CHARS = 80
ECHO_KEEP_CHARS = 60
_ECHOED = ("subject", "place", "phrase")


def _echo(d: dict[str, Any], lang: str) -> str:
    """Cut each echoed part of ``d`` longer than ``ECHO_MAX_CHARS`` (in place); the note that
    says so, or ""."""
    longest = 0
    for k in _ECHOED:
        v = str(d.get(k) or "")
        if len(v) > ECHO_MAX_CHARS:
            d[k] = v[:ECHO_KEEP_CHARS].rstrip() + "…"
            longest = max(longest, len(v))
    return _MSG[lang]["cut"].format(n=number(longest, lang)) if longest else ""


_PLACEHOLDER_TIME = {"en": "[date] [time] UTC", "nb": "[dato] kl. [tid] norsk tid",
                     "nn": "[dato] kl. [tid] norsk tid"}  # fmt: skip


def time_phrase(time_s: float, lang: str, tz: str) -> str:
    """A time the parser reads back: ``18 June 2024 20:00 UTC`` / ``18. juni 2024 kl. 20.00
    norsk tid`` (norsk tid for Europe/Oslo, UTC otherwise)."""
    from babel.dates import format_date

    from flyvakt.i18n.format import clock, local_date

    zone = "Europe/Oslo" if tz == "Europe/Oslo" else "UTC"
    word = "norsk tid" if zone == "Europe/Oslo" and lang != "en" else (
        "Norwegian time" if zone == "Europe/Oslo" else "UTC")  # fmt: skip
    day = local_date(time_s, zone)
    if lang == "en":
        return f"{format_date(day, 'd MMMM y', locale='en')} {clock(time_s, zone, lang)} {word}"
    date_text = format_date(day, "d. MMMM y", locale=lang)
    return f"{date_text} kl. {clock(time_s, zone, lang)} {word}"


def _subject_guess(text: str, registry: FleetRegistry) -> str | None:
    names: list[str] = []
    for fleet in registry.fleets.values():
        names.extend(fleet.aliases)
        names.extend(str(m.registration) for m in fleet.members if m.registration)
    hit = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    if not hit:
        low = {n.casefold(): n for n in names}
        hit2 = difflib.get_close_matches(text.casefold(), list(low), n=1, cutoff=0.6)
        return low[hit2[0]] if hit2 else None
    return hit[0]


def _place_guess(text: str, lang: str) -> str | None:
    from babel import Locale

    names = [str(n) for c, n in Locale.parse(lang).territories.items() if len(c) == 2]
    hit = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    return hit[0] if hit else None


def explain(
    err: ClaimParseError,
    lang: str,
    registry: FleetRegistry,
    *,
    example_time_s: float | None = None,
    tz: str = "UTC",
) -> str:
    """The error as one or two sentences in ``lang``, with a rewrite where one can be made."""
    from flyvakt.i18n.catalog import check_lang
    from flyvakt.i18n.format import country_name

    lang = check_lang(lang)
    m = _MSG[lang]
    d: dict[str, Any] = dict(err.details)
    key = err.key if err.key in m else "unknown_predicate"
    if err.key.startswith("time_") and err.key not in m:
        key = "time"
    if key == "ambiguous_place":
        opts = [f"{i} ({country_name(cc, lang, in_sentence=False)})" for i, cc in d["options"]]
        d["options"] = m["or"].join(opts)
    if key.startswith("time_twelve_hour"):
        return _twelve_hour(err, key, lang)
    cut = _echo(d, lang)
    text = m[key].format(**{k: d.get(k, "") for k in ("subject", "place", "phrase", "options")})
    text += cut
    rewrite = None if cut else _rewrite(err, lang, registry, example_time_s, tz)
    if rewrite:
        text += ". " + m["rewrite"].format(text=rewrite)
    elif not text.endswith("?"):
        text += "."
    return text[0].upper() + text[1:]


def _twelve_hour(err: ClaimParseError, key: str, lang: str) -> str:
    """ "half past two" with no am/pm: both readings, and the claim rewritten with each."""
    m = _MSG[lang]
    readings = [str(r) for r in err.details.get("readings") or []]
    clocks = [c[0] for r in readings if (c := re.findall(r"\b\d{2}:\d{2}\b", r))]
    a, b = ([*clocks, "?", "?"])[:2]
    if lang != "en":
        a, b = a.replace(":", "."), b.replace(":", ".")
        readings = [re.sub(r"\b(\d{2}):(\d{2})\b", r"kl. \1.\2", r) for r in readings]
    d: dict[str, Any] = {"phrase": err.details.get("phrase", "")}
    cut = _echo(d, lang)
    text = m[key].format(phrase=d["phrase"], a=a, b=b) + cut
    if len(readings) == 2 and not cut:
        tail = m["date_placeholder"] if key.endswith("no_date") else ""
        quote = "“{}”" if lang == "en" else "«{}»"
        options = m["or"].join(quote.format(r + tail) for r in readings)
        text += ". " + m["rewrite"].replace(quote.format("{text}"), "{text}").format(text=options)
    return text[0].upper() + text[1:]


def _rewrite(
    err: ClaimParseError, lang: str, registry: FleetRegistry, t: float | None, tz: str
) -> str | None:
    d = err.details
    predicate = str(d.get("predicate") or err.understood.get("predicate") or "landed_in")
    if predicate == "landed_in/landed_at":
        predicate = "landed_in"
    if predicate not in _SHAPES[lang]:
        return None
    subject = str(d.get("subject") or "").strip()
    place = str(d.get("place") or "").strip()
    if err.key == "unknown_subject" and subject:
        subject = _subject_guess(subject, registry) or ""
    if err.key == "unknown_place" and place:
        place = _place_guess(place, lang) or ""
    if err.key == "ambiguous_place" and d.get("options"):
        place = str(d["options"][0][0])
        predicate = "landed_at" if predicate == "landed_in" else predicate
    if err.key == "subject_needs_option":
        return None  # the fix is an option, not other words
    if not subject or (predicate != "airborne" and not place):
        return None
    when = time_phrase(t, lang, tz) if t is not None else _PLACEHOLDER_TIME[lang]
    start = time_phrase(t - 3600.0, lang, tz) if t is not None else _PLACEHOLDER_TIME[lang]
    return _SHAPES[lang][predicate].format(s=subject, o=place, t=when, t1=start)
