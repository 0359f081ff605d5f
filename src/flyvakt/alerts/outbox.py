"""A durable outbox for alert deliveries: an alert is marked sent only once it was delivered.

Each delivery (one alert on one channel) is appended to a JSON-lines file *before* it is
attempted (``{"op": "queued", "id", "channel", "payload"}``, flushed and fsynced) and marked
``{"op": "sent", "id"}`` only after the channel accepted it. A process that dies, or a webhook
that stays down, leaves the delivery pending: it is retried with backoff (from 5 s, doubling,
at most every 10 minutes) for as long as it takes, also after a restart, which reads the file
back. The file is compacted to its pending entries when it has grown past COMPACT_AFTER lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Outbox", "Pending"]

# Why 5 s then doubling to 10 min: a webhook that blips is retried almost at once; one that is
# down for hours is not hammered, and still gets every alert within 10 minutes of returning.
RETRY_START_S = 5.0
RETRY_MAX_S = 600.0
# Why 1,000 lines: compaction rewrites the file; doing it every thousand deliveries keeps the
# file small without rewriting it on every alert.
COMPACT_AFTER = 1000


@dataclass
class Pending:
    id: str
    channel: str
    payload: dict[str, Any]
    attempts: int = 0
    next_try_s: float = 0.0  # monotonic seconds (the caller's clock)


class Outbox:
    """Pending deliveries, persisted in ``path`` (None: in memory only)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.pending: dict[str, Pending] = {}
        self._lines = 0
        if self.path is not None and self.path.exists():
            self._load(self.path)

    def _load(self, path: Path) -> None:
        raw = path.read_bytes()
        if raw and not raw.endswith(b"\n"):  # a write torn by a crash: cut it off
            with path.open("r+b") as fh:
                fh.truncate(raw.rfind(b"\n") + 1)
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                self._lines += 1
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line from a crash: that delivery was never queued
                if rec.get("op") == "queued":
                    self.pending[rec["id"]] = Pending(rec["id"], rec["channel"], rec["payload"])
                elif rec.get("op") == "sent":
                    self.pending.pop(rec.get("id"), None)

    def _append(self, rec: dict[str, Any]) -> None:
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._lines += 1

    def add(self, delivery_id: str, channel: str, payload: dict[str, Any]) -> Pending:
        p = Pending(delivery_id, channel, payload)
        self.pending[delivery_id] = p
        self._append({"op": "queued", "id": delivery_id, "channel": channel, "payload": payload})
        return p

    def sent(self, delivery_id: str) -> None:
        if self.pending.pop(delivery_id, None) is not None:
            self._append({"op": "sent", "id": delivery_id})
        if self._lines > COMPACT_AFTER and self._lines > 2 * len(self.pending):
            self._compact()

    def failed(self, delivery_id: str, now_s: float) -> None:
        p = self.pending.get(delivery_id)
        if p is not None:
            p.attempts += 1
            p.next_try_s = now_s + min(RETRY_MAX_S, RETRY_START_S * 2 ** (p.attempts - 1))

    def due(self, now_s: float) -> list[Pending]:
        return [p for p in self.pending.values() if p.next_try_s <= now_s]

    def _compact(self) -> None:
        assert self.path is not None
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for p in self.pending.values():
                rec = {"op": "queued", "id": p.id, "channel": p.channel, "payload": p.payload}
                fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._lines = len(self.pending)
