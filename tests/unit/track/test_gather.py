"""track.gather: a column at sorted distinct rows is the gathered column, whether the rows are
every row (copied) or some (gathered); a copy either way, never the column itself (but for
``rows_read``, to be read only: the column itself at every row)."""

from __future__ import annotations

import numpy as np

from flyvakt.model import ObservationBatch
from flyvakt.model.deferred import deferred_take
from flyvakt.track.gather import column_rows, rows_of, rows_read


def test_rows_of_every_and_some_rows() -> None:
    values = np.random.default_rng(1).normal(size=2000)
    for rows in (np.arange(2000), np.flatnonzero(values > 0), np.arange(0)):
        got = rows_of(values, rows)
        np.testing.assert_array_equal(got, values[rows])
        assert not np.shares_memory(got, values)


def test_rows_read_is_the_column_itself_at_every_row() -> None:
    values = np.random.default_rng(3).normal(size=2000)
    assert rows_read(values, np.arange(2000)) is values  # not copied
    for rows in (np.flatnonzero(values > 0), np.arange(0), np.arange(1999)):
        got = rows_read(values, rows)
        np.testing.assert_array_equal(got, values[rows])


def test_column_rows_of_a_deferred_batch() -> None:
    base = ObservationBatch.empty(3000)
    rng = np.random.default_rng(2)
    base.altitude_baro_ft[:] = rng.normal(size=3000)
    base.callsign[:] = [f"C{k}" if k % 3 else None for k in range(3000)]
    order = rng.permutation(3000)
    want = base.take(order)
    for rows in (np.arange(3000), np.flatnonzero(want.altitude_baro_ft > 0)):
        for name in ("altitude_baro_ft", "callsign"):
            lazy = deferred_take(base, order)
            got = column_rows(lazy, name, rows, 3000)
            assert got.tolist() == getattr(want, name)[rows].tolist()
            assert not np.shares_memory(got, getattr(lazy, name))
