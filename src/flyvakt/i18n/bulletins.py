"""Short publishable sentences for events, in English, Bokmål and Nynorsk.

``bulletin(event, lang, reader_tz)``, ``fleet_bulletin(event, lang, reader_tz, fleet_names)`` and
``timeline_text(events, lang, reader_tz)``. English strings are the gettext msgids; nb and nn
live in ``locale/*/LC_MESSAGES/flyvakt.po``.

Rules the wording keeps:

- Say how we know. An inferred landing "appears to have landed ... (inferred: ...)"; an
  airspace crossing that fell in a coverage gap "may have entered ... (possible only ...)";
  a lost signal is never a landing, and the bulletin says so.
- Fleet facts, not people: "the last of the three aircraft of <fleet>", never who is aboard.
- Times: the place's local time and the reader's (``norsk tid`` for Europe/Oslo, else the zone's
  city, or UTC).

Sentences are built from translated parts (time phrase, place phrase, note) that slot into
whole-sentence templates; all three languages put subject, verb, place, time in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from flyvakt.i18n.catalog import check_lang, translations
from flyvakt.i18n.format import (
    altitude_ft,
    city_of,
    clock,
    count_words,
    country_name,
    duration,
    local_date,
    long_date,
    reader_clock,
    same_clock,
)
from flyvakt.model.events import Event, gap_seconds

__all__ = ["bulletin", "fleet_bulletin", "timeline_text"]

DEFAULT_READER_TZ = "Europe/Oslo"


def _local_zone(ev: Event) -> str | None:
    return ev.local_tz or (ev.airport.tz if ev.airport else None)


def _when(ev: Event, lang: str, reader_tz: str, approx: bool = False) -> str:
    _ = translations(lang).gettext
    reader = reader_clock(ev.time_s, reader_tz, lang)
    zone = _local_zone(ev)
    if zone and not same_clock(ev.time_s, zone, reader_tz):
        local = clock(ev.time_s, zone, lang)
        if approx:
            return _("around {local} local time ({reader})").format(local=local, reader=reader)
        return _("at {local} local time ({reader})").format(local=local, reader=reader)
    if approx:
        return _("around {reader}").format(reader=reader)
    return _("at {reader}").format(reader=reader)


def _subject(ev: Event, lang: str) -> str:
    _ = translations(lang).gettext
    hex24 = ev.icao24.upper()
    callsign = (ev.callsign or "").strip()
    reg = ev.details.get("registration") if ev.details else None
    ident = f"{reg}, {hex24}" if isinstance(reg, str) and reg else hex24
    if callsign:
        return f"{callsign} ({ident})"
    return _("aircraft {icao24}").format(icao24=ident)


def _place_name(ev: Event, lang: str) -> str | None:
    if ev.airport is not None:
        return city_of(ev.airport.icao, ev.airport.name, lang)
    if ev.country:
        return country_name(ev.country, lang)
    return None


def _in_place(ev: Event, lang: str) -> str:
    place = _place_name(ev, lang)
    return translations(lang).gettext("in {place}").format(place=place) if place else ""


def _from_place(ev: Event, lang: str, place: str | None = None) -> str:
    place = place or _place_name(ev, lang)
    return translations(lang).gettext("from {place}").format(place=place) if place else ""


def _over(ev: Event, lang: str) -> str:
    if not ev.country:
        return ""
    return (
        translations(lang).gettext("over {country}").format(country=country_name(ev.country, lang))
    )


# The detector's reasons are written for the record, with signed numbers; in a sentence a
# reader would stumble on these (found reading the reasons on tests/data/real-ga aloud):
# "-38 ft above KWVI", "(-88 ft from KWVI's ground level", "0.0 NM away", "a 8 min gap"; and
# a flip on one fix (calfire near KVUO, kiwi at NZCH) is inferred, yet its reason says "seen
# airborne, then on the ground", which after "inferred, not observed" reads as a contradiction:
# one position cannot confirm it, and the sentence says so (with where that position lies when
# the reason says: "the last fix of the data", "the last before the signal was lost").
_READABLE = (
    (
        re.compile(
            r"^seen (airborne|on the ground), then (on the ground|airborne) \((.*)\); "
            r"on one position only(, the last [^;]*)?$"
        ),
        r"\1, then \2 (\3), on one position only\4, so not confirmed",
    ),
    (re.compile(r"(?<![\w.])-(\d[\d,]*) ft above "), r"\1 ft below "),
    (re.compile(r"\(-(\d[\d,]*) ft from "), r"(\1 ft below "),
    (re.compile(r"\b0\.0 NM away"), "less than 0.1 NM away"),
)
_A_NUMBER = re.compile(r"\ba (\d[\d,]*)\b")


def _a_or_an(m: re.Match[str]) -> str:
    """The article before a number: "an 8 min gap", "an 11 s interval", "a 110 s interval"."""
    digits = m.group(1).replace(",", "")
    vowel = digits.startswith("8") or (digits[:2] in ("11", "18") and len(digits) in (2, 5, 8))
    return f"{'an' if vowel else 'a'} {m.group(1)}"


def _readable(reason: str) -> str:
    """A detector reason as a sentence part (English; see :data:`_READABLE`)."""
    for pattern, repl in _READABLE:
        reason = pattern.sub(repl, reason)
    return _A_NUMBER.sub(_a_or_an, reason)


def _inferred_note(ev: Event, lang: str) -> str:
    """Sentences saying the event is inferred: the reason (only if translated) and candidates."""
    tr = translations(lang)
    reason = ""
    if ev.reason:
        said = tr.gettext(ev.reason)
        if check_lang(lang) == "en" or said != ev.reason:
            reason = _readable(said)
    if reason:
        note = tr.gettext("This is inferred, not observed directly: {reason}.").format(
            reason=reason
        )
    else:
        note = tr.gettext("This is inferred, not observed directly.")
    if ev.candidates:
        codes = ", ".join(ev.candidates)
        if ev.airport is None:  # no airport named: the candidates are all there is, not "other"
            text = tr.gettext("Airports within reach of its last position: {codes}.")
        else:
            text = tr.gettext("Other possible airports: {codes}.")
        note += " " + text.format(codes=codes)
    return note


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([.,;)])", r"\1", text)
    text = text.replace(",,", ",")
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later through a variable."""
    return message


