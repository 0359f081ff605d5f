"""Write-ahead log for events: an event offered to the store survives ``kill -9``.

The store writer queues batches in memory and commits them from its thread; a process killed
with a backlog loses what was queued. Events are few and precious (a "has landed"), so
:meth:`StoreWriter.offer` also appends them here, flushed and fsynced, *before* they are
queued. At the next start the writer inserts what the log holds (``INSERT OR IGNORE``: events
already committed are not doubled) and empties the log; a clean close empties it too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["EventLog"]


class EventLog:
    """JSON lines of event rows (:func:`flyvakt.store.sql.event_row`) at ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def read(self) -> list[dict[str, Any]]:
        """Rows logged; a line torn by a crash (the last one) is skipped."""
        if not self.path.exists():
            return []
        rows = []
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return rows

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
