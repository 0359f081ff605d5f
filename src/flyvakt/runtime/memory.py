"""The process's own memory, for ``/api/status`` and ``/metrics``, and giving freed heap back.

A long ``flyvakt run`` (weeks, for a hobbyist) must stay flat. Measured on the soak (3,333
aircraft at 20 k frames/s), the Python-side state is flat after warm-up; what grew was

- SQLite's page cache, filling as the store grows until its ``cache_size`` (bounded, sized by
  the store writer to the aircraft in range: :mod:`flyvakt.store.writer`), and
- glibc's heap keeping the pages of freed blocks (NumPy arrays of every step are freed in
  an order that leaves holes the allocator does not return on its own).

:func:`trim_heap` returns the heap's free pages to the operating system (glibc's
``malloc_trim``; elsewhere nothing to do), called by the engine once a minute.
:func:`rss_mb` and :func:`sqlite_memory_mb` report the two figures, so the RSS can be read
apart from the (bounded) SQLite cache. All three are best effort: ``None``/``False`` where the
platform does not offer them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from pathlib import Path
from typing import Any

__all__ = ["memory_figures", "rss_mb", "sqlite_memory_mb", "trim_heap"]

_MIB = 1024 * 1024


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        fn = lib.malloc_trim  # glibc only (musl and macOS have none)
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


@functools.cache
def _sqlite_memory_used() -> Any:
    """``sqlite3_memory_used`` of the SQLite library the ``sqlite3`` module uses (looked up
    through the module's own extension, so it is the same library, not another copy)."""
    import _sqlite3

    path = getattr(_sqlite3, "__file__", None)
    if path is None:
        return None
    try:
        fn = ctypes.CDLL(path).sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    fn.argtypes = []
    fn.restype = ctypes.c_int64
    return fn


def trim_heap() -> bool:
    """Give the heap's free pages back to the operating system; False where not possible."""
    fn = _libc()
    if fn is None:
        return False
    fn(0)
    return True


def rss_mb(status_path: str = "/proc/self/status") -> float | None:
    """Resident set size of this process in MiB (Linux), else None."""
    try:
        text = Path(status_path).read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def sqlite_memory_mb() -> float | None:
    """Memory SQLite holds in this process (page caches, statements), in MiB, or None."""
    fn = _sqlite_memory_used()
    return None if fn is None else int(fn()) / _MIB


def memory_figures() -> dict[str, float]:
    """``rss_mb`` and ``sqlite_mb`` (those available), rounded, for the status."""
    out: dict[str, float] = {}
    for key, value in (("rss_mb", rss_mb()), ("sqlite_mb", sqlite_memory_mb())):
        if value is not None:
            out[key] = round(value, 1)
    return out
