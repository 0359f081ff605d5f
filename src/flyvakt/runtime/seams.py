"""The seams between the engines and what they feed, as Protocols (no ``Any``).

Both engines, the in-process one (:mod:`flyvakt.runtime.engine`) and the Kafka consumer
(:mod:`flyvakt.stream.consume`), hand their outputs to a store writer and an alert manager.
They need only these members; tests may pass anything that has them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Protocol

from flyvakt.model import Event

if TYPE_CHECKING:
    from flyvakt.store.thin import ThinState

__all__ = ["AlertSink", "ResumableStore", "StoreSink"]


class StoreSink(Protocol):
    """What an engine needs of the store writer (:class:`flyvakt.store.StoreWriter`):
    ``offer`` never blocks (False and ``drops`` + 1 when its queue is full)."""

    drops: int

    def offer(self, item: Any) -> bool: ...


class ResumableStore(StoreSink, Protocol):
    """What ``run --from`` also needs, to checkpoint with the store: everything offered
    committed (``flush``), then the thinner's state to resume from."""

    def flush(self) -> None: ...

    def thin_snapshot(self) -> tuple[ThinState, float, float]: ...


class AlertSink(Protocol):
    """What an engine needs of the alert manager (:class:`flyvakt.alerts.AlertManager`)."""

    sent: Counter[str]
    failed: Counter[str]

    def submit(self, events: list[Event], now_s: float | None = None) -> object: ...

    def retry_due(self) -> int: ...

    @property
    def pending(self) -> int: ...

    async def drain(self, timeout_s: float = 30.0) -> None: ...
