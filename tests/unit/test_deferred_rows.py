"""DeferredRows: composed selections read what successive takes give (real recording)."""

from __future__ import annotations

import gzip
import json
from dataclasses import fields
from pathlib import Path

import numpy as np

from flyvakt.decode import decode_batch
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.model.deferred import (
    DeferredRows,
    column_at,
    column_mapped,
    columns_at,
    deferred_take,
)


def _obs(data_dir: Path) -> ObservationBatch:
    # Real AFR34ZG frames (tests/data/traffic, see PROVENANCE.md), the first 5,000.
    with gzip.open(data_dir / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for _, line in zip(range(5000), fh, strict=False)]
    out = decode_batch(
        FrameBatch.from_hex([r["frame"] for r in rows], [r["timestamp"] for r in rows])
    )
    return out[0] if isinstance(out, tuple) else out


def _with_pending(
    obs: ObservationBatch, seed: int
) -> tuple[ObservationBatch, ObservationBatch, np.ndarray, np.ndarray, ObservationBatch]:
    """(base, pending, index, src, wanted): the first 40 rows of ``obs`` as "pending" rows
    placed at random among the rest sorted (``deferred_take(base, index, (pending, src))``),
    and the batch that selection must read as."""
    ph = obs.take(np.arange(40))
    base = obs.take(np.arange(40, len(obs)))
    order = np.lexsort((base.time_s, base.icao24))
    n = len(order) + len(ph)
    at_p = np.sort(np.random.default_rng(seed).choice(n, len(ph), replace=False))
    is_p = np.zeros(n, np.bool_)
    is_p[at_p] = True
    merged = np.zeros(n, np.int64)
    merged[~is_p] = order
    src = np.full(n, -1, np.int64)
    src[at_p] = np.arange(len(ph))
    want = ObservationBatch.concat([base, ph]).take(np.where(is_p, len(base) + src, merged))
    return base, ph, merged, src, want


def _same(a: ObservationBatch, b: ObservationBatch) -> None:
    assert len(a) == len(b)
    for f in fields(ObservationBatch):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype, f.name
        if x.dtype == object:
            assert x.tolist() == y.tolist(), f.name
        else:
            np.testing.assert_array_equal(x, y, err_msg=f.name)


def test_composed_takes_equal_successive_takes(data_dir: Path) -> None:
    obs = _obs(data_dir)
    assert len(obs) > 1000 and (obs.callsign != None).any()  # noqa: E711
    order = np.lexsort((obs.time_s, obs.icao24))
    mask = obs.address_checked[order]  # a boolean selection, as confirmation makes
    pick = np.flatnonzero(np.arange(int(mask.sum())) % 3 != 1)  # then an integer one
    want = obs.take(order).take(mask).take(pick)

    lazy = deferred_take(obs, order)
    _ = lazy.icao24, lazy.time_s  # read before the cuts, as the tracker does
    got = lazy.take(mask).take(pick)
    assert isinstance(got, DeferredRows)
    assert "callsign" not in got.__dict__  # not copied until read
    _same(got, want)


def test_unknown_attribute_still_raises(data_dir: Path) -> None:
    lazy = deferred_take(_obs(data_dir), np.arange(3))
    try:
        _ = lazy.no_such_column  # type: ignore[attr-defined]
    except AttributeError:
        return
    raise AssertionError("an unknown attribute must raise AttributeError")


def test_rows_read_at_and_mapped_equal_the_taken_columns(data_dir: Path) -> None:
    """``column_at``/``column_mapped`` give what the whole column, taken, gives: with pending
    rows of another batch placed among the selection, and before or after a column is read."""
    obs = _obs(data_dir)
    base, ph, merged, src, want = _with_pending(obs, 3)
    n = len(merged)
    at_p = np.flatnonzero(src >= 0)
    rows = np.flatnonzero(np.arange(n) % 7 == 3)
    rows = np.concatenate([rows, at_p[:5]])  # pending rows among the asked ones
    for name in ("callsign", "altitude_baro_ft", "cpr_lat", "receivers", "on_ground"):
        lazy = deferred_take(base, merged, (ph, src))
        col = getattr(want, name)
        got = column_at(lazy, name, rows)
        assert name not in lazy.__dict__  # the whole column was not gathered
        np.testing.assert_array_equal(got, col[rows], err_msg=name)  # NaN equals NaN here
        valid = column_mapped(lazy, name, lambda v: np.not_equal(v, None).astype(np.bool_))
        assert valid.tolist() == np.not_equal(col, None).astype(np.bool_).tolist(), name
        _ = getattr(lazy, name)  # once read, the same answers from the read column
        np.testing.assert_array_equal(column_at(lazy, name, rows), col[rows], err_msg=name)
    assert (want.callsign[rows] != None).any()  # noqa: E711  # a value, not only Nones
    # A small selection reads whole columns (WHOLE_BELOW_ROWS): the same values.
    small = deferred_take(base, merged, (ph, src)).take(np.arange(100))
    few = np.array([3, 50, 99])
    np.testing.assert_array_equal(
        column_at(small, "altitude_baro_ft", few), want.take(np.arange(100)).altitude_baro_ft[few]
    )


