"""Reading "around" times and clocks in words (en/nb/nn): a window of 15 minutes either side;
a clock in words is a 12-hour clock, and with no am/pm, no part of the day and no date the
reader asks, with both readings written out (a silent guess shifts a claim by 12 hours)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.verify.claims import ClaimParseError, parse_claim
from flyvakt.verify.messages import explain
from flyvakt.verify.timeparse import AROUND_S, TimeParseError, find_time
from flyvakt.verify.wordclock import mark_word_clocks

REG = load_fleets(example_fleets_path())


def _utc(*a: int) -> float:
    return datetime(*a, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("words", "clock"),
    [
        ("half past two", "0230"), ("a quarter to three", "0245"), ("quarter past ten", "1015"),
        ("twenty to one", "1240"), ("two o'clock", "0200"), ("halv tre", "0230"),
        ("kvart over to", "0215"), ("kvart på tre", "0245"), ("ti på halv tre", "0220"),
        ("fem over halv tre", "0235"), ("klokka tre", "0300"), ("ti over elleve", "1110"),
    ],
)  # fmt: skip
def test_clocks_in_words(words: str, clock: str) -> None:
    marked, said = mark_word_clocks(f"X landed {words} UTC")
    assert marked == f"X landed ~{clock}~0 UTC" and said == [words]


@pytest.mark.parametrize(
    "text", ["from 5 to 7 June 2024", "between 10:00 to 12:00 UTC", "kl. 14.30", "X flew to Oslo"]
)
def test_not_clocks_in_words(text: str) -> None:
    assert mark_word_clocks(text) == (text, [])


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("X landed around half past two in the morning UTC on 19 June 2024",
         _utc(2024, 6, 19, 2, 30)),
        ("X landed at about half past two in the afternoon UTC on 19 June 2024",
         _utc(2024, 6, 19, 14, 30)),
        ("X landed around 2:30 pm UTC on 19 June 2024", _utc(2024, 6, 19, 14, 30)),
        ("X landet rundt halv tre om natta UTC 19. juni 2024", _utc(2024, 6, 19, 2, 30)),
        ("X landa omkring klokka halv tre på ettermiddagen UTC 19. juni 2024",
         _utc(2024, 6, 19, 14, 30)),
        ("X landet cirka kl. 14.30 UTC 19. juni 2024", _utc(2024, 6, 19, 14, 30)),
        ("X landed at about 02:30 UTC on 19 June 2024", _utc(2024, 6, 19, 2, 30)),
    ],
)  # fmt: skip
def test_around_is_a_window_either_side(text: str, centre: float) -> None:
    spec, rest = find_time(text)
    assert spec is not None and spec.kind == "around" and spec.readings == (centre,)
    assert spec.since_s == centre - AROUND_S and spec.at_s == centre + AROUND_S
    assert rest.split()[0] == "X" and "~" not in rest and "~" not in spec.phrase


def test_half_past_two_with_a_date_keeps_both_readings() -> None:
    spec, rest = find_time("X landed around half past two, UTC, on 19 June 2024")
    assert spec is not None and rest == "X landed"
    assert spec.readings == (_utc(2024, 6, 19, 2, 30), _utc(2024, 6, 19, 14, 30))
    assert spec.phrase == "around half past two, UTC, on 19 June 2024"


def test_a_digit_clock_stays_24_hour() -> None:
    spec, _ = find_time("X landed by 2:30 UTC on 19 June 2024")
    assert spec is not None and spec.kind == "by" and spec.at_s == _utc(2024, 6, 19, 2, 30)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("X landed around half past two UTC", "twelve_hour_no_date"),
        ("X landed by half past two UTC on 19 June 2024", "twelve_hour"),  # "by" either way: ask
        ("X landet før halv tre UTC 19. juni 2024", "twelve_hour"),
    ],
)
def test_twelve_hour_without_am_pm_asks(text: str, key: str) -> None:
    with pytest.raises(TimeParseError) as exc:
        find_time(text)
    assert exc.value.key == key
    assert [r.count(":") for r in exc.value.readings] == [1, 1]
    assert "02:30" in exc.value.readings[0] and "14:30" in exc.value.readings[1]


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "“around half past two local time” has no date and is a 12-hour time with no am "
               "or pm: it could be 02:30 or 14:30 on any day. Did you mean: “RA-96025 landed in "
               "Pyongyang around 02:30 local time on [date]” or “RA-96025 landed in Pyongyang "
               "around 14:30 local time on [date]”?"),
        ("nb", "det kan være 02.30 eller 14.30 hvilken som helst dag. Mente du: «RA-96025 landed "
               "in Pyongyang around kl. 02.30 local time [dato]»"),
        ("nn", "det kan vere 02.30 eller 14.30 kva dag som helst. Meinte du:"),
    ],
)  # fmt: skip
def test_the_question_in_three_languages(lang: str, says: str) -> None:
    with pytest.raises(ClaimParseError) as exc:
        parse_claim("RA-96025 landed in Pyongyang around half past two local time", REG)
    assert exc.value.key == "time_twelve_hour_no_date"
    assert says in explain(exc.value, lang, REG)


def test_the_claim_carries_its_readings() -> None:
    claim = parse_claim(
        "RA-96025 landed in Pyongyang around half past two local time on 19 June 2024", REG
    )
    # Pyongyang is UTC+9: 02:30 on 19 June is 17:30 UTC on 18 June
    assert claim.around_s == (_utc(2024, 6, 18, 17, 30), _utc(2024, 6, 19, 5, 30))
    assert claim.to_json()["around"] == ["2024-06-18T17:30:00Z", "2024-06-19T05:30:00Z"]
    plain = parse_claim("RA-96025 landed in Pyongyang by 02:30 local time on 19 June 2024", REG)
    assert plain.around_s == () and "around" not in plain.to_json()
