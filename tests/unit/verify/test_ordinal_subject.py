"""Reading "the last plane of <fleet>" / "det siste flyet (i flåten)" as a fleet subject with
an ordinal (verify/subjects.py::split_ordinal, verify/claims.py::parse_claim)."""

from __future__ import annotations

import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.verify import ClaimParseError, parse_claim
from flyvakt.verify.claims import ClaimContext
from flyvakt.verify.subjects import SubjectContext, split_ordinal

REG = load_fleets(example_fleets_path())
WHEN = "by 2024-06-18T18:00Z"


@pytest.mark.parametrize(
    ("text", "ordinal", "rest"),
    [
        ("the last plane of ru-gov", "last", "ru-gov"),
        ("the last aircraft of ru-gov", "last", "ru-gov"),
        ("the last of the fleet", "last", "the fleet"),
        ("the last plane", "last", "the fleet"),
        ("The first aircraft in ru-gov", "first", "ru-gov"),
        ("ru-gov's last plane", "last", "ru-gov"),
        ("det siste flyet i flåten", "last", "the fleet"),
        ("det siste flyet til ru-gov", "last", "ru-gov"),
        ("det første flyet", "first", "the fleet"),
        ("det fyrste flyet til ru-gov", "first", "ru-gov"),
        ("det siste av flya til ru-gov", "last", "ru-gov"),
        ("det siste flyet i flåten til Putin", "last", "Putin"),
        ("the last plane of the fleet of Putin", "last", "Putin"),
        ("the last plane of Putin's fleet", "last", "Putin"),  # the demo's claim in English
        ("the first aircraft of ru-gov’s planes", "first", "ru-gov"),
        ("ru-gov", None, "ru-gov"),
        ("RA-96017", None, "RA-96017"),
    ],
)  # fmt: skip
def test_split_ordinal(text: str, ordinal: str | None, rest: str) -> None:
    assert split_ordinal(text) == (ordinal, rest)


@pytest.mark.parametrize(
    ("text", "ordinal"),
    [
        (f"the last plane of ru-gov landed in Pyongyang {WHEN}", "last"),
        (f"the first aircraft of ru-gov landed in Pyongyang {WHEN}", "first"),
        (f"det siste flyet til ru-gov har landet i Pyongyang {WHEN}", "last"),
        (f"det første flyet til ru-gov har landa i Pyongyang {WHEN}", "first"),
        (f"ru-gov landed in Pyongyang {WHEN}", None),
    ],
)
def test_parse_claim_reads_the_ordinal(text: str, ordinal: str | None) -> None:
    claim = parse_claim(text, REG)
    assert (claim.subject_kind, claim.subject, claim.ordinal) == ("fleet", "ru-gov", ordinal)
    assert claim.to_json().get("ordinal") == ordinal


def test_the_last_plane_with_no_fleet_takes_the_option_or_asks() -> None:
    with pytest.raises(ClaimParseError) as err:
        parse_claim(f"the last plane landed in Pyongyang {WHEN}", REG)
    assert err.value.key == "subject_needs_option"
    ctx = ClaimContext(subjects=SubjectContext(REG, given=("fleet", "ru-gov")))
    claim = parse_claim(f"det siste flyet i flåten landet i Pyongyang {WHEN}", REG, ctx=ctx)
    assert (claim.subject, claim.ordinal) == ("ru-gov", "last")


def test_the_last_plane_of_an_aircraft_is_not_a_subject() -> None:
    with pytest.raises(ClaimParseError) as err:
        parse_claim(f"the last plane of RA-96017 landed in Pyongyang {WHEN}", REG)
    assert err.value.key == "unknown_subject"
