"""benchmarks/warm_sweep.py's window: between two country-sample instants, never across one
(the sweep at N concurrent aircraft; the measurement itself is run by hand)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.detect import rules as R
from flyvakt.model import FrameBatch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from warm_sweep import SAMPLE_LAG_S, split_window

P = R.COUNTRY_SAMPLE_S


def _frames(times: np.ndarray) -> FrameBatch:
    fb = FrameBatch.empty(len(times))
    fb.time_s[:] = times
    return fb


@pytest.mark.parametrize("start_in_period", [0.0, 1.0, SAMPLE_LAG_S + 0.5, P - 0.1])
def test_window_starts_after_the_lag_and_ends_before_the_next_instant(
    start_in_period: float,
) -> None:
    t0 = 1000 * P + start_in_period
    times = t0 + np.arange(0.0, 3 * P, 0.01)
    i0, i1 = split_window(_frames(times), 10**9)
    a, b = times[i0], times[i1 - 1]
    assert np.floor(a / P) == np.floor(b / P)  # no sample instant inside
    assert a - np.floor(a / P) * P >= SAMPLE_LAG_S - 1e-9  # the instant's samples are before it
    assert i0 == 0 or times[i0 - 1] < a  # the first frame after the lag
    assert b > np.floor(a / P) * P + P - 0.02  # runs up to the next instant when not capped


def test_window_is_capped_at_the_frames_asked() -> None:
    times = 1000 * P + np.arange(0.0, 3 * P, 0.01)
    i0, i1 = split_window(_frames(times), 500)
    assert i1 - i0 == 500
