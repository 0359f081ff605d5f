"""State-vector addresses (``icao24``/``icao``/``hex`` text) -> 24-bit numbers, per value and
for an Arrow text column at once (split from statevec.py, which converts the other columns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from flyvakt.model.batches import NON_ICAO
from flyvakt.sources.hextable import PAIR, all_hex, arrow_text_rows, hex_pairs

if TYPE_CHECKING:
    from flyvakt.sources.statevec import Distinct


def _icao(v: Any) -> int:
    if isinstance(v, str):
        s = v.strip().lower()
        flag = NON_ICAO if s.startswith("~") else 0  # readsb's mark of a non-ICAO address
        s = s.lstrip("~")
        if 1 <= len(s) <= 6:
            try:
                return int(s, 16) | flag
            except ValueError:
                return -1
        return -1
    if isinstance(v, int | np.integer) and 0 <= v < (1 << 24):
        return int(v)  # an all-digit hex read as a number by a CSV reader: best effort
    return -1


def _icao_rows(column: Any, distinct: Distinct | None) -> np.ndarray:
    """``_icao`` of each row of an Arrow string array (``distinct``: the Distinct whose values
    these are, to take the few odd ones from)."""
    arr, data, starts, lengths = arrow_text_rows(column)
    n = len(column)
    if arr is None:
        return np.full(n, -1, dtype=np.int64)
    six = lengths == 6
    if n and six.all() and not arr.null_count:
        # Every row 6 digits (a clean file): the rows lie one after the other in the data,
        # a (n, 6) view of it, not a gather of every row's bytes (half of reading addresses).
        start = int(starts[0])
        value: np.ndarray = PAIR.take(data[start : start + 6 * n].view("<u2").reshape(n, 3))
        if all_hex(value) is None:  # else: some row is odd, the general way below
            return _address(value)
    # The 6-digit rows' three bytes straight into the address (no 14-byte payload per row).
    rows = np.flatnonzero(six)
    lookup = np.full(n, -1, dtype=np.int64)
    if rows.size:
        value = hex_pairs(data, starts[rows], 6)
        good = all_hex(value)
        if good is not None:  # a non-hex character: that row is one of the odd
            rows, value = rows[good], value[good]
        p = value.astype(np.int64)
        lookup[rows] = (p[:, 0] << 16) | (p[:, 1] << 8) | p[:, 2]
    ok = np.zeros(n, dtype=np.bool_)
    ok[rows] = True
    odd = np.flatnonzero(~ok).tolist()  # "~" marks, spaces, other lengths, nulls
    if odd:
        values = distinct.values if distinct is not None else arr.to_pylist()
        for i in odd:
            lookup[i] = _icao(values[i])
    return lookup


def _address(value: np.ndarray) -> np.ndarray:
    """(n, 3) byte values (:func:`hex_pairs`, every one a byte) -> addresses (int64): the
    three bytes as the low three of a little-endian 32-bit word, last first, one copy."""
    word = np.zeros((len(value), 4), dtype=np.uint8)
    np.copyto(word[:, 2::-1], value, casting="unsafe")
    out: np.ndarray = word.view("<u4").ravel().astype(np.int64)
    return out
