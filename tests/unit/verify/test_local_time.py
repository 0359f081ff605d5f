"""Claims in "local time" with no zone named: the newsroom's own wording ("the last plane landed
in Pyongyang around half past two, local time"). The time is the local time of the claim's
place; a place with no single zone is an error that asks for one, never a guess."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.verify.claims import ClaimParseError, parse_claim
from flyvakt.verify.messages import explain
from flyvakt.verify.places import city_zone
from flyvakt.verify.timeparse import TimeParseError, find_time

REG = load_fleets(example_fleets_path())
# 02:30 in Pyongyang (UTC+9, no summer time) on 19 June 2024 = 17:30 UTC on 18 June.
PYONGYANG_0230 = datetime(2024, 6, 18, 17, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "text",
    [
        "RA-96017 had landed in Pyongyang by 02:30 local time on 19 June 2024",
        "RA-96017 had landed in North Korea by 02:30 local time on 19 June 2024",
        "RA-96017 had landed at ZKPY by 2:30 local on 19 June 2024",
        "RA-96017 har landet i Pyongyang innen kl. 02.30 lokal tid 19. juni 2024",
        "RA-96017 har landa i Nord-Korea innan 19. juni 2024 kl. 02.30 lokal tid",
    ],
)
def test_local_time_is_the_places_zone(text: str) -> None:
    claim = parse_claim(text, REG)
    assert claim.at_s == PYONGYANG_0230
    assert claim.zone == "Asia/Pyongyang"


def test_local_time_of_an_airport_in_another_zone() -> None:
    # KSTS (Santa Rosa, California): 17:40 PDT on 7 September 2020 = 00:40 UTC on 8 September.
    claim = parse_claim("a54127 had landed at KSTS by 17:40 local time on 7 September 2020", REG)
    assert claim.at_s == datetime(2020, 9, 8, 0, 40, tzinfo=UTC).timestamp()
    assert claim.zone == "America/Los_Angeles"


def test_a_named_zone_still_wins_and_local_time_is_not_read_as_the_readers() -> None:
    named = parse_claim("RA-96017 had landed in Pyongyang by 02:30 UTC on 19 June 2024", REG)
    assert named.at_s == datetime(2024, 6, 19, 2, 30, tzinfo=UTC).timestamp()
    # The reader's zone (--tz) is for times with no zone at all: "local time" is the place's.
    from flyvakt.verify.claims import ClaimContext

    ctx = ClaimContext(default_zone="Europe/Oslo")
    local = parse_claim(
        "RA-96017 had landed in Pyongyang by 02:30 local time on 19 June 2024", REG, ctx=ctx
    )
    assert local.at_s == PYONGYANG_0230


def test_a_country_with_several_zones_asks_for_one() -> None:
    with pytest.raises(ClaimParseError) as exc:
        parse_claim("RA-96017 had landed in Russia by 02:30 local time on 19 June 2024", REG)
    assert exc.value.key == "time_local_zone"
    for lang in ("en", "nb", "nn"):
        text = explain(exc.value, lang, REG)
        assert "02:30 local time on 19 June 2024" in text and "+09:00" in text


def test_the_time_reader_alone_says_it_needs_the_place() -> None:
    with pytest.raises(TimeParseError) as exc:
        find_time("X landed in Pyongyang by 02:30 local time on 19 June 2024", city_zone=city_zone)
    assert exc.value.key == "local_zone"
    spec, rest = find_time(
        "X landed in Pyongyang by 02:30 local time on 19 June 2024",
        city_zone=city_zone,
        local_zone="Asia/Pyongyang",
    )
    assert spec is not None and spec.at_s == PYONGYANG_0230 and rest == "X landed in Pyongyang"
