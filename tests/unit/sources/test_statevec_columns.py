"""columns_to_obs writes Distinct (dictionary-coded) columns straight into the batch: the same
rows as the same values given one per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources._common import SourceStats
from flyvakt.sources.statevec import Distinct, columns_to_obs


def _coded(values: list[object]) -> Distinct:
    distinct = list(dict.fromkeys(values))
    codes = np.array([distinct.index(v) for v in values], dtype=np.int64)
    return Distinct(codes, distinct)


def test_gather_fills_one_value_and_gathers_several() -> None:
    out = np.full(4, -1, dtype=np.int16)
    Distinct(np.zeros(4, dtype=np.int64), ["x"]).gather(np.array([7], dtype=np.int16), out)
    assert out.tolist() == [7, 7, 7, 7]
    names = np.full(4, None, dtype=object)
    codes = np.array([1, 0, 1, 2], dtype=np.int64)
    Distinct(codes, ["a", "b", "c"]).gather(np.array(["A", "B", "C"], dtype=object), names)
    assert names.tolist() == ["B", "A", "B", "C"]


def test_coded_columns_give_the_rows_of_plain_ones() -> None:
    plain: dict[str, list[object]] = {
        "time": [1.0, 2.0, 3.0, 4.0, 5.0],
        "icao24": ["abc123", "abc124", "zz", "abc123", "abc125"],
        "lat": [50.0, 50.1, 50.2, 50.3, 50.4],
        "lon": [8.0, 8.1, 8.2, 8.3, 8.4],
        "baroaltitude": ["1000", "", "1000", "2000.5", None],
        "geoaltitude": ["", "", "", "", ""],
        "velocity": ["100", "100", "101", None, "100"],
        "vertrate": ["0", "1.5", "0", "0", "x"],
        "callsign": ["AFR1  ", "AFR1  ", None, "", "DLH2"],
        "squawk": ["1000", "7700", "1000", None, "8888"],
        "onground": ["true", "false", "", "true", None],
    }
    coded = {
        k: (v if k in ("time", "icao24", "lat", "lon") else _coded(v)) for k, v in plain.items()
    }
    a = columns_to_obs(plain, 5, SourceStats())
    b = columns_to_obs(coded, 5, SourceStats())
    assert len(a) == len(b) == 4  # "zz" is not an address
    for name in a._defaults:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        if x.dtype == object:
            assert x.tolist() == y.tolist(), name
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)
    assert b.callsign.tolist() == ["AFR1", "AFR1", None, "DLH2"]
    assert b.squawk.tolist() == [1000, 7700, -1, -1]
    assert np.isnan(b.altitude_gnss_ft).all()
    assert b.icao24.tolist() == [0xABC123, 0xABC124, 0xABC123, 0xABC125]


def test_addresses_of_six_digits_each_read_as_a_block_or_row_by_row() -> None:
    """A column of 6-digit addresses only (read as one block of the data) gives what the same
    addresses give among odd rows (read row by row): a slice of a column too, and a column
    whose 6 characters are not all hex in one row."""
    import pyarrow as pa

    from flyvakt.sources.statevec import ArrowText, icao_column

    six = ["abc123", "ABC124", "000000", "ffffff", "3c6dd2"]
    want = [0xABC123, 0xABC124, 0, 0xFFFFFF, 0x3C6DD2]
    assert icao_column(ArrowText(pa.array(six))).tolist() == want
    odd = pa.array([*six, "~abc", "zz"])
    assert icao_column(ArrowText(odd)).tolist() == [*want, 0xABC | (1 << 24), -1]
    assert icao_column(ArrowText(pa.array(["x", *six]).slice(1))).tolist() == want
    bad = pa.array(["abc123", "abc12g", "ABC124"])
    assert icao_column(ArrowText(bad)).tolist() == [0xABC123, -1, 0xABC124]
    assert icao_column(ArrowText(pa.array(["abc123", None]))).tolist() == [0xABC123, -1]


def _poisoned(n: int) -> ObservationBatch:
    """A batch whose every value is set to something no column of the tests below holds (and
    no unknown is): what ``ObservationBatch.blank``'s unset memory could hold."""
    out = ObservationBatch.blank(n)
    for name in out._defaults:
        col = getattr(out, name)
        col[...] = "POISON" if col.dtype == object else (True if col.dtype == bool else 99)
    return out


_TRAFFIC: dict[str, list[object]] = {
    "timestamp": ["2024-07-06T06:43:00Z", "2024-07-06T06:43:01Z", "", "2024-07-06T06:43:03Z"],
    "icao24": ["abc123", "abc124", "abc125", "~abc126"],
    "latitude": [50.0, 50.1, 50.2, 50.3],
    "longitude": [8.0, 8.1, 8.2, 8.3],
    "altitude": [1000.0, None, 3000.0, 4000.0],
    "groundspeed": [100.0, 110.0, None, 130.0],
    "track": [10.0, 20.0, 30.0, None],
    "heading": [11.0, None, 31.0, 41.0],
    "vertical_rate": [0.0, 64.0, -64.0, None],
    "callsign": ["KLM1", None, "KLM1", ""],
    "squawk": ["7700", "1000", None, "0000"],
    "onground": [True, False, None, True],
}


@pytest.mark.parametrize(
    "cols",
    [
        _TRAFFIC,
        {"time": [1.0, 2.0, 3.0], "icao24": ["abc123", "zz", "abc124"], "lat": [1, 2, 3]},
        {"time": [1.0, 2.0], "lat": [50.0, 50.1], "lon": [8.0, 8.1]},  # no address: no row
        {"time": [1.0, 2.0], "icao": ["abc123", "abc124"], "heading": [5.0, 6.0]},
    ],
)
@pytest.mark.parametrize("coded", [False, True])
def test_every_value_written_into_a_poisoned_batch(cols: dict[str, list[Any]], coded: bool) -> None:
    """``columns_to_obs`` into a batch whose values are not set (``into``, as reader._Fill
    gives it, and its own :meth:`ObservationBatch.blank` batch) gives the rows it gives into
    a batch filled unknown first (``ObservationBatch.empty``, the way before): every column
    it does not read is filled unknown, none left as it was."""
    if coded:
        cols = {k: _coded(v) if k not in ("time", "timestamp") else v for k, v in cols.items()}
    n = len(next(iter(cols.values())))
    want = columns_to_obs(dict(cols), n, SourceStats(), into=ObservationBatch.empty(n))
    poisoned = _poisoned(n)
    got = columns_to_obs(dict(cols), n, SourceStats(), into=poisoned)
    own = columns_to_obs(dict(cols), n, SourceStats())
    for batch in (got, own):
        assert len(batch) == len(want)
        for name in want._defaults:
            x, y = getattr(want, name), getattr(batch, name)
            assert x.dtype == y.dtype, name
            assert x.tolist() == y.tolist() or np.array_equal(x, y, equal_nan=True), name
    if len(want) == n:  # no row dropped: written in place
        assert got is poisoned
    assert (got.df == -1).all() and (got.receivers == 0).all() and "POISON" not in got.callsign