_SQUAWKS = {
    "7500": N_("unlawful interference"),
    "7600": N_("radio failure"),
    "7700": N_("general emergency"),
}


def bulletin(event: Event, lang: str = "en", reader_tz: str = DEFAULT_READER_TZ) -> str:
    """One or two sentences saying what happened, how we know, and when (local and reader)."""
    if event.type.startswith("fleet_"):
        return fleet_bulletin(event, lang, reader_tz, {})
    _ = translations(lang).gettext
    ev = event
    s = _subject(ev, lang)
    sure = ev.basis == "observed"
    when = _when(ev, lang, reader_tz, approx=not sure)
    kind = ev.type
    if kind == "takeoff":
        if sure:
            text = _("{subject} took off {from_place} {when}.")
            return _sentence(text.format(subject=s, from_place=_from_place(ev, lang), when=when))
        text = _("{subject} appears to have taken off {from_place} {when}.")
        first = _sentence(text.format(subject=s, from_place=_from_place(ev, lang), when=when))
        return f"{first} {_inferred_note(ev, lang)}"
    if kind == "landing":
        if sure:
            text = _("{subject} landed {in_place} {when}.")
            return _sentence(text.format(subject=s, in_place=_in_place(ev, lang), when=when))
        text = _("{subject} appears to have landed {in_place} {when}.")
        first = _sentence(text.format(subject=s, in_place=_in_place(ev, lang), when=when))
        return f"{first} {_inferred_note(ev, lang)}"
    if kind == "touch_and_go":
        text = (
            _("{subject} touched down {in_place} and took off again without stopping {when}.")
            if sure
            else _(
                "{subject} appears to have touched down {in_place} and taken off again without "
                "stopping {when}."
            )
        )
        first = _sentence(text.format(subject=s, in_place=_in_place(ev, lang), when=when))
        return first if sure else f"{first} {_inferred_note(ev, lang)}"
    if kind == "go_around":
        text = _("{subject} aborted its landing {in_place} and went around {when}.")
        first = _sentence(text.format(subject=s, in_place=_in_place(ev, lang), when=when))
        return first if sure else f"{first} {_inferred_note(ev, lang)}"
    if kind == "stopover":
        # The detector writes the time on the ground as ``on_ground_s`` (detect/phase.py).
        dur = ev.details.get("on_ground_s") if ev.details else None
        if isinstance(dur, int | float) and dur > 0:
            text = _(
                "{subject} made a stopover {in_place} {when} and was on the ground for {duration}."
            )
            first = _sentence(
                text.format(
                    subject=s,
                    in_place=_in_place(ev, lang),
                    when=when,
                    duration=duration(float(dur), lang),
                )
            )
        else:
            text = _("{subject} made a stopover {in_place} {when}.")
            first = _sentence(text.format(subject=s, in_place=_in_place(ev, lang), when=when))
        return first if sure else f"{first} {_inferred_note(ev, lang)}"
    if kind in ("airspace_entry", "airspace_exit"):
        country = country_name(ev.country, lang) if ev.country else _("an unknown country")
        if kind == "airspace_entry":
            text = (
                _("{subject} entered the airspace of {country} {when}.")
                if sure
                else _("{subject} may have entered the airspace of {country} {when}.")
            )
        else:
            text = (
                _("{subject} left the airspace of {country} {when}.")
                if sure
                else _("{subject} may have left the airspace of {country} {when}.")
            )
        first = _sentence(text.format(subject=s, country=country, when=when))
        if sure:
            return first
        return first + " " + _("It was out of coverage at the border: possible, not observed.")
    if kind == "signal_lost":
        when = _when(ev, lang, reader_tz)
        if ev.altitude_baro_ft is not None and ev.altitude_baro_ft == ev.altitude_baro_ft:
            text = _("{subject} was last seen at {altitude} ft {over} {when}.")
            first = text.format(
                subject=s,
                altitude=altitude_ft(ev.altitude_baro_ft, lang),
                over=_over(ev, lang),
                when=when,
            )
        else:
            first = _("{subject} was last seen {over} {when}.").format(
                subject=s, over=_over(ev, lang), when=when
            )
        return _sentence(first) + " " + _("Losing the signal does not mean that it landed.")
    if kind == "signal_regained":
        when = _when(ev, lang, reader_tz)
        gap = ev.details.get("gap_s") if ev.details else None
        if isinstance(gap, int | float) and gap > 0:
            text = _("{subject} was seen again {over} {when}, after {duration} without a signal.")
            return _sentence(
                text.format(
                    subject=s, over=_over(ev, lang), when=when, duration=duration(float(gap), lang)
                )
            )
        text = _("{subject} was seen again {over} {when}.")
        return _sentence(text.format(subject=s, over=_over(ev, lang), when=when))
    if kind == "landing_withdrawn":
        return _withdrawal(ev, lang, reader_tz)
    if kind == "emergency_squawk":
        when = _when(ev, lang, reader_tz)
        code = str(ev.details.get("squawk", "")) if ev.details else ""
        meaning = _(_SQUAWKS[code]) if code in _SQUAWKS else _("an emergency code")
        text = _("{subject} set its transponder to code {squawk} ({meaning}) {when}.")
        return _sentence(text.format(subject=s, squawk=code or "?", meaning=meaning, when=when))
    text = _("{subject}: {event} {when}.")
    first = _sentence(text.format(subject=s, event=kind.replace("_", " "), when=when))
    return first if sure else f"{first} {_inferred_note(ev, lang)}"


