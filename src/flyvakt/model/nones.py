"""Which cells of an object column hold a value (not ``None``), by identity.

``np.not_equal(column, None)`` asks each cell's ``__ne__`` (a string's returns NotImplemented,
then ``None``'s reflected one is tried, then identity): ~140 instructions a cell. The tracker
asks it of every observation's callsign (a Beast batch's cells are nearly all ``None``), and a
state-vector replay's positions out of every row. An object array holds one ``PyObject *`` a
cell, and ``None`` is one object, so comparing the pointers with ``id(None)`` is the same test,
as identity, at ~1 instruction a cell. The pointers are read through a read-only ``uintp``
view of the array's own memory (``__array_interface__``), never written, and the view keeps
the array alive while it is read.

For a column of ``str``/``None`` (as every object column of the batches is) the answer is
``np.not_equal(column, None)``'s: a ``str`` differs from ``None`` by ``!=`` as by identity.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["cell_addresses", "not_none"]

_NONE_ADDRESS = id(None)  # CPython: an object's id is its address


class _Pointers:
    """The cells of an object array seen as unsigned integers (the array is referenced)."""

    def __init__(self, values: npt.NDArray[np.object_]) -> None:
        face = values.__array_interface__
        self.array = values  # kept alive as long as the view made from this
        self.__array_interface__ = {
            "shape": face["shape"],
            "strides": face["strides"],
            "data": (face["data"][0], True),  # read-only
            "typestr": np.dtype(np.uintp).str,
            "version": 3,
        }


def cell_addresses(values: npt.NDArray[Any]) -> npt.NDArray[np.uintp] | None:
    """The address of the object in each cell of an object array (a read-only ``uintp``
    view of its memory, keeping it alive): equal addresses, the same object. None where an
    id is not an address (not CPython) or a cell is not a pointer's size."""
    if values.dtype != object:
        raise TypeError(f"cell_addresses: an object array, not {values.dtype}")
    if sys.implementation.name != "cpython" or np.dtype(np.uintp).itemsize != values.itemsize:
        return None
    out: npt.NDArray[np.uintp] = np.asarray(_Pointers(values))
    return out


def not_none(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """``np.not_equal(values, None)`` of an object array of ``str``/``None`` (a new bool
    array of its shape): whether each cell is not the ``None`` object."""
    if values.dtype != object:
        raise TypeError(f"not_none: an object array, not {values.dtype}")
    plain = sys.implementation.name != "cpython"  # only CPython's id is the address
    if plain or values.size == 0 or np.dtype(np.uintp).itemsize != values.itemsize:
        return np.asarray(np.not_equal(values, np.array(None, dtype=object)), dtype=np.bool_)
    return np.asarray(np.asarray(_Pointers(values)) != _NONE_ADDRESS, dtype=np.bool_)
