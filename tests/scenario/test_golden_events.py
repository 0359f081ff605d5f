"""Events on the real recordings: accuracy against the ground truth, and golden files.

Regenerate after an intended change with:  python scripts/accuracy.py --write
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REGEN = "python scripts/accuracy.py --write"


def _accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flyvakt_accuracy", ROOT / "scripts/accuracy.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["flyvakt_accuracy"] = mod
    spec.loader.exec_module(mod)
    return mod


ACC = _accuracy()
RESULTS = {name: ACC.run_case(name) for name in ACC.CASES}


@pytest.mark.parametrize("name", list(ACC.CASES))
def test_expected_events(name: str) -> None:
    events = RESULTS[name]
    for ex in ACC.CASES[name][1]:
        verdict = ACC.judge(events, ex)
        want = "ok-none" if ex.airport is None else "found"
        assert verdict == want, f"{name}: {ex}: {verdict}"


@pytest.mark.parametrize("name", list(ACC.CASES))
def test_golden_event_file(name: str) -> None:
    path = ACC.GOLDEN / f"{name}.events.jsonl"
    assert path.exists(), f"missing {path}; run: {REGEN}"
    got = ACC.golden_text(RESULTS[name])
    assert got == path.read_text(encoding="utf-8"), (
        f"events of {name} changed; if intended, regenerate with: {REGEN}"
    )


def test_accuracy_doc_is_current() -> None:
    text = ACC.DOC_HEAD + ACC.table(RESULTS) + "\n"
    assert ACC.DOC.read_text(encoding="utf-8") == text, f"docs/accuracy.md is stale; run: {REGEN}"


def test_every_event_has_the_record_fields() -> None:
    keys = {
        "type",
        "icao24",
        "callsign",
        "time",
        "airport",
        "country",
        "basis",
        "confidence",
        "reason",
        "candidates",
        "lat",
        "lon",
        "altitude_baro_ft",
        "local_time",
        "fleet",
    }
    for events in RESULTS.values():
        for e in events:
            assert keys <= set(e), e
            assert e["basis"] in ("observed", "inferred", "possible")
            assert e["local_time"] and e["time"].endswith("Z")
            if e["airport"]:
                assert set(e["airport"]) >= {"icao", "iata", "name", "country", "tz"}
