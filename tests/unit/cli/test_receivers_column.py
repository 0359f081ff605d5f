"""The positions' ``receivers`` column built from offsets equals the per-row list it replaced."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flyvakt.cli._outputs import receiver_list_array, receiver_lists


def test_receiver_list_array_equals_per_row_lists() -> None:
    rng = np.random.default_rng(7)
    # Synthetic bit sets: none, one receiver, several, the highest bits.
    sets = np.array([0, 1, 2, 3, 5, 0b1011, 1 << 15, (1 << 16) - 1], dtype=np.uint64)
    masks = rng.choice(sets, 5_000)
    got = receiver_list_array(masks)
    want = pa.array(receiver_lists(masks), type=pa.list_(pa.uint16()))
    assert got.type == want.type and got.equals(want)
    assert got[int(np.flatnonzero(masks == 0b1011)[0])].as_py() == [0, 1, 3]
    empty = receiver_list_array(np.zeros(0, np.uint64))
    assert len(empty) == 0 and empty.type == want.type
