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


def test_in_order() -> None:
    from flyvakt.track.silence import _in_order

    icao = np.array([1, 1, 2, 2, 3], dtype=np.uint32)
    assert _in_order(icao, np.array([5.0, 5.0, 1.0, 2.0, 0.0]))
    assert not _in_order(icao, np.array([5.0, 4.0, 1.0, 2.0, 0.0]))
    assert not _in_order(icao[::-1].copy(), np.zeros(5))
    assert not _in_order(icao, np.array([5.0, 6.0, np.nan, 2.0, 0.0]))
    assert _in_order(icao[:1], np.zeros(1)) and _in_order(icao[:0], np.zeros(0))


def test_every_aircraft_back_after_a_silence_starts_afresh() -> None:
    # SYNTHETIC: two aircraft heard, then both again after more than the forget time, in one
    # batch (every row in the second generation): tracked as from a fresh state.
    from flyvakt.model import ObservationBatch, Source
    from flyvakt.track.tracker import TrackerConfig, TrackerState, step

    def batch(t0: float, squawk: int) -> ObservationBatch:
        o = ObservationBatch.empty(4)
        o.address_checked[:] = True
        o.source[:] = Source.STATE_VECTOR
        o.icao24[:] = [0x4840D6, 0x3C6444, 0x4840D6, 0x3C6444]
        o.time_s[:] = t0 + np.array([0.0, 0.0, 10.0, 10.0])
        o.lat_deg[:] = [52.0, 48.0, 52.01, 48.01]
        o.lon_deg[:] = [4.0, 2.0, 4.0, 2.0]
        o.squawk[:] = squawk
        return o

    state, _, _ = step(TrackerState(), batch(0.0, 1000))
    later = batch(TrackerConfig().forget_after_s + 100.0, 2000)
    state, pos, stats = step(state, later)
    _, fresh, fresh_stats = step(
        TrackerState(), batch(TrackerConfig().forget_after_s + 100.0, 2000)
    )
    for name in ("icao24", "time_s", "lat_deg", "lon_deg", "squawk"):
        assert getattr(pos, name).tolist() == getattr(fresh, name).tolist()
    assert pos.icao24.tolist() == [0x3C6444, 0x3C6444, 0x4840D6, 0x4840D6]
    assert state.table.snapshot(0x4840D6)["messages"] == 2  # counted afresh
    assert stats.positions == fresh_stats.positions == 4
