"""Times as newsrooms write them, in en/nb/nn: instants ("by", "innan", "før", "at", "kl."),
windows ("between … and …", "mellom … og …", "since", "sidan"), ISO 8601, "kl. 20.00 18. juni
2024", "18 June 2024 20:00", "12:30 on 18 June 2024", and zones ("UTC", "CEST", "+02:00",
"norsk tid", "Pyongyang time", "Moskva-tid", "Europe/Oslo"), and "local time" / "lokal tid"
(the zone of the claim's place, which the caller passes as ``local_zone``).

Pure: no clock is read. A time with no zone anywhere in the phrase is read in ``default_zone``
when one is given (the reader's ``--tz``), otherwise it is an error that says how to add one:
guessing a zone would shift a claim by hours. A date without a clock time means the whole day
("on 18 June") or its end ("by 18 June").

``find_time`` finds the time phrase in a claim (the longest run of time words that contains a
date or a clock time) and returns the claim text without it.

"Around" times ("around half past two", "at about 02:30", "rundt halv tre", "cirka kl. 14.30")
are a window of ``AROUND_S`` either side (kind ``around``). A clock said in words is a 12-hour
clock (``wordclock.py``): "half past two" / "halv tre" is 02:30 or 14:30. "in the morning", "pm",
"om natta", "på ettermiddagen" decide it; with a date but no such word an "around" time keeps
both readings (``TimeSpec.readings``) and the verdict judges each and says which; anything else
(no date, or "by half past two") is an error that asks: a silent guess shifts a claim 12 hours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flyvakt.verify.wordclock import DAYPART, NIGHT, PM, TWELVE, mark_word_clocks, unmark

TimeKind = Literal["at", "by", "between", "since", "around"]
# City name (any language) → IANA zone of that city, or None (places.city_zone).
CityZone = Callable[[str], str | None]


class TimeParseError(ValueError):
    """A time phrase was found but cannot be read; ``key`` names the problem for messages."""

    def __init__(self, key: str, phrase: str, readings: tuple[str, ...] = ()) -> None:
        super().__init__(f"{key}: {phrase!r}")
        self.key = key
        self.phrase = phrase
        self.readings = readings  # the phrase rewritten once per reading (12-hour clocks)


@dataclass(frozen=True)
class TimeSpec:
    """What the claim says about time. ``at_s`` None with kind ``since``: "until now"."""

    kind: TimeKind
    at_s: float | None
    since_s: float | None
    zone: str | None  # IANA zone the claim's time was written in (for showing times back)
    phrase: str
    # "around": the times meant, one per reading (two for a 12-hour clock with no am/pm).
    readings: tuple[float, ...] = ()


# "Around half past two" is a window of this much either side. Newsrooms round a time to the
# nearest quarter or half hour ("around half past two" for anything from about 02:15 to 02:45),
# and it is also the verdict's NEAR_S: no airliner takes off, flies elsewhere and lands in less.
AROUND_S = 15 * 60.0
# Words that make a time "around" (en, nb, nn; "ca"/"c" from "ca." / "c.", the dot is cut).
_AROUND = frozenset({
    "around", "about", "approximately", "approx", "roughly", "circa", "ca", "c",
    "rundt", "omkring", "cirka", "omtrent", "kring", "ikring", "om lag",
})  # fmt: skip


# Abbreviations → (UTC offset in hours, a zone to show times in). Only unambiguous ones: "CST"
# (China or US Central) and "IST" (India, Ireland, Israel) are left out on purpose.
_ABBREV: dict[str, tuple[float, str]] = {
    "utc": (0, "UTC"), "z": (0, "UTC"), "gmt": (0, "UTC"), "zulu": (0, "UTC"),
    "cet": (1, "Europe/Oslo"), "cest": (2, "Europe/Oslo"), "met": (1, "Europe/Oslo"),
    "mest": (2, "Europe/Oslo"), "bst": (1, "Europe/London"), "wet": (0, "Europe/Lisbon"),
    "west": (1, "Europe/Lisbon"), "eet": (2, "Europe/Helsinki"), "eest": (3, "Europe/Helsinki"),
    "msk": (3, "Europe/Moscow"), "yakt": (9, "Asia/Yakutsk"), "kst": (9, "Asia/Seoul"),
    "jst": (9, "Asia/Tokyo"), "est": (-5, "America/New_York"), "edt": (-4, "America/New_York"),
    "pst": (-8, "America/Los_Angeles"), "pdt": (-7, "America/Los_Angeles"),
    "nzst": (12, "Pacific/Auckland"), "nzdt": (13, "Pacific/Auckland"),
    "aest": (10, "Australia/Sydney"), "aedt": (11, "Australia/Sydney"),
}  # fmt: skip
# Zone words that name the reader's country rather than a city.
_NAMED_ZONES: dict[str, str] = {
    "norsk tid": "Europe/Oslo", "norwegian time": "Europe/Oslo", "norsk sommertid": "Europe/Oslo",
    "norsk sommartid": "Europe/Oslo", "norsk normaltid": "Europe/Oslo",
    "universal time": "UTC", "koordinert universaltid": "UTC",
}  # fmt: skip

# "Local time" with no place in it ("02:30 local time", "kl. 02.30 lokal tid"): the zone of the
# place the claim is about (an airport's or city's zone, or a country's only zone), which the
# claim parser knows and passes in as ``local_zone``; the time reader alone cannot know it.
_LOCAL_WORDS = ("local time", "lokal tid", "lokaltid", "local")
LOCAL = "local"  # the zone name find_time gives "local time" when no ``local_zone`` is given


_LEADS: dict[str, TimeKind] = {
    "at": "at", "kl": "at", "klokka": "at", "klokken": "at", "ved": "at", "on": "at", "pr": "at",
    "per": "at", "på": "at", "as of": "at",
    "by": "by", "before": "by", "innan": "by", "innen": "by", "før": "by", "until": "by",
    "til": "by", "fram til": "by", "frem til": "by",
    "between": "between", "mellom": "between", "from": "since",
    "since": "since", "siden": "since", "sidan": "since", "fra": "since", "frå": "since",
    **dict.fromkeys(_AROUND, "around"),
}  # fmt: skip
_RANGE_JOIN = ("and", "og", "to", "til", "until", "-", "–")

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$",
    re.I,
)
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(z)?$", re.I)
_OFFSET = re.compile(r"^(?:utc|gmt)?([+-−])(\d{1,2})(?::?(\d{2}))?$", re.I)
_DAY = re.compile(r"^(\d{1,2})(?:\.|st|nd|rd|th)?$", re.I)
_YEAR = re.compile(r"^(19|20)\d{2}$")
_FILLER = {"the", "of", "den", "om", "on", "kl", "klokka", "klokken", "at", "i", "o'clock"}
# A whole hour after "kl." / "klokka" / "klokken" ("før kl. 10 norsk tid"): Norwegian writes the
# minutes only when they are not zero, and on the 24-hour clock, so "kl. 10" is 10.00. Read as
# that clock (a bare "10" elsewhere stays a day of the month).
_BARE_HOUR = re.compile(r"(?<!\w)(kl\.?|klokka|klokken)(\s+)([01]?\d|2[0-4])(?!\d|[.:]\d)", re.I)


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Month names and abbreviations in en, nb, nn (CLDR via Babel), lower-case → 1..12."""
    from babel import Locale

    out: dict[str, int] = {}
    for loc in ("en", "nb", "nn"):
        months = Locale.parse(loc).months
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for num, name in months[ctx][width].items():
                    out[str(name).lower().rstrip(".")] = int(num)
    out["sept"] = 9
    return out


