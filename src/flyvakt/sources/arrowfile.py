"""A Python file handed to one Arrow streaming reader, whose release by Arrow's threads can be
waited for: so that no Arrow thread touches Python after the reader's user is done.

Why: Arrow's streaming CSV reader reads ahead on its IO thread pool. A read in flight when the
reader is closed ends on that thread, which then drops the reader and with it its handle on the
Python file object, taking the GIL to do so (``PyReadableFile``'s destructor). If the
interpreter is finalizing by then, Python ends that thread (``pthread_exit`` in ``take_gil``)
inside C++ code that may not unwind, and the process aborts with "terminate called without an
active exception" (exit status 134) **after** its work is done: seen about once in 300 runs of a
200-row state-vector file under load (a core dump: ``~PyReadableFile`` -> ``PyGILState_Ensure``
-> ``take_gil`` -> ``pthread_exit`` -> ``std::terminate``; apache/arrow#34314 and #39862 are the
same family). A program reading files with :class:`~flyvakt.sources.FileReader` then reports
failure after it succeeded (``flyvakt replay`` ends with ``os._exit`` and never met it). The
reader's function waits (:meth:`ArrowFile.wait_released`) until Arrow has dropped the file, so
Arrow's last touch of Python happens while the program still runs.
"""

from __future__ import annotations

import io
import threading
from typing import IO, Any

# How long a reader's end waits for Arrow's IO thread to drop the file (seconds). The read in
# flight is one block from a local file or a pipe: milliseconds. A pipe that stalls (stdin with
# no more data yet) could hold it longer: the wait then gives up rather than hang the replay
# (the hazard is back only if the process also exits within that read).
RELEASE_WAIT_S = 2.0


class ArrowFile:
    """``raw`` as Arrow sees it (``read``, ``readable``, ``closed``; anything else asked of it
    is ``raw``'s), a thin object that only Arrow holds once handed over: its release is
    Arrow's, and sets ``released``."""

    def __init__(self, raw: io.RawIOBase | IO[bytes], released: threading.Event) -> None:
        self._raw = raw
        self._released = released
        self.read = raw.read  # bound once: Arrow calls it per block, no extra frame
        self.readable = raw.readable

    @property
    def closed(self) -> bool:
        return bool(self._raw.closed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def __del__(self) -> None:
        self._released.set()

    @staticmethod
    def wait_released(released: threading.Event) -> bool:
        """Wait (the GIL released) until Arrow dropped the file; False if it did not within
        :data:`RELEASE_WAIT_S`."""
        return released.wait(RELEASE_WAIT_S)
