"""Clock times said in words, en/nb/nn: "half past two", "a quarter to three", "two o'clock",
"2 pm", "halv tre", "kvart over to", "ti på halv tre", "klokka tre", and the parts of the day
that settle am/pm ("in the morning", "in the afternoon", "at night", "om natta", "om morgonen",
"på ettermiddagen", "om kvelden").

A clock in words is a 12-hour clock: "halv tre" (half before three) is 02:30 or 14:30. So that
the time reader can treat these like any other time word, :func:`mark_word_clocks` replaces
each with one token: ``~HHMM~i`` (HH the hour as said, 1..12) or ``~am~i`` / ``~pm~i`` /
``~night~i``; ``i`` indexes the original words, which :func:`unmark` puts back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

AM, PM, NIGHT = "am", "pm", "night"
# A marked 12-hour clock: hour as said (1..12), minutes.
TWELVE = re.compile(r"^~(\d{2})(\d{2})~(\d+)$")
DAYPART = re.compile(r"^~(am|pm|night)~(\d+)$")
_ANY_MARK = re.compile(r"~(?:\d{4}|am|pm|night)~(\d+)")

_HOURS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "ett": 1, "eitt": 1, "ein": 1, "en": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5,
    "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12,
}  # fmt: skip
_MINUTES: dict[str, int] = {
    "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25, "fem": 5, "ti": 10, "tjue": 20,
    "tjuefem": 25,
}  # fmt: skip
_EN_H = r"(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|1[0-2]|0?[1-9])"
_NO_H = r"(ett|eitt|ein|en|én|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv)"
# Minutes in words only ("twenty to three"), or digits with "minutes": "from 5 to 7 June" and
# "10:00 to 12:00" are not clocks.
_EN_N = r"(five|ten|twenty-five|twenty|\d{1,2}(?=\s+minutes))"
_NO_N = r"(fem|ti|tjuefem|tjue)"

# Words after which a bare number is a clock hour (one fixed-width look-behind each, as Python's
# ``re`` needs): en "at/by/before/after/around/about/until/till/since", nb/nn "før/innen/innan/
# etter/rundt/omkring/sidan/siden". Not "and"/"og", "to"/"til": in "between 7 and 9 in the
# morning" the part of the day may belong to both hours; that stays a question, not a guess.
_TIME_WORDS = (
    "at", "by", "before", "after", "around", "about", "until", "till", "since", "før", "innen",
    "innan", "etter", "rundt", "omkring", "sidan", "siden",
)  # fmt: skip
_AFTER_TIME_WORD = "(?:" + "|".join(rf"(?<=\b{w}\s)" for w in _TIME_WORDS) + ")"


def _h(word: str) -> int:
    return int(word) if word.isdigit() else _HOURS[word.lower()]


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _MINUTES[word.lower()]


def _before(hour: int, minutes: int) -> tuple[int, int]:
    """``minutes`` before ``hour`` o'clock, on a 12-hour dial (a quarter to one → 12:45)."""
    h = hour - 1 if hour > 1 else 12
    return h, 60 - minutes


