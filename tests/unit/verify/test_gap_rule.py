"""The gap rule of verify (issue 9), on real tracks cut from real-ga, and the "inferred, not
observed" wording in all three languages wherever a verdict or an event is shown.

Cuts: ``tests/data/real-ga/`` (adsb.lol, ODbL 1.0; provenance in its README.md).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from flyvakt.i18n.bulletins import bulletin
from flyvakt.runtime.replay import ReplayResult, replay_files
from flyvakt.verify import Claim, evidence_from_replay, verify

ROOT = Path(__file__).resolve().parents[3]
REAL_GA = ROOT / "tests" / "data" / "real-ga"
NOT_OBSERVED = {"en": "not observed", "nb": "ikke observert", "nn": "ikkje observert"}


@cache
def run(cut: str) -> ReplayResult:
    return replay_files([str(REAL_GA / cut)])


def judge(cut: str, icao24: str, predicate: str, place: str, iso: str, lang: str) -> Any:
    r = run(cut)
    at = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    claim = Claim("aircraft", icao24, predicate, place, at)  # type: ignore[arg-type]
    return verify(claim, evidence_from_replay([icao24], r.events, r.positions), lang=lang)


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_claim_inside_a_gap_without_evidence_on_both_sides_is_unverifiable(lang: str) -> None:
    """ab46a7 is on KMRY's surface at 19:03:35, then 23 min of nothing, then at 4,950 ft 12 NM
    away: it took off from KMRY inside the gap (inferred, time estimated). Whether it had left
    by 19:20 nobody saw: unverifiable, naming the gap. Without the rule: "supported", from the
    estimated takeoff time."""
    v = judge("mry0601_ab46a7.csv.gz", "ab46a7", "departed_from", "KMRY", "2025-06-01T19:20Z", lang)
    out = v.to_json()
    assert out["verdict"] == "unverifiable", out["summary"]
    gaps = out["evidence"]["coverage_gaps"]
    assert len(gaps) == 1
    assert gaps[0]["start"] == "2025-06-01T19:03:35Z"
    assert gaps[0]["end"] == "2025-06-01T19:26:21Z"
    assert gaps[0]["duration_s"] == 1366
    assert "19" in out["summary"] and ("03" in out["summary"] and "26" in out["summary"])
    assert NOT_OBSERVED[lang] in out["summary"]


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_after_the_gap_the_inferred_takeoff_supports_and_says_so(lang: str) -> None:
    v = judge("mry0601_ab46a7.csv.gz", "ab46a7", "departed_from", "KMRY", "2025-06-01T19:30Z", lang)
    out = v.to_json()
    assert out["verdict"] == "supported" and out["basis"] == "inferred"
    assert NOT_OBSERVED[lang] in out["summary"], out["summary"]


def test_gap_with_evidence_on_both_sides_stays_inferred_supported() -> None:
    """aa34f1: 575 ft 1.9 NM from KSNS descending when a 9-min gap starts, on KSNS's surface
    when it ends: the landing inside the gap is named on evidence from both sides."""
    v = judge("mry0601_aa34f1.csv.gz", "aa34f1", "landed_at", "KSNS", "2025-06-01T19:00Z", "en")
    out = v.to_json()
    assert out["verdict"] == "supported" and out["basis"] == "inferred", out["summary"]


def test_inferred_not_observed_in_cli_web_and_bulletins() -> None:
    """The three places a verdict or event reaches a reader say "inferred, not observed" in en,
    nb and nn: the verdict sentence (CLI and API), the web app's badge words, the bulletins."""
    from flyvakt.verify.summary import _T

    for lang, words in NOT_OBSERVED.items():
        assert words in _T[lang]["inferred"] and words in _T[lang]["inferred_takeoff"]
    web = (ROOT / "src" / "flyvakt" / "serve" / "static" / "i18n.js").read_text(encoding="utf-8")
    web_words = {"en": "inferred", "nb": "utledet", "nn": "utleidd"}
    for lang, words in NOT_OBSERVED.items():
        assert f'inferred: "{web_words[lang]}, {words}' in web
    inferred = [e for e in run("mry0601_ab46a7.csv.gz").events if e.basis == "inferred"]
    assert inferred
    for lang, words in NOT_OBSERVED.items():
        assert words in bulletin(inferred[0], lang), bulletin(inferred[0], lang)