def _fixed(hours: float) -> tzinfo:
    return timezone(timedelta(hours=hours))


def _display_for_offset(minutes: int) -> str:
    """A zone to show times in for a bare offset: Etc/GMT±h for whole hours (sign inverted by
    POSIX convention), else UTC."""
    if minutes % 60:
        return "UTC"
    h = minutes // 60
    return "UTC" if h == 0 else f"Etc/GMT{-h:+d}"


def zone_from_words(
    words: str, city_zone: CityZone | None = None, local_zone: str | None = None
) -> tuple[tzinfo, str] | None:
    """A zone phrase → (tzinfo to read the time in, IANA zone to show times in), or None.
    "local time" → ``local_zone`` when given, else (UTC, :data:`LOCAL`): a placeholder the
    caller must replace (:func:`find_time` raises ``local_zone`` for it)."""
    w = words.strip().lower().rstrip(".,")
    if not w:
        return None
    if w in _LOCAL_WORDS:
        return (ZoneInfo(local_zone), local_zone) if local_zone else (UTC, LOCAL)
    if w in _ABBREV:
        off, show = _ABBREV[w]
        return (_fixed(off) if show != "UTC" else UTC), show
    if w in _NAMED_ZONES:
        name = _NAMED_ZONES[w]
        return ZoneInfo(name), name
    m = _OFFSET.match(w.replace(" ", ""))
    if m and (w.startswith(("+", "-", "−")) or w[:3] in ("utc", "gmt")):
        sign = -1 if m.group(1) in "-−" else 1
        minutes = sign * (int(m.group(2)) * 60 + int(m.group(3) or 0))
        return timezone(timedelta(minutes=minutes)), _display_for_offset(minutes)
    if "/" in w:
        try:
            z = ZoneInfo(words.strip())
            return z, words.strip()
        except (ZoneInfoNotFoundError, ValueError):
            return None
    m2 = re.match(r"^(.+?)(?:\s+time|\s*-?\s*tid|\s+local time)$", w)
    if m2 is None:
        m2 = re.match(r"^(?:lokal\s+tid|local\s+time|tid)\s+(?:i|in)\s+(.+)$", w)
    if m2 is not None and city_zone is not None:
        city_tz = city_zone(m2.group(1).strip())
        if city_tz:
            return ZoneInfo(city_tz), city_tz
    return None


