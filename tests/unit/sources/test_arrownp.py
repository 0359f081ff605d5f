"""arrow_numpy against pyarrow's own to_numpy (synthetic columns: every type, nulls, slices)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from flyvakt.sources.arrownp import arrow_numpy

_COLUMNS = [
    pa.array([1.5, -2.25, 3e9, 0.0, 7.0], pa.float64()),
    pa.array([1.5, None, 3.0, None, 7.0], pa.float64()),
    pa.array([1.5, 2.5, None, 4.0, 5.0], pa.float32()),
    pa.array([1, -2, 3, 2**40, 5], pa.int64()),
    pa.array([1, None, 3, 4, None], pa.int32()),
    pa.array([200, 1, 0, 255, 7], pa.uint8()),
    pa.array([-1, 1, 0, 127, -128], pa.int8()),
    pa.array([True, False, True, True, False]),
    pa.array(["a", None, "b", "c", "d"]),  # not numeric: pyarrow's way
]


@pytest.mark.parametrize("col", _COLUMNS, ids=lambda c: str(c.type))
@pytest.mark.parametrize("cut", [slice(None), slice(1, 4), slice(3, None), slice(0, 0)])
def test_equals_to_numpy(col: pa.Array, cut: slice) -> None:
    a = col[cut]
    want = a.to_numpy(zero_copy_only=False)
    for given in (a, pa.chunked_array([a[:1], a[1:]], a.type) if len(a) else a):
        got = arrow_numpy(given)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert got.tolist() == want.tolist() or np.array_equal(got, want, equal_nan=True)
        if got.dtype != object and len(got):
            got[0] = got[0]  # an array of its own, writable


@pytest.mark.parametrize("col", _COLUMNS, ids=lambda c: str(c.type))
@pytest.mark.parametrize("cut", [slice(None), slice(1, 4), slice(3, None)])
def test_a_view_when_asked_has_the_same_values(col: pa.Array, cut: slice) -> None:
    """``copy=False``: the same values; numbers without nulls as a read-only view of Arrow's
    buffer (a reader's columns_to_obs copies them into its batch once), the rest its own."""
    a = col[cut]
    want = arrow_numpy(a)
    got = arrow_numpy(a, copy=False)
    assert got.dtype == want.dtype
    assert got.tolist() == want.tolist() or np.array_equal(got, want, equal_nan=True)
    numeric = pa.types.is_integer(a.type) or pa.types.is_floating(a.type)
    assert got.flags.writeable == (not numeric or bool(a.null_count))
