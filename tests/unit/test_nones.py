"""``not_none`` (identity of the ``None`` object, read as pointers) against
``np.not_equal(column, None)``, the plain path it replaces."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from flyvakt.model.nones import not_none
from flyvakt.track.tracker import _valid_mask


def _plain(values: np.ndarray) -> np.ndarray:
    return np.asarray(np.not_equal(values, np.array(None, dtype=object)), dtype=np.bool_)


def _column(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.full(n, None, dtype=object)
    for i in np.flatnonzero(rng.random(n) < 0.3).tolist():
        out[i] = ["", "SAS123  ", "NONE", "None", str(i)][i % 5]
    return out


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 65_537])
def test_not_none_matches_not_equal(n: int) -> None:
    col = _column(n, n)
    got = not_none(col)
    assert got.dtype == np.bool_ and got.shape == col.shape
    assert np.array_equal(got, _plain(col))


def test_not_none_on_views_and_shapes() -> None:
    col = _column(999, 3)
    for view in (col[::3], col[::-1], col[5:400], col.reshape(333, 3), col.reshape(333, 3).T):
        assert np.array_equal(not_none(view), _plain(view))


def test_not_none_all_none_and_no_none() -> None:
    assert not not_none(np.full(100, None, dtype=object)).any()
    assert not_none(np.array(["a"] * 100, dtype=object)).all()


def test_not_none_keeps_its_array_alive_while_read() -> None:
    col = _column(10_000, 9)
    want = _plain(col)
    got = not_none(col.copy())  # the copy is referenced only by the view while it is read
    gc.collect()
    assert np.array_equal(got, want)


def test_not_none_refuses_a_non_object_array() -> None:
    with pytest.raises(TypeError):
        not_none(np.zeros(3))


def test_the_trackers_valid_mask_takes_it_for_objects() -> None:
    col = _column(5000, 1)
    assert np.array_equal(_valid_mask(col), _plain(col))


def test_cell_addresses_are_each_cells_object_id() -> None:
    """cell_addresses: each cell's ``id`` (contiguous, strided, reversed, empty); equal for
    the same object, different for equal texts that are other objects."""
    from flyvakt.model.nones import cell_addresses

    a, b = "AFR34ZG", "".join(["AFR", "34ZG"])  # equal texts, two objects
    col = np.array([a, None, b, a, None, 7], dtype=object)
    for view in (col, col[::2], col[::-1], col[:0]):
        got = cell_addresses(view)
        assert got is not None and got.tolist() == [id(x) for x in view.tolist()]
    got = cell_addresses(col)
    assert got is not None and got[0] == got[3] != got[2]
    with pytest.raises(TypeError):
        cell_addresses(np.zeros(3))


def test_the_trackers_valid_mask_of_floats_is_not_nan() -> None:
    # ``v == v`` for a float column: False at NaN alone (not at inf, -0.0, tiny or huge).
    for dtype in (np.float64, np.float32):
        col = np.array([np.nan, 0.0, -0.0, np.inf, -np.inf, 1e-310, 3e38, np.nan, 7.5], dtype)
        got = _valid_mask(col)
        assert got.dtype == np.bool_ and got.tolist() == (~np.isnan(col)).tolist()
    assert _valid_mask(np.array([-1, 0, 5], np.int16)).tolist() == [False, True, True]