def _withdrawn_when(ev: Event, lang: str, reader_tz: str) -> str:
    """When the withdrawn event was said (``details.withdrawn``, its ISO time), as ``_when``
    says a time ("at 17:23 local time (02.23 norsk tid)"); empty when it is not known."""
    iso = ev.details.get("withdrawn") if ev.details else None
    if not isinstance(iso, str):
        return ""
    try:
        t = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return ""
    return _when(replace(ev, time_s=t), lang, reader_tz)


def _withdrawal(ev: Event, lang: str, reader_tz: str) -> str:
    """A landing inferred when the signal was lost, withdrawn when the aircraft was seen again
    (detect/coverage.py ``rejudge``): when it was reported, that it was inferred, and why it
    is withdrawn, so that an alert or a page that said "has landed" is corrected in words."""
    _ = translations(lang).gettext
    when = _when(ev, lang, reader_tz)  # the time it was seen again: observed
    gap = gap_seconds(ev.details or {})
    text = _(
        "{subject} was seen again {when}. The landing {in_place} reported {landed_when} was "
        "inferred, not observed, when its signal was lost, and is withdrawn: it rested only "
        "on the positions before {duration} without a signal, and that time is now judged "
        "from the positions on both sides."
    )
    return _sentence(
        text.format(
            subject=_subject(ev, lang),
            when=when,
            in_place=_in_place(ev, lang),
            landed_when=_withdrawn_when(ev, lang, reader_tz),
            duration=duration(gap, lang) if gap else "",
        )
    )


