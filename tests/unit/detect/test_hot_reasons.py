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
    columns = D.fix_columns

    def counted(p: Any, ground: Any, idx: Any) -> Any:  # _batch builds one Fix per hot row
        hot_rows.append(len(idx))
        return columns(p, ground, idx)

    monkeypatch.setattr(D, "fix_columns", counted)
    why: Counter[str] = Counter()
    with_why = _run(why)
    assert _run(None) == with_why  # same events, same per-aircraft state
    assert sum(why.values()) == sum(hot_rows[: len(hot_rows) // 2]) > 0
    assert why["first fix"] == 1  # one aircraft
    assert why["country sample"] > 100 and why["near a field"] > 100 and why["flip"] >= 1


def test_a_fix_is_hot_as_the_fix_before_only_when_the_next_is_hot_for_a_reason(
    monkeypatch: Any,
) -> None:
    """The fix before a hot one is there to place that one's event: the fix before *it* is not
    hot for that alone (it was, after a field search, for every hot row: 6,036 of 178,194
    positions in the 5,000-aircraft burst, none of them changing an event), nor the fix before
    a country sample, which places no event with it (session 11: 5,871 rows more in the burst,
    every event of events_compare the same)."""
    seen: list[tuple[Any, Any, Any]] = []
    count = D._count_reasons

    def kept(why: Counter[str], hot: Any, reasons: Any) -> None:
        placing = [r for name, r in reasons if name != "country sample"]
        seen.append((
            hot.copy(), np.logical_or.reduce([r for _name, r in reasons]),
            np.logical_or.reduce(placing),
        ))  # fmt: skip
        count(why, hot, reasons)

    monkeypatch.setattr(D, "_count_reasons", kept)
    why: Counter[str] = Counter()
    _run(why)
    before_only = samples_alone = 0
    for hot, reason, placing in seen:
        only = np.flatnonzero(hot & ~reason)
        assert (only + 1 < len(hot)).all()
        assert reason[only + 1].all()  # the next row is hot for a reason of its own
        assert placing[only + 1].all()  # and one that places an event: not a sample alone
        before_only += len(only)
        # Samples (hot, no other reason) whose fix before, in the batch, is not hot.
        lone = np.flatnonzero(hot[1:] & reason[1:] & ~placing[1:] & ~hot[:-1])
        samples_alone += len(lone)
    assert before_only == why["fix before a hot one"] > 50
    assert samples_alone > 50  # the case is there: samples whose fix before stays cold