# (pattern, its clock from the match): longest forms first, so "ti på halv tre" is one clock.
_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int]]]] = [
    (re.compile(_NO_N + r"\s+(på|over)\s+halv\s+" + _NO_H + r"\b", re.I),
     lambda m: _before(_h(m[3]), 30 + (_n(m[1]) if m[2].lower() == "på" else -_n(m[1])))),
    (re.compile(r"\bhalv\s+" + _NO_H + r"\b", re.I), lambda m: _before(_h(m[1]), 30)),
    (re.compile(r"\bkvart\s+over\s+" + _NO_H + r"\b", re.I), lambda m: (_h(m[1]), 15)),
    (re.compile(r"\bkvart\s+på\s+" + _NO_H + r"\b", re.I), lambda m: _before(_h(m[1]), 15)),
    (re.compile(r"\b" + _NO_N + r"\s+over\s+" + _NO_H + r"\b", re.I),
     lambda m: (_h(m[2]), _n(m[1]))),
    (re.compile(r"\b" + _NO_N + r"\s+på\s+" + _NO_H + r"\b", re.I),
     lambda m: _before(_h(m[2]), _n(m[1]))),
    (re.compile(r"\b(?:klokka|klokken|kl\.?)\s+" + _NO_H + r"\b(?![.:]\d)", re.I),
     lambda m: (_h(m[1]), 0)),
    (re.compile(r"\bhalf\s+(?:past|after)\s+" + _EN_H + r"\b", re.I), lambda m: (_h(m[1]), 30)),
    (re.compile(r"\b(?:a\s+)?quarter\s+(?:past|after)\s+" + _EN_H + r"\b", re.I),
     lambda m: (_h(m[1]), 15)),
    (re.compile(r"\b(?:a\s+)?quarter\s+(?:to|before)\s+" + _EN_H + r"\b", re.I),
     lambda m: _before(_h(m[1]), 15)),
    (re.compile(r"\b" + _EN_N + r"(?:\s+minutes)?\s+(?:past|after)\s+" + _EN_H + r"\b", re.I),
     lambda m: (_h(m[2]), _n(m[1]))),
    (re.compile(r"\b" + _EN_N + r"(?:\s+minutes)?\s+(?:to|before)\s+" + _EN_H + r"\b", re.I),
     lambda m: _before(_h(m[2]), _n(m[1]))),
    (re.compile(r"\b" + _EN_H + r"\s*o['’]clock", re.I), lambda m: (_h(m[1]), 0)),
    (re.compile(r"\b" + _EN_H + r"(?=\s*(?:am|pm|a\.m\.|p\.m\.)(?:\W|$))", re.I),
     lambda m: (_h(m[1]), 0)),
    # "åtte om morgenen", "ti om kvelden", "eitt om natta" (not "en"/"ein": "en om morgenen"
    # is too often not a clock)
    (re.compile(r"(?<!\w)(ett|eitt|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv)"
                r"(?=\s+(?:om|på|i)\s+(?:morgenen|morgonen|formiddagen|ettermiddagen|kvelden|"
                r"natta|natten)\b)", re.I),
     lambda m: (_h(m[1]), 0)),
    # "eight in the morning", "ten at night": an hour in words before the part of the day
    # (digits are left alone: "July 6 in the evening" is a date)
    (re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                r"(?=\s+(?:in\s+the\s+(?:morning|afternoon|evening|early\s+hours)|at\s+night)\b)",
                re.I),
     lambda m: (_h(m[1]), 0)),
    # "by 8 in the morning", "før 8 om morgonen": an hour in digits before the part of the day
    # only right after a word that puts a time there, so "July 6 in the evening" stays a date.
    (re.compile(_AFTER_TIME_WORD + r"(1[0-2]|0?[1-9])"
                r"(?=\s+(?:in\s+the\s+(?:morning|afternoon|evening|early\s+hours)|at\s+night|"
                r"(?:om|på|i)\s+(?:morgenen|morgonen|formiddagen|ettermiddagen|kvelden|natta|"
                r"natten)\b))", re.I),
     lambda m: (_h(m[1]), 0)),
]  # fmt: skip
_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bin\s+the\s+(?:morning|early\s+hours)\b", re.I), AM),
    (re.compile(r"\bin\s+the\s+(?:afternoon|evening)\b", re.I), PM),
    (re.compile(r"\b(?:at\s+night|overnight)\b", re.I), NIGHT),
    (re.compile(r"(?<!\w)(?:om|på|i)\s+(?:morgenen|morgonen|formiddagen|morgon|morges)\b",
                re.I), AM),
    (re.compile(r"(?<!\w)(?:om|på|i)\s+(?:ettermiddagen|kvelden|kvelds|ettermiddag)\b", re.I), PM),
    (re.compile(r"(?<!\w)(?:om\s+natta|om\s+natten|i\s+natt|på\s+natta|på\s+natten)\b", re.I),
     NIGHT),
]  # fmt: skip


def mark_word_clocks(text: str) -> tuple[str, list[str]]:
    """``text`` with each clock in words and each part of the day replaced by one marker token,
    and the original words, indexed by the markers."""
    originals: list[str] = []

    def put(token: str, words: str) -> str:
        originals.append(words)
        return f"~{token}~{len(originals) - 1}"

    for pattern, clock in _FORMS:

        def sub(m: re.Match[str], clock: Callable[[re.Match[str]], tuple[int, int]] = clock) -> str:
            h, mm = clock(m)
            if not (1 <= h <= 12 and 0 <= mm <= 59):
                return m.group(0)
            return put(f"{h:02d}{mm:02d}", m.group(0))

        text = pattern.sub(sub, text)
    for pattern, part in _PARTS:

        def sub_part(m: re.Match[str], part: str = part) -> str:
            return put(part, m.group(0))

        text = pattern.sub(sub_part, text)
    return text, originals


def unmark(text: str, originals: list[str], clock: dict[int, str] | None = None) -> str:
    """The original words back (or, for the markers in ``clock``, the clock given there)."""
    clock = clock or {}
    return _ANY_MARK.sub(lambda m: clock.get(int(m[1]), originals[int(m[1])]), text)