def _fleet_name(ev: Event, lang: str, fleet_names: Mapping[str, str]) -> str:
    fleet_id = ev.fleet[0] if ev.fleet else "?"
    name = fleet_names.get(fleet_id)
    if name:
        return name
    return translations(lang).gettext("fleet {id}").format(id=fleet_id)


def fleet_bulletin(
    fleet_event: Event,
    lang: str = "en",
    reader_tz: str = DEFAULT_READER_TZ,
    fleet_names: Mapping[str, str] | None = None,
) -> str:
    """Sentence for ``fleet_departed`` / ``fleet_landed`` / ``fleet_together`` (counts in
    words, no people named).

    ``fleet_names`` maps fleet id → name in ``lang`` (``FleetRegistry.names(lang)``).
    """
    ev = fleet_event
    tr = translations(lang)
    _ = tr.gettext
    fleet = _fleet_name(ev, lang, fleet_names or {})
    sure = ev.basis == "observed"
    when = _when(ev, lang, reader_tz, approx=not sure)
    if ev.type == "fleet_departed":
        text = (
            _("The first aircraft of {fleet} took off {from_place} {when}.")
            if sure
            else _("The first aircraft of {fleet} appears to have taken off {from_place} {when}.")
        )
        return _sentence(text.format(fleet=fleet, from_place=_from_place(ev, lang), when=when))
    if ev.type == "fleet_together":
        count = int((ev.details or {}).get("count", 2))
        text = _("{n} aircraft of {fleet} were flying together {over} {when}.")
        return _sentence(
            text.format(n=count_words(count, lang), fleet=fleet, over=_over(ev, lang), when=when)
        )
    if ev.type == "fleet_landed_withdrawn":
        d = ev.details or {}
        member = str(d.get("member") or ev.icao24).upper()
        callsign = str(d.get("member_callsign") or "").strip()
        text = _(
            "The report that the aircraft of {fleet} landed {in_place} {landed_when} is "
            "withdrawn: it counted the landing of {member}, which was inferred when its signal "
            "was lost, and is withdrawn now that the aircraft was seen again {when}."
        )
        return _sentence(
            text.format(
                fleet=fleet,
                in_place=_in_place(ev, lang),
                landed_when=_withdrawn_when(ev, lang, reader_tz),
                member=f"{callsign} ({member})" if callsign else member,
                when=_when(ev, lang, reader_tz),
            )
        )
    if ev.type != "fleet_landed":
        return bulletin(ev, lang, reader_tz)
    d = ev.details or {}
    n = int(d.get("count", 1))
    m = int(d.get("departed_count", n))
    origin = d.get("origin")
    origin_place = None
    if isinstance(origin, str) and origin:
        origin_name = (d.get("origin_airport") or {}).get("name", "")
        origin_place = city_of(origin, str(origin_name), lang)
    fmt = {
        "fleet": fleet,
        "n": count_words(n, lang),
        "m": count_words(m, lang),
        "from_place": _from_place(ev, lang, origin_place) if origin_place else "",
        "in_place": _in_place(ev, lang),
        "when": when,
    }
    if n == m and n > 1:
        if sure:
            text = _(
                "The last of the {m} aircraft of {fleet} that took off {from_place} "
                "landed {in_place} {when}."
            )
        else:
            text = _(
                "The last of the {m} aircraft of {fleet} that took off {from_place} "
                "appears to have landed {in_place} {when}."
            )
    elif n == m:
        if sure:
            text = _("The aircraft of {fleet} that took off {from_place} landed {in_place} {when}.")
        else:
            text = _(
                "The aircraft of {fleet} that took off {from_place} "
                "appears to have landed {in_place} {when}."
            )
    elif n == 1:
        if sure:
            text = _(
                "One of the {m} aircraft of {fleet} that took off {from_place} "
                "landed {in_place} {when}."
            )
        else:
            text = _(
                "One of the {m} aircraft of {fleet} that took off {from_place} "
                "appears to have landed {in_place} {when}."
            )
    elif sure:
        text = _(
            "{n} of the {m} aircraft of {fleet} that took off {from_place} "
            "landed {in_place}, the last {when}."
        )
    else:
        text = _(
            "{n} of the {m} aircraft of {fleet} that took off {from_place} "
            "appear to have landed {in_place}, the last {when}."
        )
    out = _sentence(text.format(**fmt))
    place = d.get("place")
    if isinstance(place, dict):  # some landings name no airport (fleets/landed.py)
        out += " " + _unnamed_fleet_note(ev, place, lang)
    elif not sure:
        out += " " + _("Not every landing was observed directly.")
    return out


