"""Arrow arrays from NumPy buffers for positions out (cli/_outputs.py): validity bitmaps and
the text columns held as Python objects (the callsigns).

The arrays are made from their buffers, never with ``pa.array`` on the usual paths: that call
imports pandas when it is installed (to check for pandas objects), 0.35-0.4 CPU s of every
replay.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.model.nones import cell_addresses, not_none


def validity(null: np.ndarray[Any, Any] | None) -> Any:
    import pyarrow as pa

    if null is None or not null.any():
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


# Printable ASCII (space to tilde): other bytes (NUL, control) take pa.array's general way.
_PRINTABLE_FROM, _PRINTABLE_TO = 32, 127


# Longest text :func:`object_texts` takes by identity (a row of its table: an ADS-B
# callsign has at most 8 characters); a longer one takes the joins (:func:`_joined_texts`).
_TEXT_BYTES_MAX = 8
# Rows a distinct object must have on average for :func:`object_texts` to read them by
# identity: each distinct one costs ~1.5 k instructions of Python (its checks, its bytes),
# each row ~250 less than the joins; a column of mostly distinct objects (a reader that
# made one per row) takes the joins, as before.
_ROWS_PER_OBJECT_MIN = 8
# Rows a run of one object must have on average: shorter runs (rows in no order of their
# objects) made the sort of the runs' heads and their search cost more than the joins.
_ROWS_PER_RUN_MIN = 2


def object_texts(values: np.ndarray[Any, Any]) -> Any:
    """An object array of str/None -> Arrow strings (as :func:`_joined_texts` makes them).

    Each distinct object is read once: a column's cells hold a few objects many times over
    (an aircraft's callsign on each of its rows, the rows grouped by aircraft), and a cell's
    pointer says which (model/nones.py's ``cell_addresses``: the same pointer, the same
    object, so the same text). The runs of equal pointers, then the distinct ones among their
    heads (a sort of the heads), give each row its object. Their texts, printable ASCII of
    one length (at most :data:`_TEXT_BYTES_MAX`), are a table of ``S`` rows taken by row
    (~160 instructions a row on the state-vector corpus); texts of several lengths (real
    traffic's callsigns, 3-8 characters), longer ones or any other: the distinct objects'
    texts by the joins, then Arrow's ``take`` by row. The joins over every row cost ~350 a
    row (a C join's per-item work twice, the NULs' search); they remain for rows in no order
    of their objects or mostly distinct objects. The choice never changes the array, only
    its cost."""
    n = len(values)
    ptr = cell_addresses(np.asarray(values, dtype=object)) if n else None
    if ptr is None:
        return _joined_texts(values)
    head = np.flatnonzero(ptr[1:] != ptr[:-1])
    head += 1
    if len(head) * _ROWS_PER_RUN_MIN >= n:  # rows not grouped by object: the joins
        return _joined_texts(values)
    head = np.concatenate((np.zeros(1, dtype=head.dtype), head))  # each run's first row
    head_ptr = ptr[head]
    distinct = np.sort(head_ptr)
    if len(distinct) > 1:
        distinct = distinct[np.concatenate(([True], distinct[1:] != distinct[:-1]))]
    if len(distinct) * _ROWS_PER_OBJECT_MIN > n:  # mostly distinct objects: the joins
        return _joined_texts(values)
    code = np.searchsorted(distinct, head_ptr)  # each run's object among the distinct
    cell = np.empty(len(distinct), dtype=np.intp)
    cell[code] = head  # a row holding each distinct object (any: they hold the same one)
    row = np.repeat(code, np.diff(head, append=n))
    table = _text_table(values[cell].tolist())
    if table is None:
        return _taken_texts(_joined_texts(values[cell]), row)
    return _table_texts(*table, row)


def _taken_texts(texts: Any, row: np.ndarray[Any, Any]) -> Any:
    """Arrow strings of ``row`` (indices into ``texts``, an Arrow string array) by Arrow's
    ``take``: any lengths, unknown texts stay unknown. The indices are handed over as a
    buffer (``pa.array`` would import pandas, see the module's note)."""
    import pyarrow as pa

    index = np.ascontiguousarray(row, dtype=np.int32)
    return texts.take(pa.Array.from_buffers(pa.int32(), len(index), [None, pa.py_buffer(index)]))


def _text_table(objects: list[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """Cells -> their texts as ``S`` rows (an unknown one: empty) and whether each is known
    (not None); None unless every known one is a ``str`` of printable ASCII, all of one
    length, at most :data:`_TEXT_BYTES_MAX`."""
    texts: list[bytes] = []
    known = np.ones(len(objects), dtype=np.bool_)
    width = -1
    for i, text in enumerate(objects):
        if text is None:
            known[i] = False
            texts.append(b"")
        elif (
            type(text) is not str
            or not (len(text) == width or (width < 0 and len(text) <= _TEXT_BYTES_MAX))
            or not text.isascii()
            or not text.isprintable()  # for ASCII: space to tilde, as _PRINTABLE_FROM/TO
        ):
            return None
        else:
            width = len(text)
            texts.append(text.encode("ascii"))
    if width == 0:  # known texts all empty (NumPy has no S0): the joins
        return None
    return np.array(texts, dtype=f"S{max(width, 1)}"), known


def _table_texts(table: np.ndarray[Any, Any], known: np.ndarray[Any, Any], row: Any) -> Any:
    """Arrow strings of ``row`` (indices into :func:`_text_table`'s texts, one length)."""
    import pyarrow as pa

    n = len(row)
    width = table.itemsize
    if known.all():
        null = None
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    else:  # the unknown rows have no bytes: taken out before the texts
        known_row = known.take(row)
        null, row = ~known_row, row[known_row]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(known_row, out=offsets[1:])  # an unknown row's offset repeats
        offsets *= np.int32(width)
    data = table.take(row).view(np.uint8)  # one length: no padding to drop
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)), validity(null)
    )


def _joined_texts(values: np.ndarray[Any, Any]) -> Any:
    """An object array of str/None -> Arrow strings; printable ASCII without ``pa.array``.

    Joined by C twice, once as they are (the data) and once with a NUL between them (the
    offsets: where the NULs are), not a ``len`` per text: ~8.5 -> ~4.5 ms per 65,536
    callsigns. A NUL in a text is not printable: it takes the general way, as before.
    The unknown rows (None) are found by model/nones.py's ``not_none`` (by identity) and left
    out of the joins (an unknown text is empty): no ``None in`` scan, ``np.equal`` or
    ``np.where`` per row."""
    import pyarrow as pa

    n = len(values)
    null = ~not_none(np.asarray(values, dtype=object))
    has_null = bool(null.any())
    texts = values[~null].tolist() if has_null else values.tolist()
    joined = "".join(texts)
    if joined.isascii():
        data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        if bool(((data >= _PRINTABLE_FROM) & (data < _PRINTABLE_TO)).all()):
            k = len(texts)
            apart = np.frombuffer("\0".join(texts).encode("ascii"), dtype=np.uint8)
            # The j-th NUL ends known text j; j NULs come before it.
            ends = np.flatnonzero(apart == 0) - np.arange(max(k - 1, 0))
            offsets = np.zeros(n + 1, dtype=np.int32)
            if not has_null:
                offsets[1:n] = ends
            elif k:  # a known row's offset after it: its text's end; an unknown row's: the last
                known_end = np.zeros(k, dtype=np.int32)
                known_end[: k - 1] = ends
                known_end[k - 1] = len(data)
                after = np.zeros(n, dtype=np.int32)
                after[~null] = known_end
                np.maximum.accumulate(after, out=offsets[1:])
            offsets[n] = len(data)
            return pa.StringArray.from_buffers(
                n, pa.py_buffer(offsets), pa.py_buffer(data), validity(null if has_null else None)
            )
    return pa.array(values, type=pa.string(), from_pandas=True)
