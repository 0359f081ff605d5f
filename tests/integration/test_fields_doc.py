"""docs/fields.md documents every key of the event and verdict records, and nothing else
(real data: the bundled AFR34ZG recording, replayed; a claim about it verified)."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

import flyvakt.api as api
from flyvakt.model.events import EventType

DOC = (Path(__file__).resolve().parents[2] / "docs/fields.md").read_text(encoding="utf-8")


def keys(section: str) -> set[str]:
    """The backticked first column of the table under the heading ``section``."""
    body = DOC.split(f"\n{section}\n", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([a-z_0-9]+)` \|", body, flags=re.M))


@pytest.fixture(scope="module")
def replay() -> api.Replay:
    return api.replay(api.sample_path())


def test_event_keys(replay: api.Replay) -> None:
    seen = {k for e in replay.events for k in e.to_json()}
    assert seen, "the recording gave no events to check against"
    documented = keys("## Event")
    assert seen <= documented, f"undocumented event keys: {seen - documented}"
    assert documented - seen <= {"details"}, f"documented but never written: {documented - seen}"


def test_event_types() -> None:
    assert keys("### Event types") == set(typing.get_args(EventType))


def test_verdict_keys(replay: api.Replay) -> None:
    v = api.verify("AFR34ZG has landed in France by 2024-07-06T12:00Z", replay).to_json()
    assert v["verdict"] == "supported"
    assert set(v) == keys("## Verdict")
    # ordinal: "the last plane of" a fleet only; landings: a fleet's landings only
    assert set(v["claim"]) | {"ordinal"} == keys("### Verdict `claim`")
    assert set(v["evidence"]) | {"landings"} == keys("### Verdict `evidence`")
    member = keys("### Evidence `members[]`")
    assert set(v["evidence"]["members"][0]) | {"airspace"} == member
