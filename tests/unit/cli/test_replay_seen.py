"""The replay's count of aircraft seen: the addresses kept as np.union1d keeps them."""

from __future__ import annotations

import numpy as np

from flyvakt.cli.replay import _seen, _union


def test_seen_is_the_union_of_every_batchs_addresses() -> None:
    rng = np.random.default_rng(9)
    seen = np.empty(0, np.uint32)
    want = np.empty(0, np.uint32)
    for i in range(6):
        icao = rng.integers(0, 50, 40).astype(np.uint32)
        if i % 2:
            icao.sort()  # as the tracker hands positions over; else in any order
        seen = _seen(seen, _Pos(icao))
        want = np.union1d(want, icao)
        assert seen.dtype == np.uint32 and np.array_equal(seen, want)
    assert _seen(seen, _Pos(np.empty(0, np.uint32))) is seen
    rows = np.array([7, 3, 3], np.uint32)
    assert np.array_equal(_union(seen, rows), np.union1d(seen, rows))
    assert len(_union(np.empty(0, np.uint32), np.empty(0, np.uint32))) == 0


class _Pos:
    def __init__(self, icao24: np.ndarray) -> None:
        self.icao24 = icao24

    def __len__(self) -> int:
        return len(self.icao24)
