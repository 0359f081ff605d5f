"""The verify and timeline sub-commands, in-process on the bundled real AFR34ZG recording."""

from __future__ import annotations

import argparse
import json

import pytest

from flyvakt.cli import timeline, verify


def run(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers()
    verify.register(sub)
    timeline.register(sub)
    args = p.parse_args(argv)
    rc: int = args.func(args)
    return rc


def test_verify_json_contradicted(capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(["verify", "--icao24", "393322", "--landed-in", "Spain", "--at", "2024-07-06T08:10Z",
              "--json"])  # fmt: skip
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "contradicted"
    assert out["claim"]["object"] == "ES"
    assert out["data_through"] == "2024-07-06T08:02:47Z"


def test_verify_free_text_fleet_without_data(capsys: pytest.CaptureFixture[str]) -> None:
    # The bundled fleet ru-gov has no aircraft in the AFR34ZG recording: unverifiable, not false.
    rc = run(["verify", "--claim", "Putin har landa i Nord-Korea", "--at", "2024-07-06T08:10Z",
              "--lang", "nn"])  # fmt: skip
    assert rc == 0
    out = capsys.readouterr().out
    assert out.startswith("Kan ikkje avgjerast:")
    assert "nokon av dei" in out


def test_verify_bad_claim_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(["verify", "--claim", "Putin likes North Korea", "--at", "2024-07-06T08:10Z"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "cannot tell what the claim says happened" in err
    # the proposed rewrite keeps what was understood and is itself a claim flyvakt reads
    assert "Did you mean: “Putin landed in North Korea by 6 July 2024 08:10 UTC”?" in err


def test_timeline_nb(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["timeline", "--lang", "nb", "--tz", "Europe/Oslo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Lørdag 6. juli 2024"
    assert "lettet fra Paris" in lines[1] and "landet i Toulouse" in lines[2]


def test_timeline_fleet_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["timeline", "--fleet", "ru-gov"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("lang", "claim", "landed", "ground"),
    [
        ("nb", "AFR34ZG landet på LFBO", "landet i Toulouse (LFBO), Frankrike",
         "på bakken i Toulouse (LFBO), Frankrike"),
        ("nn", "AFR34ZG landa på LFBO", "landa i Toulouse (LFBO), Frankrike",
         "på bakken i Toulouse (LFBO), Frankrike"),
        ("en", "AFR34ZG landed at LFBO", "landed at Toulouse (LFBO), France",
         "on the ground at Toulouse (LFBO), France"),
    ],
)  # fmt: skip
def test_a_verdict_lands_in_a_city_as_the_bulletins_do(
    capsys: pytest.CaptureFixture[str], lang: str, claim: str, landed: str, ground: str
) -> None:
    # The place is the airport's city ("Toulouse (LFBO)"): Norwegian lands *in* a city ("landa
    # i Toulouse", as the timeline says), not *on* it ("landa på Toulouse", the verdict said).
    assert run(["verify", "--claim", claim, "--at", "2024-07-06T08:10Z", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert landed in out and ground in out, out