_TOKEN = re.compile(r"[^\s,;()]+")


@dataclass
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".,")


def _is_time_word(tok: str, nxt: str | None, prev: str | None = None) -> bool:
    low = tok.lower().rstrip(",")
    bare = low.rstrip(".")
    if TWELVE.match(tok) or DAYPART.match(tok):
        return True
    if _ISO.match(tok.rstrip(".,")) or _CLOCK.match(bare) or _CLOCK.match(low.rstrip(",")):
        return True
    if bare in _months() or _YEAR.match(bare) or bare in ("am", "pm", "a.m", "p.m"):
        return True
    if _DAY.match(low) and any(
        x is not None and x.lower().rstrip(".,") in _months() for x in (nxt, prev)
    ):
        return True
    return bare in _ABBREV or bool(_OFFSET.match(bare) and bare[:1] in "+-−u")


def _has_core(words: list[str]) -> bool:
    for w in words:
        b = w.lower().rstrip(".,")
        if _ISO.match(w.rstrip(".,")) or _CLOCK.match(b) or b in _months() or TWELVE.match(w):
            return True
    return False


def _read_point(
    words: list[str],
    zone: tuple[tzinfo, str] | None,
    shared_date: date | None,
    phrase: str,
) -> tuple[date | None, time | None, tuple[tzinfo, str] | None, int | None]:
    """Date, clock time and zone (if written) of one point of a time phrase, and the marker
    index of a 12-hour clock in words that nothing made am or pm (else None)."""
    day: int | None = None
    month: int | None = None
    year: int | None = None
    the_date: date | None = None
    clock: time | None = None
    own_zone: tuple[tzinfo, str] | None = None
    pm: bool | None = None
    night = False
    twelve: int | None = None
    for w in words:
        raw = w.rstrip(",")
        b = raw.lower().rstrip(".")
        tw = TWELVE.match(raw)
        if tw:
            clock, twelve = time(int(tw[1]) % 12, int(tw[2])), int(tw[3])
            continue
        part = DAYPART.match(raw)
        if part:
            night = part[1] == NIGHT
            pm = None if night else part[1] == PM
            continue
        iso = _ISO.match(raw.rstrip("."))
        if iso:
            y, mo, d, hh, mm, ss, off = iso.groups()
            the_date = date(int(y), int(mo), int(d))
            if hh is not None:
                clock = time(int(hh), int(mm), int(ss or 0))
            if off:
                z = zone_from_words(off if off.upper() != "Z" else "utc")
                if z is not None:
                    own_zone = z
            continue
        c = _CLOCK.match(b) or _CLOCK.match(raw.lower())
        if c:
            hh_i, mm_i = int(c.group(1)), int(c.group(2))
            if hh_i > 24 or mm_i > 59:
                raise TimeParseError("bad_clock", phrase)
            clock = time(hh_i % 24, mm_i, int(c.group(3) or 0))
            if c.group(4):
                own_zone = (UTC, "UTC")
            continue
        if b in ("am", "a.m"):
            pm = False
            continue
        if b in ("pm", "p.m"):
            pm = True
            continue
        if b in _months():
            month = _months()[b]
            continue
        if _YEAR.match(b):
            year = int(b)
            continue
        d = _DAY.match(raw)
        if d:
            day = int(d.group(1))
            continue
        if b in _ABBREV or (_OFFSET.match(b) and b[:1] in "+-−u"):
            own_zone = zone_from_words(b)
            continue
    if clock is None and (pm is not None or night):
        # "in the evening on 6 July" with no clock was read as the whole day, and a landing in
        # the morning "supported" it: a part of the day is not a time span we can judge
        raise TimeParseError("daypart_no_clock", phrase)
    if month is not None:
        if day is None or year is None:
            raise TimeParseError("incomplete_date", phrase)
        try:
            the_date = date(year, month, day)
        except ValueError:
            raise TimeParseError("bad_date", phrase) from None
    if clock is not None and night:
        # "at night" / "om natta": 22:00 for ten, 02:30 for half past two (evening hours from 6)
        pm = clock.hour % 12 >= 6
    if clock is not None and pm is not None:
        h = clock.hour % 12 + (12 if pm else 0)
        clock = clock.replace(hour=h)
        twelve = None
    return the_date or shared_date, clock, own_zone or zone, twelve


