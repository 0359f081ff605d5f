"""scripts/firing_rate.py: every detector reason is filed under a rule, and the hand-judged
sample of rare-rule fires (tests/data/real-ga/firing_sample.csv) is well formed."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent.parent


def _firing() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flyvakt_firing", ROOT / "scripts/firing_rate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["flyvakt_firing"] = mod
    spec.loader.exec_module(mod)
    return mod


FR = _firing()


def test_every_phase_event_on_a_real_recording_is_filed_under_a_rule() -> None:
    # The Monterey Bay cuts and the CAL FIRE sample exercise nearly every rule. Only data in the
    # repository (tests/data): CI clones the repository alone, without ../shared/data.
    cuts = sorted((ROOT / "tests/data/real-ga").glob("mry0601_*.csv.gz"))
    assert len(cuts) >= 8
    fires = [f for c in cuts for f in FR.fires_of(f"tests:real-ga/{c.name}")]
    fires += FR.fires_of("tests:traffic/calfire.json.gz")
    assert len(fires) > 100
    others = [(f.kind, f.reason) for f in fires if f.rule.startswith("other")]
    assert others == []
    rules = {f.rule for f in fires}
    assert {"gap: final then climb", "end/lost on approach, not short final"} <= rules
    assert "observed flip" in rules


def test_interval_lift_off_is_split_by_the_interval_length() -> None:
    ev = {
        "type": "landing",
        "reason": "300 ft above KWVI 1.0 NM away before a 38 s interval without fixes, over its "
        "runway at its level after it and then climbing at 60 kt: it landed there",
        "details": {"gap": {"start": "2025-12-13T00:00:00Z", "end": "2025-12-13T00:00:38Z"}},
    }
    assert FR.rule_of(ev) == "short: interval lift-off"
    ev["details"]["gap"]["end"] = "2025-12-13T00:02:00Z"
    assert FR.rule_of(ev) == "interval lift-off"


def test_the_judged_sample_is_well_formed() -> None:
    with open(FR.SAMPLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 30
    for r in rows:
        assert r["rule"] in FR.SAMPLED_RULES, r
        assert r["verdict"] in ("correct", "wrong", "unsupported", "unclear"), r
        assert r["truth_note"] and r["airport"], r
        assert r["recording"] in FR.RECORDINGS, r
    # at most PER_RULE per rule, as drawn
    for rule in FR.SAMPLED_RULES:
        assert sum(1 for r in rows if r["rule"] == rule) <= FR.PER_RULE


def test_wilson_interval() -> None:
    lo, hi = FR.wilson(0, 6)
    assert lo == 0.0 and 0.38 < hi < 0.40  # 0/6: 0-39 %
    lo, hi = FR.wilson(5, 5)
    assert 0.56 < lo < 0.58 and hi == 1.0  # 5/5: 57-100 %
