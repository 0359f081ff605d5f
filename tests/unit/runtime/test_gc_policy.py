"""The runtime's garbage-collection policy (flyvakt.runtime.setup.tune_gc), as `flyvakt replay`
applies it: thresholds only, results unchanged."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyvakt.cli.main import main
from flyvakt.runtime.setup import GC_YOUNG_THRESHOLD, tune_gc

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def default_gc() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_tune_gc_raises_the_young_threshold_only(default_gc: tuple[int, int, int]) -> None:
    frozen = gc.get_freeze_count()
    tune_gc()
    assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, default_gc[1], default_gc[2])
    assert gc.get_freeze_count() == frozen  # nothing frozen: gc.collect() still reaches all


def test_replay_applies_the_policy(default_gc: tuple[int, int, int]) -> None:
    rec = DATA / "traffic" / "full_flight_short.jsonl.gz"
    assert main(["replay", str(rec), "--quiet", "--no-events"]) == 0
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
