"""cli/replay._seen: the addresses a replay saw, step by step, as np.union1d of every step's
np.unique (what it computed before its shortcuts: distinct addresses of a sorted step in one
pass, no union when a step brings no new address)."""

from __future__ import annotations

import numpy as np

from flyvakt.cli.replay import _seen
from flyvakt.model import PositionBatch
from flyvakt.model.batches import NON_ICAO


def _positions(icao: list[int] | np.ndarray) -> PositionBatch:
    p = PositionBatch.empty(len(icao))
    p.icao24[:] = np.asarray(icao, dtype=np.uint32)
    return p


def _reference(seen: np.ndarray, p: PositionBatch) -> np.ndarray:
    if not len(p):
        return seen
    return np.union1d(seen, np.unique(p.icao24).astype(np.uint32))


def test_seen_is_the_union_of_the_steps_distinct_addresses() -> None:
    rng = np.random.default_rng(12)
    steps: list[list[int] | np.ndarray] = [
        [],
        [5],
        [5, 5, 5],
        [3, 3, 9, 9, 9, 12],  # sorted: the one-pass way
        [12, 3, 9],  # not sorted: np.unique
        [1 | NON_ICAO, 1, 0xFFFFFF],  # a non-ICAO address above every 24-bit one
        [0, 0],
        [2, 4, 4, 7],  # sorted, some new, some seen
        [4, 7, 7],  # nothing new: ``seen`` itself comes back
    ]
    for _ in range(40):
        n = int(rng.integers(0, 300))
        a = rng.integers(0, 400, n).astype(np.uint32)
        steps.append(np.sort(a) if rng.random() < 0.7 else a)
    seen = ref = np.empty(0, np.uint32)
    for icao in steps:
        p = _positions(icao)
        before = seen
        seen, ref = _seen(seen, p), _reference(ref, p)
        assert seen.dtype == np.uint32
        assert np.array_equal(seen, ref), list(icao)
        if len(before) and np.isin(p.icao24, before).all():
            assert seen is before  # nothing new: no union made


def test_one_new_address_among_known_ones_is_added() -> None:
    seen = _seen(np.empty(0, np.uint32), _positions([10, 20, 30]))
    for new in (5, 15, 25, 35):  # before, between and after the known ones
        out = _seen(seen, _positions([10, new, 30] if new < 30 else [10, 30, new]))
        assert out.tolist() == sorted([10, 20, 30, new])
