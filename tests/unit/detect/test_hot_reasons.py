"""The hot-row count per reason (``why``, for benchmarks/bench_pipeline.py) counts every hot row
once and changes nothing: real AFR34ZG frames, from the gate at LFPG to cruise."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.detect import detector as D
from flyvakt.geo import get_world
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import tracker_config

REC = Path(__file__).resolve().parents[2] / "data/traffic/full_flight_short.jsonl.gz"


class _Counted:
    def __init__(self, why: Counter[str] | None) -> None:
        self.why = why

    def step(self, state: PipelineState, positions: PositionBatch, now_s: float) -> list[Any]:
        state.detector, out = D.step(state.detector, positions, now_s, get_world(), why=self.why)
        return out

    def finish(self, state: PipelineState, now_s: float) -> list[Any]:
        return D.finish(state.detector, now_s, get_world())


def _run(why: Counter[str] | None) -> tuple[list[dict[str, Any]], dict[int, str]]:
    with gzip.open(REC, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    frames = FrameBatch.from_hex([r["frame"] for r in rows], [r["timestamp"] for r in rows])
    det, state, events = _Counted(why), PipelineState(), []
    for a in range(0, len(frames), 4096):
        state, out = step(state, frames.take(np.arange(a, min(a + 4096, len(frames)))),
                          tracker_config(), det)  # fmt: skip
        events += out.events
    states = {a: repr(st) for a, st in state.detector.aircraft.items()}
    return [e.to_json() for e in events], states


def test_hot_reasons_count_each_hot_row_once_and_change_nothing(monkeypatch: Any) -> None:
    hot_rows: list[int] = []
    count = D._count_reasons

    def counted(why: Counter[str], hot: Any, reasons: Any) -> None:
        hot_rows.append(int(hot.sum()))
        count(why, hot, reasons)

    monkeypatch.setattr(D, "_count_reasons", counted)
    why: Counter[str] = Counter()
    with_why = _run(why)
    assert _run(None) == with_why  # same events, same per-aircraft state
    assert sum(why.values()) == sum(hot_rows) > 0
    assert why["first fix"] == 1  # one aircraft
    assert why["country sample"] > 100 and why["near a field"] > 100 and why["flip"] >= 1


def test_every_hot_row_is_hot_for_a_reason_of_its_own(monkeypatch: Any) -> None:
    """No fix is hot only as the fix before a hot one (session 12): the rules see it as
    ``st.last``, brought up to it by the loop as at a batch edge. Before, it was hot in its
    batch only (tests/unit/detect/test_fix_before_sample.py)."""
    seen: list[tuple[Any, Any]] = []
    count = D._count_reasons

    def kept(why: Counter[str], hot: Any, reasons: Any) -> None:
        seen.append((hot.copy(), np.logical_or.reduce([r for _name, r in reasons])))
        count(why, hot, reasons)

    monkeypatch.setattr(D, "_count_reasons", kept)
    why: Counter[str] = Counter()
    _run(why)
    after_cold = 0
    for hot, reason in seen:
        assert (hot == reason).all()
        after_cold += int((hot[1:] & ~hot[:-1]).sum())
    assert D.NO_REASON not in why
    assert after_cold > 100  # the case is there: hot rows whose row before is cold


def test_a_hot_row_no_reason_marks_is_counted_as_such() -> None:
    why: Counter[str] = Counter()
    hot = np.array([True, True, False, True])
    D._count_reasons(why, hot, [("flip", np.array([True, False, False, False]))])
    assert why == Counter({"flip": 1, D.NO_REASON: 2})
