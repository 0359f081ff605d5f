"""What the web server needs from the live engine (``flyvakt.runtime.hub.Hub``).

The server codes against these protocols only, so it runs with the real hub, with a fake one
in tests, or with none at all (then "now" is the newest data in the store).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


class SubscriptionLike(Protocol):
    """One client's feed: a bounded queue of messages; ``dropped`` counts what did not fit."""

    queue: asyncio.Queue[dict[str, Any]]
    dropped: int


class HubLike(Protocol):
    """Live view of the running engine.

    Messages on a subscription queue are dicts with ``kind`` in ``positions`` | ``event`` |
    ``status`` plus kind-specific keys. The hub must never block on a full queue: it drops
    (and counts) instead, so a slow browser never slows ingest.
    """

    @property
    def now_s(self) -> float | None: ...

    def aircraft_now(self, now_s: float | None = None) -> list[dict[str, Any]]: ...

    def subscribe(self, maxsize: int) -> SubscriptionLike: ...

    def unsubscribe(self, sub: SubscriptionLike) -> None: ...

    def status(self) -> dict[str, Any]: ...
