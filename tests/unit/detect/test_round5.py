"""The gap details' coordinates rounded in advance (``Context.round5``, made by
``prepass.gap_prepass`` with ``round_half_even_like_python``) are Python's ``round(x, 5)``,
bit for bit, at the halfway values where NumPy's scaling and Python's rounding part."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from flyvakt.detect.base import gap_details
from flyvakt.detect.state import Fix
from flyvakt.model.rounding import round_half_even_like_python


def _halfway(rng: np.random.Generator, n: int, span: float) -> np.ndarray:
    """Values x.xxxxx5 (the sixth decimal a 5: halfway at 5 digits, as written in decimal),
    some a few ulps either side, of either sign, up to ``span``."""
    base = np.round(rng.uniform(-span, span, n), 5) + 5e-6 * rng.choice([-1.0, 1.0], n)
    ulps = rng.integers(-3, 4, n)
    return np.array([math.nextafter(x, math.inf if k > 0 else -math.inf) if k else x
                     for x, k in zip(base.tolist(), ulps.tolist(), strict=True)])  # fmt: skip


def test_halfway_values_round_as_python() -> None:
    rng = np.random.default_rng(5)
    for span in (1.0, 90.0, 180.0, 1000.0):
        xs = _halfway(rng, 200_000, span)
        got = round_half_even_like_python(xs, 5).tolist()
        want = [round(x, 5) for x in xs.tolist()]
        assert got == want  # bit for bit: == on floats, no tolerance
    # NumPy and Python do part at some of them: the values test what they should.
    xs = _halfway(rng, 200_000, 180.0)
    assert (np.round(xs, 5) != np.array([round(x, 5) for x in xs.tolist()])).any()


def test_gap_details_same_with_and_without_the_table() -> None:
    rng = np.random.default_rng(7)
    lats, lons = _halfway(rng, 500, 90.0), _halfway(rng, 500, 180.0)
    odd = [0.0, -0.0, math.nan, 1e300, -1e300]  # rounded one by one (not in the table)
    lats = np.r_[lats, odd]
    lons = np.r_[lons, odd[::-1]]
    xs = np.r_[lats, lons]
    keep = (np.abs(xs) <= 1000.0) & (xs != 0)
    table = dict(
        zip(xs[keep].tolist(), round_half_even_like_python(xs[keep], 5).tolist(), strict=True)
    )
    pairs = zip(lats.tolist(), lons.tolist(), strict=True)
    fixes = [
        Fix(1.7e9 + i, a, o, 3000.5, 100.0, 0.0, False, None, 0) for i, (a, o) in enumerate(pairs)
    ]
    for before, after in pairwise(fixes):
        want, got = gap_details(before, after), gap_details(before, after, table)
        assert repr(got) == repr(want)  # repr: -0.0 and NaN compared as written
