"""The detector's shortcuts change no event (detector.py: calm fixes, rules asked only on the
fixes they can act on, taxi fixes looked up only when hot; coverage.py: the lost-signal airport
search only within reach). Real recordings replayed with the shortcuts, and with every hot fix
going to every rule of RULES and every airport looked up, give the same events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import coverage as C
from flyvakt.detect import detector as D
from flyvakt.detect.base import Hot
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
# Real: fire-fighting aircraft over California (many aircraft, low passes, gaps), and GA
# circuits with touch-and-goes at KWVI (phase flips, lift-offs after intervals).
CASES = ["traffic/calfire.json.gz", "real-ga/kwvi1213_a81c98.csv.gz"]


def _every_rule(
    ctx: Any, st: Any, fx: Any, is_gap: bool, sampled: bool, country: Any, p: Any, i: int,
    field: Any, out: list[Any],
) -> None:  # fmt: skip
    """The dispatch without shortcuts: every rule sees every hot fix."""
    if fx.callsign:
        st.callsign = fx.callsign
    prev = st.last
    if prev is not None and fx.t < prev.t:
        return
    if prev is None:
        st.first = fx
        st.ground = fx.ground
    h = Hot(fx, prev, bool(is_gap or st.lost) and prev is not None, sampled, country, p, i, field)
    for rule in D.RULES:
        rule.on_fix(ctx, st, h, out)
    D._remember(st, fx)


def _events(path: Path, batch: int) -> list[dict[str, Any]]:
    return [e.to_json() for e in replay_files([str(path)], batch_size=batch).events]


@pytest.mark.parametrize("name", CASES)
def test_shortcuts_change_no_event(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = DATA / name
    fast = _events(path, 512)
    fields = D._fields
    monkeypatch.setattr(D, "_calm", lambda *a: False)
    monkeypatch.setattr(D, "_dispatch", _every_rule)
    monkeypatch.setattr(D, "_fields", lambda c, p, g, hot: fields(c, p, g, np.ones_like(hot)))
    monkeypatch.setattr(C, "_within_reach", lambda ctx, fx: True)
    slow = _events(path, 512)
    assert len(fast) > 10
    assert fast == slow


def test_every_rule_is_dispatched_in_order() -> None:
    # _dispatch names each rule; one added to RULES must be added there too.
    assert D.RULES == (D.COVERAGE, D.PHASE, D.SPOOFING, D.AIRSPACE, D.APPROACH, D.EMERGENCY)
