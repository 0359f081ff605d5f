"""Bulletins of events detected on real recordings, read as a journalist reads them.

Real data: real-ga cuts of Watsonville, 2025-12-13 (adsb.lol, ODbL; tests/data/PROVENANCE.md).
Session 10 read every bulletin of every real-ga cut aloud; what read wrong is pinned here:
touch-and-goes had no sentence of their own ("N28BR (A2CBCB): touch and go around ...") and an
inferred one did not say it was inferred; the detector's reasons, quoted in the English note,
said "-38 ft above KWVI", "(-88 ft from KWVI's ground level", "0.0 NM away", "a 8 min gap".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flyvakt.i18n.bulletins import bulletin
from flyvakt.model import Event
from flyvakt.runtime.replay import replay_files

REAL_GA = Path(__file__).resolve().parents[2] / "data" / "real-ga"
CUTS = ("kwvi1213_a2cbcb", "kwvi1213_a32bf6", "kwvi1213_a3688d", "kwvi1213_a0cd27")


@pytest.fixture(scope="module")
def events() -> list[Event]:
    out: list[Event] = []
    for cut in CUTS:
        out.extend(replay_files([str(REAL_GA / f"{cut}.csv.gz")], keep_positions=False).events)
    return out


HEDGE = {
    "en": ("appears to have touched down in Watsonville", "inferred, not observed"),
    "nb": ("ser ut til å ha tatt bakken i Watsonville", "utledet, ikke observert"),
    "nn": ("ser ut til å ha teke bakken i Watsonville", "utleidd, ikkje observert"),
}
SAID = {
    "en": "touched down in Watsonville and took off again without stopping",
    "nb": "tok bakken i Watsonville og lettet igjen uten å stoppe",
    "nn": "tok bakken i Watsonville og letta igjen utan å stoppe",
}


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_touch_and_go_has_its_sentence_and_an_inferred_one_says_so(
    events: list[Event], lang: str
) -> None:
    tgs = [e for e in events if e.type == "touch_and_go"]
    observed = [e for e in tgs if e.basis == "observed"]
    inferred = [e for e in tgs if e.basis == "inferred"]
    assert observed and inferred, [(e.icao24, e.basis) for e in tgs]
    for e in observed:
        text = bulletin(e, lang, "UTC")
        assert SAID[lang] in text and "touch and go" not in text, text
    hedge, said = HEDGE[lang]
    for e in inferred:
        text = bulletin(e, lang, "UTC")
        assert hedge in text and said in text, text
        assert SAID[lang] not in text, text  # never the observed wording


def test_quoted_reasons_read_as_english(events: list[Event]) -> None:
    texts = [bulletin(e, "en", "UTC") for e in events if e.basis == "inferred"]
    joined = "\n".join(texts)
    assert "before an 8 min coverage gap" in joined
    assert "first seen 38 ft below KWVI (±600 ft)" in joined
    assert "(88 ft below KWVI's ground level" in joined
    assert "less than 0.1 NM away" in joined
    for wrong in (" a 8 ", "-38 ft above", "(-88 ft from", "0.0 NM away"):
        assert wrong not in joined, wrong
    # the record keeps the detector's own words: only the sentence is rewritten
    assert any("-38 ft above KWVI" in e.reason for e in events)


def test_a_flip_on_the_last_fix_is_not_said_as_seen() -> None:
    """calfire (traffic, MIT; tests/data/PROVENANCE.md): N345WN has one fix on the ground near
    KVUO, an inferred landing (no airport named) whose reason says "seen airborne, then on the
    ground". After "inferred, not observed" the sentence says it rests on one position."""
    res = replay_files([str(REAL_GA.parent / "traffic" / "calfire.json.gz")], keep_positions=False)
    (kvuo,) = [
        e for e in res.events
        if e.type == "landing" and e.icao24 == "a3d1e2" and e.basis == "inferred"
        and e.reason.startswith("seen airborne")
    ]  # fmt: skip
    assert kvuo.airport is None
    text = bulletin(kvuo, "en", "UTC")
    assert "appears to have landed around" in text, text
    assert "not observed directly: airborne, then on the ground (32 kt at KVUO's ground level), " \
        "on one position only, so not confirmed." in text, text  # fmt: skip
    assert "seen airborne" not in text and "last fix of the data" not in text
