"""track.merge: each helper gives what the NumPy call it replaces gives; the merge of released
held fixes into a step's positions is the lexsort's order whenever it answers (and it answers
for a step's usual input), and the lexsort is used when it cannot."""

from __future__ import annotations

import numpy as np

from flyvakt.model import PositionBatch
from flyvakt.track.merge import (
    distinct,
    member_of,
    merge_order,
    merged_by_address_time,
    union_sorted,
)


def test_union_distinct_member_as_numpy() -> None:
    rng = np.random.default_rng(3)
    for size in (0, 1, 50, 5000):
        a = np.sort(rng.integers(0, 3 * size + 1, size))
        b = np.sort(rng.integers(0, 3 * size + 1, size // 3))
        np.testing.assert_array_equal(union_sorted(a, b), np.union1d(a, b))
        np.testing.assert_array_equal(union_sorted(b, a), np.union1d(a, b))
        got = distinct(np.concatenate([b, a])[::-1].copy())
        np.testing.assert_array_equal(got, np.unique(np.concatenate([a, b])))
        values = rng.integers(0, 1 << 24, size).astype(np.uint32)
        wanted = np.concatenate([values[: size // 4], rng.integers(0, 1 << 24, 7)])
        np.testing.assert_array_equal(member_of(values, wanted), np.isin(values, wanted))
        assert not member_of(values, wanted[:0]).any()


def _positions(icao: list[int], t: list[float]) -> PositionBatch:
    p = PositionBatch.empty(len(icao))
    p.icao24[:] = icao
    p.time_s[:] = t
    p.lat_deg[:] = np.arange(len(icao))  # a row's identity
    return p


def _lexsorted(first: PositionBatch, second: PositionBatch) -> PositionBatch:
    both = PositionBatch.concat([first, second])
    return both.take(np.lexsort((both.time_s, both.icao24)))


def _same(x: PositionBatch, y: PositionBatch) -> bool:
    return all(
        np.array_equal(getattr(x, n), getattr(y, n), equal_nan=n != "callsign")
        for n in PositionBatch._defaults
    )


def test_merge_order_is_the_lexsort_order() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        n, k = int(rng.integers(1, 60)), int(rng.integers(1, 8))
        icao = np.sort(rng.integers(0, 12, n))
        t = np.round(rng.uniform(0, 20, n))  # ties too
        order = np.lexsort((t, icao))
        second = _positions(icao[order].tolist(), t[order].tolist())
        # Released fixes: older than (or as old as) their aircraft's rows, in any order.
        fa = rng.integers(0, 14, k)
        ft = np.round(rng.uniform(-10, 0, k))
        first = _positions(fa.tolist(), ft.tolist())
        first.lat_deg[:] += 1000
        got = merge_order(first, second)
        assert got is not None  # the usual case: answered without the lexsort
        both = PositionBatch.concat([first, second])
        assert _same(both.take(got), _lexsorted(first, second))
        assert _same(merged_by_address_time(first, second), _lexsorted(first, second))


def test_merge_falls_back_to_the_lexsort() -> None:
    second = _positions([1, 1, 2, 3], [5.0, 6.0, 1.0, 2.0])
    cases = [
        (_positions([1], [5.5]), second),  # newer than its aircraft's first row
        (_positions([2], [np.nan]), second),  # a NaN time where it matters
        (_positions([1], [0.0]), _positions([1, 1, 2], [6.0, 5.0, 1.0])),  # out of order
        (_positions([1], [0.0]), _positions([2, 1], [1.0, 5.0])),
        (_positions([1], [0.0]), _positions([1, 1], [np.nan, 5.0])),
    ]
    for first, sec in cases:
        assert merge_order(first, sec) is None
        assert _same(merged_by_address_time(first, sec), _lexsorted(first, sec))
    # A NaN time of an aircraft that ``second`` does not have: answered, the same order.
    first = _positions([9, 4, 9], [np.nan, 1.0, 3.0])
    assert merge_order(first, second) is not None
    assert _same(merged_by_address_time(first, second), _lexsorted(first, second))


def test_context_reads_the_state_only_where_the_batch_has_no_value() -> None:
    # tracker._batch_else_state: the state's value (and time) at the fixes with no batch row
    # (fi == -1), the batch's elsewhere; the same as the np.where over every fix it replaced,
    # and as its own fallback (the batch's column of another dtype than the state's).
    from types import SimpleNamespace
    from typing import Any, cast

    from flyvakt.model import ObservationBatch
    from flyvakt.track.tracker import _batch_else_state

    rng = np.random.default_rng(6)
    o = ObservationBatch.empty(50)
    o.time_s[:] = np.arange(50.0)
    o.altitude_baro_ft[:] = rng.integers(0, 40000, 50).astype(np.float64)
    o.callsign[:] = [f"C{k}" if k % 2 else None for k in range(50)]
    cols = {
        "altitude_baro_ft": rng.integers(0, 40000, 9).astype(np.float64),
        "altitude_baro_ft_t": -rng.random(9),
        "callsign": np.array([f"S{k}" for k in range(9)], dtype=object),
        "callsign_t": -rng.random(9),
    }
    table = cast(Any, SimpleNamespace(cols=cols))
    fi = rng.integers(-1, 50, 30)
    fi[:3] = -1
    rows = rng.integers(0, 9, 30)
    for name, aged in (("altitude_baro_ft", True), ("callsign", False)):
        col = getattr(o, name)
        want = np.where(fi >= 0, col[np.maximum(fi, 0)], cols[name][rows])
        # A floor (each fix's run's first row: at most fi) is read where fi is -1 and
        # written over.
        some = rng.integers(0, 50, 30)
        for floor in (None, np.where(fi >= 0, np.minimum(some, fi), some)):
            vals, when = _batch_else_state(table, o, name, (fi, floor), rows, aged)
            assert vals.tolist() == want.tolist()
            if aged:
                want_t = np.where(fi >= 0, o.time_s[np.maximum(fi, 0)], cols[f"{name}_t"][rows])
                np.testing.assert_array_equal(when, want_t)
    o32 = ObservationBatch.empty(50)
    o32.altitude_baro_ft = o.altitude_baro_ft.astype(np.float32)  # the fallback's dtypes
    o32.time_s[:] = o.time_s
    vals, when = _batch_else_state(table, o32, "altitude_baro_ft", (fi, None), rows, True)
    want = np.where(fi >= 0, o.altitude_baro_ft[np.maximum(fi, 0)], cols["altitude_baro_ft"][rows])
    np.testing.assert_array_equal(vals, want)
