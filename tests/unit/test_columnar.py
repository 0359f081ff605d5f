"""The columnar batches read their field list from ``_defaults``: it must match the dataclass."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from flyvakt.model import FrameBatch, ObservationBatch, PositionBatch


@pytest.mark.parametrize("cls", [FrameBatch, ObservationBatch, PositionBatch])
def test_defaults_list_every_field_in_order(cls: type) -> None:
    # len(), take(), rows() and concat() iterate ``_defaults``: a field missing there would be
    # silently dropped by take, and a different first field would change len().
    assert tuple(cls._defaults) == tuple(f.name for f in fields(cls))


def test_take_and_concat_keep_every_column() -> None:
    b = ObservationBatch.empty(5)
    b.time_s[:] = np.arange(5.0)
    b.icao24[:] = np.arange(5, dtype=np.uint32) + 7
    b.callsign[:] = ["A", None, "B", None, "C"]
    t = b.take(np.array([4, 0]))
    assert len(t) == 2 and t.icao24.tolist() == [11, 7] and t.callsign.tolist() == ["C", "A"]
    c = ObservationBatch.concat([t, b.rows(1, 3)])
    assert len(c) == 4
    assert c.time_s.tolist() == [4.0, 0.0, 1.0, 2.0]
    assert c.callsign.tolist() == ["C", "A", None, "B"]


def test_frame_take_gathers_the_payload_rows_as_an_index_does() -> None:
    # The 2-D payload is gathered by ``take(axis=0)`` for an integer index (faster); a boolean
    # mask, a negative index and any index order give what ``payload[index]`` gives.
    rng = np.random.default_rng(5)
    b = FrameBatch.empty(300)
    b.payload[:] = rng.integers(0, 256, (300, 14), dtype=np.uint8)
    b.time_s[:] = rng.normal(size=300)
    for index in (
        rng.permutation(300),
        np.array([-1, 0, 5, 5], dtype=np.int32),
        np.zeros(0, dtype=np.intp),
        rng.random(300) < 0.4,
        np.arange(300, dtype=np.uint16)[::7],
    ):
        t = b.take(index)
        np.testing.assert_array_equal(t.payload, b.payload[index])
        np.testing.assert_array_equal(t.time_s, b.time_s[index])
        assert t.payload.flags.c_contiguous and t.payload.dtype == np.uint8
    for other in (slice(3, 40, 2), [5, 1, 5]):  # not arrays: indexed as they are
        t = b.take(other)  # type: ignore[arg-type]
        np.testing.assert_array_equal(t.payload, b.payload[other])
