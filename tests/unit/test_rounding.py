"""``round_half_even_like_python`` is Python's ``round(x, nd)`` bit for bit, at the halfway
values where NumPy's scaled rounding and Python's correctly rounded one part, with NaN,
infinities, empty and all-NaN arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flyvakt.model.rounding import round_half_even_like_python


def _halfway(rng: np.random.Generator, n: int, span: float, nd: int) -> np.ndarray:
    """Values halfway at ``nd`` decimals as written in decimal, some a few ulps either side."""
    half = 0.5 * 10.0**-nd
    base = np.round(rng.uniform(-span, span, n), nd) + half * rng.choice([-1.0, 1.0], n)
    ulps = rng.integers(-3, 4, n)
    return np.array([math.nextafter(x, math.inf if k > 0 else -math.inf) if k else x
                     for x, k in zip(base.tolist(), ulps.tolist(), strict=True)])  # fmt: skip


def _python(xs: np.ndarray, nd: int) -> list[float]:
    return [round(x, nd) if x == x else x for x in xs.tolist()]


@pytest.mark.parametrize("nd", [0, 1, 2, 6])
@pytest.mark.parametrize("span", [1.0, 180.0, 50_000.0])
def test_halfway_values_round_as_python(nd: int, span: float) -> None:
    rng = np.random.default_rng(nd * 1000 + int(span))
    xs = _halfway(rng, 50_000, span, nd)
    xs[::997] = np.nan
    got = round_half_even_like_python(xs, nd).tolist()
    want = _python(xs, nd)
    assert [g if g == g else "nan" for g in got] == [w if w == w else "nan" for w in want]
    if nd:  # the values do test the rows where NumPy and Python part
        assert (np.round(xs, nd) != np.array(want)).sum() > 10


def test_odd_arrays() -> None:
    a = np.array([np.inf, -np.inf, np.nan, 2.675, -0.125])
    got = round_half_even_like_python(a, 2).tolist()
    assert got[:2] == [math.inf, -math.inf] and math.isnan(got[2])
    assert got[3:] == [round(2.675, 2), round(-0.125, 2)]
    assert np.isnan(round_half_even_like_python(np.full(3, np.nan), 6)).all()
    assert round_half_even_like_python(np.zeros(0), 6).shape == (0,)
    src = np.array([1.25, 2.35])
    round_half_even_like_python(src, 1)
    assert src.tolist() == [1.25, 2.35]  # the input is left as it was
