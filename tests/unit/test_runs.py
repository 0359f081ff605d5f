"""runs_by_key: one place for the per-aircraft run boundaries of a sorted batch."""

from __future__ import annotations

import numpy as np

from flyvakt.model.runs import (
    distinct_sorted,
    every_row,
    ffill_index,
    last_at,
    order_by_key_time,
    rows_where,
    runs_by_key,
)


def test_runs_of_a_sorted_key_column() -> None:
    r = runs_by_key(np.array([5, 5, 7, 9, 9, 9], dtype=np.uint32))
    assert r.is_start.tolist() == [True, False, True, True, False, False]
    assert r.starts.tolist() == [0, 2, 3] and r.ends.tolist() == [1, 2, 5]
    assert r.gid.tolist() == [0, 0, 1, 2, 2, 2]
    assert r.start_of_row.tolist() == [0, 0, 2, 3, 3, 3]


def test_empty_and_single() -> None:
    e = runs_by_key(np.array([], dtype=np.uint32))
    assert len(e.starts) == len(e.ends) == len(e.gid) == 0
    one = runs_by_key(np.array([3], dtype=np.uint32))
    assert one.starts.tolist() == [0] and one.ends.tolist() == [0]


def test_order_by_key_time_is_lexsort() -> None:
    # SYNTHETIC keys and times: full 32-bit keys (flag bits), repeated times (ties in row
    # order), times in order and shuffled, NaN times (last within a key, as lexsort puts them).
    rng = np.random.default_rng(5)
    for n_keys, in_order, with_nan in [(3, True, False), (5000, True, False), (5000, False, False),
                                       (40, False, True), (1, False, False)]:  # fmt: skip
        keys = rng.integers(0, 2**32, n_keys, dtype=np.uint64).astype(np.uint32)
        k = keys[rng.integers(0, n_keys, 20_000)]
        t = np.round(rng.uniform(0, 50, k.size), 1)
        if in_order:
            t = np.sort(t)
        if with_nan:
            t[rng.integers(0, k.size, 300)] = np.nan
        got = order_by_key_time(k, t)
        np.testing.assert_array_equal(got, np.lexsort((t, k)))
    assert order_by_key_time(np.zeros(0, np.uint32), np.zeros(0)).size == 0


def test_last_at_by_search_and_by_fill() -> None:
    # SYNTHETIC runs; queries few (binary search) and many (the forward fill), kept rows none,
    # some and all: every answer as the definition gives it, row by row.
    rng = np.random.default_rng(9)
    keys = np.sort(rng.integers(0, 40, 600)).astype(np.uint32)
    start_of_row = runs_by_key(keys).start_of_row
    n = len(keys)
    for share in (0.0, 0.05, 0.5, 1.0):
        keep = np.flatnonzero(rng.random(n) < share).astype(np.int64)
        for at in (np.sort(rng.choice(n, 7, replace=False)), np.arange(n)):
            want = [
                max((k for k in keep.tolist() if start_of_row[a] <= k <= a), default=-1)
                for a in at.tolist()
            ]
            got = last_at(keep, at, start_of_row)
            assert got.tolist() == want and got.dtype == np.int64
            # The same with the queries' run starts given (asked at the same rows for many
            # fields); a wrong one changes the answers (it is used, not recomputed).
            got = last_at(keep, at, start_of_row, start_at=start_of_row[at])
            assert got.tolist() == want and got.dtype == np.int64
            if 0 < len(keep) < n and any(w >= 0 for w in want):
                moved = last_at(keep, at, start_of_row, start_at=np.asarray(at) + 1)
                assert moved.tolist() != want


def test_every_row_and_rows_where() -> None:
    # every_row: np.arange's values and dtype, read-only (a view shared by every caller), for
    # a smaller n after a larger and a larger after a smaller; rows_where: np.flatnonzero.
    for n in (0, 1, 5000, 7, 30000, 3):
        got = every_row(n)
        assert got.dtype == np.arange(n).dtype and got.tolist() == list(range(n))
        assert not got.flags.writeable
    rng = np.random.default_rng(4)
    for mask in (np.ones(700, np.bool_), np.zeros(700, np.bool_), rng.random(700) < 0.3):
        got = rows_where(mask)
        assert got.dtype == np.flatnonzero(mask).dtype
        assert got.tolist() == np.flatnonzero(mask).tolist()
    assert rows_where(np.zeros(0, np.bool_)).tolist() == []


def test_ffill_index_is_the_last_valid_row_of_the_run() -> None:
    rng = np.random.default_rng(8)
    keys = np.sort(rng.integers(0, 30, 500))
    start_of_row = runs_by_key(keys).start_of_row
    for share in (0.0, 0.1, 0.6, 1.0):
        valid = rng.random(len(keys)) < share
        want = [
            max((k for k in range(int(start_of_row[a]), a + 1) if valid[k]), default=-1)
            for a in range(len(keys))
        ]
        got = ffill_index(valid, start_of_row)
        assert got.tolist() == want and got.dtype == np.int64 and got.flags.writeable


def test_distinct_sorted_is_np_unique_of_a_sorted_array() -> None:
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 17, 1000):
        a = np.sort(rng.integers(0, 40, n).astype(np.uint32))
        got = distinct_sorted(a)
        assert got.dtype == a.dtype
        assert got.tolist() == np.unique(a).tolist()