def test_mapped_true_at_every_or_no_base_row(data_dir: Path) -> None:
    """A mask true at every base row (or at none) is that at every selected row, without the
    gather; a mask true at some rows is still gathered (the same answers as the taken column)."""
    obs = _obs(data_dir)
    order = np.lexsort((obs.time_s, obs.icao24))[: len(obs) - 7]  # not every row: a selection
    for fn in (
        lambda v: np.isfinite(v) | np.isnan(v),  # every row
        lambda v: np.isinf(v) & np.isnan(v),  # no row
        lambda v: ~np.isnan(v),  # some rows
    ):
        lazy = deferred_take(obs, order)
        got = column_mapped(lazy, "altitude_baro_ft", fn)
        want = fn(obs.altitude_baro_ft)[order]
        assert got.dtype == np.bool_ and got.tolist() == want.tolist()


def test_mapped_judges_the_base_once_for_its_selections(data_dir: Path) -> None:
    """Selections of one base (``take`` of a selection: a batch split into generations) share
    ``fn(base column)``: computed once per (column, fn), each answering its own rows; another
    ``fn`` on the same column is judged apart."""
    obs = _obs(data_dir)
    order = np.lexsort((obs.time_s, obs.icao24))
    calls: list[int] = []

    def valid(v: np.ndarray) -> np.ndarray:
        calls.append(len(v))
        return np.asarray(~np.isnan(v), dtype=np.bool_)

    def high(v: np.ndarray) -> np.ndarray:
        return np.asarray(v > 30_000.0, dtype=np.bool_)

    lazy = deferred_take(obs, order)
    halves = np.arange(len(order)) % 3 == 0
    parts = [lazy.take(np.flatnonzero(halves)), lazy.take(np.flatnonzero(~halves))]
    want = obs.take(order)
    assert all(len(p) >= 1024 for p in parts)  # (WHOLE_BELOW_ROWS: else the column is read)
    for part, sel in zip(parts, (halves, ~halves), strict=True):
        got = column_mapped(part, "altitude_baro_ft", valid)
        assert got.tolist() == (~np.isnan(want.altitude_baro_ft[sel])).tolist()
        assert 0 < got.sum() < len(got)  # some rows: the gathered mask, not the shortcut
        got = column_mapped(part, "altitude_baro_ft", high)
        assert got.tolist() == (want.altitude_baro_ft[sel] > 30_000.0).tolist()
    assert calls == [len(obs)]  # judged once, on the base's rows