def _unnamed_fleet_note(ev: Event, place: Mapping[str, object], lang: str) -> str:
    """Why a fleet landing whose member landings do not all name an airport is said at all:
    the one airport, city or country every airport within reach lies in. The airport is named
    only as the only one within reach, never as where the aircraft were seen."""
    _ = translations(lang).gettext
    kind, code = str(place.get("kind")), str(place.get("code"))
    codes = ", ".join(ev.candidates)
    if kind == "airport":
        city = city_of(code, "", lang)
        name = code if city == code else f"{city} ({code})"
        text = _(
            "This is inferred, not observed: {airport} was the only airport within reach of "
            "each aircraft's last position."
        )
        return text.format(airport=name)
    if kind == "city":
        city = city_of(ev.candidates[0], code, lang) if ev.candidates else code
        text = _(
            "This is inferred, not observed: every airport within reach of the last positions "
            "is in {city} ({codes})."
        )
        return text.format(city=city, codes=codes)
    text = _(
        "This is inferred, not observed: every airport within reach of the last positions is "
        "in {country} ({codes}); which of them is not known."
    )
    return text.format(country=country_name(code, lang), codes=codes)


def timeline_text(
    events: Iterable[Event],
    lang: str = "en",
    reader_tz: str = DEFAULT_READER_TZ,
    fleet_names: Mapping[str, str] | None = None,
) -> str:
    """Events in time order, grouped under dates in the reader's zone, one bulletin a line::

    Saturday 6 July 2024
      08:59  AFR34ZG (393322) took off from Paris at 08:59 local time (...).
    """
    lines: list[str] = []
    current = None
    # A fleet fact after the member event that completes it at the same moment ("RA96025
    # landed", then "the last of the three landed"), not before it.
    for ev in sorted(events, key=lambda e: (e.time_s, e.type.startswith("fleet_"))):
        day = local_date(ev.time_s, reader_tz)
        if day != current:
            if lines:
                lines.append("")
            heading = long_date(day, lang)
            lines.append(heading[:1].upper() + heading[1:])
            current = day
        text = (
            fleet_bulletin(ev, lang, reader_tz, fleet_names)
            if ev.type.startswith("fleet_")
            else bulletin(ev, lang, reader_tz)
        )
        lines.append(f"  {clock(ev.time_s, reader_tz, lang)}  {text}")
    return "\n".join(lines) + ("\n" if lines else "")