def _instant(d: date, c: time | None, z: tuple[tzinfo, str], end_of_day: bool) -> float:
    if c is None:
        c = time(0, 0)
        dt = datetime.combine(d, c, tzinfo=z[0])
        if end_of_day:
            dt = dt + timedelta(days=1) - timedelta(seconds=1)
        return dt.timestamp()
    return datetime.combine(d, c, tzinfo=z[0]).timestamp()


def _zone_tail(
    toks: list[_Tok], j: int, city_zone: CityZone | None, local_zone: str | None = None
) -> tuple[int, str] | None:
    """A zone phrase of up to four words starting at token ``j``: (tokens used, text)."""
    for n in (4, 3, 2, 1):
        if j + n > len(toks):
            continue
        words = " ".join(t.text for t in toks[j : j + n]).rstrip(".,")
        if n == 1 and words.lower() in ("tid", "time"):
            continue
        if zone_from_words(words, city_zone, local_zone) is not None:
            return n, words
    return None


def find_time(
    text: str,
    *,
    default_zone: str | None = None,
    city_zone: CityZone | None = None,
    local_zone: str | None = None,
) -> tuple[TimeSpec | None, str]:
    """The claim's time phrase, read; and the claim text with the phrase removed. A phrase in
    "local time" is read in ``local_zone`` (the zone of the claim's place); without one it
    raises ``TimeParseError("local_zone")``, for the caller to find the place and read again."""
    original = text
    text, said = mark_word_clocks(text)
    text = _BARE_HOUR.sub(lambda m: f"{m[1]}{m[2]}{m[3]}.00", text)
    toks = [_Tok(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    best: tuple[int, int] | None = None
    i = 0
    while i < len(toks):
        j = i
        # lead keywords (one or two words: "fram til", "as of")
        while j < len(toks):
            two = f"{toks[j].low} {toks[j + 1].low}" if j + 1 < len(toks) else ""
            if two in _LEADS:
                j += 2
            elif toks[j].low in _LEADS or toks[j].low in _FILLER:
                j += 1
            else:
                break
        k = j
        while k < len(toks):
            nxt = toks[k + 1].text if k + 1 < len(toks) else None
            prev = toks[k - 1].text if k > 0 else None
            low = toks[k].low
            if _is_time_word(toks[k].text, nxt, prev) or low in _FILLER or low in _RANGE_JOIN:
                k += 1
                continue
            z = _zone_tail(toks, k, city_zone, local_zone)
            if z is not None and k > j:
                k += z[0]
                continue
            break
        # trim trailing filler/joins
        while k > j and (toks[k - 1].low in _FILLER or toks[k - 1].low in _RANGE_JOIN):
            k -= 1
        if k > j and _has_core([t.text for t in toks[j:k]]):
            if best is None or (k - i) > (best[1] - best[0]):
                best = (i, k)
            i = k
        else:
            i += 1
    if best is None:
        return None, original
    i, k = best
    run = toks[i:k]
    phrase = text[run[0].start : run[-1].end]
    rest = (text[: run[0].start] + " " + text[run[-1].end :]).strip()
    rest = re.sub(r"\s+", " ", rest).strip(" ,")
    try:
        spec = _read_phrase(run, phrase, default_zone, city_zone, local_zone)
    except TimeParseError as exc:
        raise TimeParseError(
            exc.key, unmark(exc.phrase, said), _readings(exc, text, said)
        ) from None
    return replace(spec, phrase=unmark(phrase, said)), unmark(rest, said)


def _readings(exc: TimeParseError, marked: str, said: list[str]) -> tuple[str, ...]:
    """For a 12-hour clock with no am/pm: the claim once with each reading in digits."""
    if not exc.key.startswith("twelve_hour"):
        return ()
    out = []
    for add in (0, 12):
        clocks: dict[int, str] = {}
        for m in re.finditer(r"~(\d{2})(\d{2})~(\d+)", exc.phrase):
            clocks[int(m[3])] = f"{int(m[1]) % 12 + add:02d}:{m[2]}"
        out.append(unmark(marked, said, clocks))
    return tuple(out)


def _read_phrase(
    run: list[_Tok],
    phrase: str,
    default_zone: str | None,
    city_zone: CityZone | None,
    local_zone: str | None = None,
) -> TimeSpec:
    kind: TimeKind = "at"
    p = 0
    lead_words: list[str] = []
    while p < len(run):
        two = f"{run[p].low} {run[p + 1].low}" if p + 1 < len(run) else ""
        if two in _LEADS:
            lead_words.append(two)
            p += 2
        elif run[p].low in _LEADS or run[p].low in _FILLER:
            lead_words.append(run[p].low)
            p += 1
        else:
            break
    for w in lead_words:
        if w in _LEADS and _LEADS[w] != "at":
            kind = _LEADS[w]
            break
    body = run[p:]
    # split "A and B" for windows
    parts: list[list[_Tok]] = [[]]
    for t in body:
        if t.low in _RANGE_JOIN and kind in ("between", "since") and parts[-1]:
            parts.append([])
            continue
        parts[-1].append(t)
    if kind == "since" and len(parts) == 2:
        kind = "between"
    if kind == "between" and len(parts) != 2:
        raise TimeParseError("window_needs_two_times", phrase)
    # zone: a zone phrase anywhere in the run (the last one wins)
    zone: tuple[tzinfo, str] | None = None
    words_per_part: list[list[str]] = []
    for part in parts:
        words: list[str] = []
        q = 0
        while q < len(part):
            z = (
                _zone_tail(part, q, city_zone, local_zone)
                if not _is_time_word(part[q].text, None)
                else None
            )
            if z is not None and part[q].low not in _FILLER:
                zone = zone_from_words(z[1], city_zone, local_zone)
                q += z[0]
                continue
            words.append(part[q].text)
            q += 1
        words_per_part.append(words)
    points = [_read_point(w, None, None, phrase) for w in words_per_part]
    dates = [d for d, _, _, _ in points if d is not None]
    zones = [z for _, _, z, _ in points if z is not None]
    ambiguous = [tw for _, _, _, tw in points if tw is not None]
    if ambiguous and (kind != "around" or not dates or len(points) != 1):
        # "half past two" with no am/pm: only an "around" time with a date is judged both ways
        raise TimeParseError("twelve_hour" if dates else "twelve_hour_no_date", phrase)
    zone = zone or (zones[-1] if zones else None)
    if zone is not None and zone[1] == LOCAL:
        raise TimeParseError("local_zone", phrase)  # the caller knows the place: it reads again
    if zone is None and default_zone:
        zone = zone_from_words(default_zone, city_zone) or (ZoneInfo(default_zone), default_zone)
    if not dates:
        raise TimeParseError("no_date", phrase)
    if zone is None:
        raise TimeParseError("no_zone", phrase)
    if kind == "around" and points[0][1] is None:
        kind = "at"  # "around 19 June": the day
    instants: list[float] = []
    for n, (d, c, pz, _tw) in enumerate(points):
        d = d or dates[-1]
        end = kind == "by" or (kind == "between" and n == 1)
        instants.append(_instant(d, c, pz or zone, end))
    if kind == "at" and points[0][1] is None:
        # "on 18 June 2024": the whole day
        d0 = points[0][0] or dates[-1]
        start = _instant(d0, None, points[0][2] or zone, False)
        end_s = _instant(d0, None, points[0][2] or zone, True)
        return TimeSpec("between", end_s, start, zone[1], phrase)
    if kind == "around":
        day, c0, z0, tw = points[0]
        readings = [instants[0]]
        if tw is not None and c0 is not None:
            pm = c0.replace(hour=c0.hour + 12)
            readings.append(_instant(day or dates[-1], pm, z0 or zone, False))
        return TimeSpec(
            "around", max(readings) + AROUND_S, min(readings) - AROUND_S, zone[1], phrase,
            tuple(readings),
        )  # fmt: skip
    if kind == "between":
        a, b = instants
        if b < a:
            raise TimeParseError("window_backwards", phrase)
        return TimeSpec("between", b, a, zone[1], phrase)
    if kind == "since":
        return TimeSpec("since", None, instants[0], zone[1], phrase)
    return TimeSpec(kind, instants[0], None, zone[1], phrase)


def parse_instant(text: str, default_zone: str | None = None) -> float:
    """One instant given on its own (an option such as ``--at``): ISO 8601 or a phrase."""
    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        dt = None
    if dt is not None:
        if dt.tzinfo is None:
            if default_zone is None:
                raise TimeParseError("no_zone", raw)
            dt = dt.replace(tzinfo=ZoneInfo(default_zone))
        return dt.timestamp()
    spec, rest = find_time(raw, default_zone=default_zone)
    if spec is None or spec.at_s is None or rest:
        raise TimeParseError("not_a_time", raw)
    return spec.at_s if spec.kind != "between" or spec.since_s is None else spec.since_s