def test_masks_gathered_together_equal_each_gathered_alone(data_dir: Path) -> None:
    """``columns_mapped`` (the masks that need a gather packed as the bytes of one row, one
    ``take`` for all) gives each column's ``column_mapped``: with pending rows placed among the
    selection or not, a column read before, more masks than one row holds, and a small one."""
    from flyvakt.model.deferred import columns_mapped
    from flyvakt.track.table import TRACKED_FIELDS
    from flyvakt.track.tracker import _valid_mask

    obs = _obs(data_dir)
    ph = obs.take(np.arange(40))
    base = obs.take(np.arange(40, len(obs)))
    order = np.lexsort((base.time_s, base.icao24))
    n = len(order) + len(ph)
    at_p = np.sort(np.random.default_rng(5).choice(n, len(ph), replace=False))
    merged = np.zeros(n, np.int64)
    is_p = np.zeros(n, np.bool_)
    is_p[at_p] = True
    merged[~is_p] = order
    src = np.full(n, -1, np.int64)
    src[at_p] = np.arange(len(ph))
    names = (*TRACKED_FIELDS, "lat_deg", "cpr_odd", "df", "tc", "cpr_lat", "cpr_lon")
    assert len(names) > 16  # two packs
    packed_some = False
    for extra in (None, (ph, src)):
        for read_first in ((), ("squawk",)):
            sel = merged if extra is not None else order
            lazy = deferred_take(base, sel, extra)
            alone = deferred_take(base, sel, extra)
            for name in read_first:
                _ = getattr(lazy, name), getattr(alone, name)
            got = columns_mapped(lazy, names, _valid_mask)
            assert list(got) == list(names)
            for name in names:
                want = column_mapped(alone, name, _valid_mask)
                assert got[name].dtype == np.bool_, name
                assert got[name].flags.c_contiguous, name
                assert got[name].tolist() == want.tolist(), name
                packed_some |= 0 < int(want.sum()) < len(want)
    assert packed_some  # some masks true at some rows only: the packed path ran
    small = deferred_take(base, order[:100])
    got = columns_mapped(small, names, _valid_mask)
    for name in names:
        assert got[name].tolist() == _valid_mask(getattr(base, name)[order[:100]]).tolist()
    plain = columns_mapped(obs, names, _valid_mask)  # not deferred: each column as it is
    for name in names:
        assert plain[name].tolist() == _valid_mask(getattr(obs, name)).tolist()


def test_rows_read_together_and_ascending_equal_the_taken_columns(data_dir: Path) -> None:
    """``columns_at`` (the rows found once for several columns) gives each column's taken
    values at ascending rows (pending rows found by a search), with repeats of pending rows,
    and at unsorted rows (pending rows found by a gather), single, empty and boolean rows."""
    obs = _obs(data_dir)
    base, ph, merged, src, want = _with_pending(obs, 5)
    n = len(merged)
    at_p = np.flatnonzero(src >= 0)
    is_p = src >= 0
    order = merged[~is_p]
    rng = np.random.default_rng(6)
    some = np.sort(rng.choice(n, 900, replace=False))
    distinct = np.union1d(some, at_p[::2])  # ascending, pending rows among them
    repeats = np.sort(np.concatenate([distinct, at_p[::2], at_p[::4], some[:50]]))
    unsorted = rng.permutation(repeats)
    names = ("callsign", "altitude_baro_ft", "cpr_lat", "receivers", "on_ground")
    for rows in (distinct, repeats, unsorted, at_p[3:4], at_p[:0], is_p):
        lazy = deferred_take(base, merged, (ph, src))
        got = columns_at(lazy, names, rows)
        for name, values in zip(names, got, strict=True):
            assert name not in lazy.__dict__
            col = getattr(want, name)
            assert values.dtype == col.dtype, name
            np.testing.assert_array_equal(values, col[rows], err_msg=name)
            np.testing.assert_array_equal(column_at(lazy, name, rows), col[rows], err_msg=name)
    assert len(np.intersect1d(repeats, at_p)) > 5  # pending rows asked, some more than once
    assert (np.diff(repeats) == 0).any()
    plain = deferred_take(base, order)  # no pending rows: the composed rows alone
    inside = repeats[repeats < len(order)]
    np.testing.assert_array_equal(
        columns_at(plain, ("cpr_lat",), inside)[0], base.cpr_lat[order][inside]
    )
    np.testing.assert_array_equal(columns_at(base, ("cpr_lat",), inside)[0], base.cpr_lat[inside])


def test_take_by_sparse_and_dense_masks(data_dir: Path) -> None:
    # A mask few rows True (its rows found once) and one most rows True (read per column):
    # the same rows either way, loaded columns and pending rows cut alike.
    obs = _obs(data_dir)
    base, ph, merged, src, want = _with_pending(obs, 7)
    rng = np.random.default_rng(8)
    for share in (0.1, 0.95):
        mask = rng.random(len(merged)) < share
        lazy = deferred_take(base, merged, (ph, src))
        _ = lazy.time_s  # read before the cut
        got = lazy.take(mask)
        assert isinstance(got, DeferredRows) and "callsign" not in got.__dict__
        _same(got, want.take(np.flatnonzero(mask)))
