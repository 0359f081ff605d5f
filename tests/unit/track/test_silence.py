"""The order of the positions of a step tracked generation by generation (track/silence.py):
the same as ``order_by_key_time`` whatever the times (synthetic arrays)."""

from __future__ import annotations

import numpy as np

from flyvakt.model.runs import order_by_key_time
from flyvakt.track.silence import _by_address_time


def _parts(rng: np.random.Generator, gens: int) -> tuple[np.ndarray, np.ndarray]:
    icao, t = [], []
    for g in range(gens):  # each part sorted by (address, time), later generations later
        k = np.sort(rng.integers(0, 40, 300)).astype(np.uint32)
        icao.append(k)
        t.append(1000.0 * g + np.sort(rng.uniform(0, 900, 300))[np.argsort(np.argsort(k))])
    return np.concatenate(icao), np.concatenate(t)


def test_generations_in_order_need_no_sort_by_time() -> None:
    rng = np.random.default_rng(3)
    for gens in (1, 2, 4):
        icao, t = _parts(rng, gens)
        t[5:9] = t[5]  # ties keep their order
        assert _by_address_time(icao, t).tolist() == order_by_key_time(icao, t).tolist()


def test_times_out_of_order_or_nan_take_the_full_sort() -> None:
    rng = np.random.default_rng(4)
    icao, t = _parts(rng, 3)
    back = t.copy()
    back[-1] = -5.0  # a later part's position older than an earlier part's of its address
    assert _by_address_time(icao, back).tolist() == order_by_key_time(icao, back).tolist()
    nan = t.copy()
    nan[::50] = np.nan
    assert _by_address_time(icao, nan).tolist() == order_by_key_time(icao, nan).tolist()
