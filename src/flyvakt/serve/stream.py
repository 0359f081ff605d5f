"""Server-Sent Events of hub messages.

Each client gets its own bounded subscription queue; the hub drops (and counts) messages for a
client that does not keep up, so a slow browser never blocks ingest. The stream tells the
client how many messages it lost with a ``status`` event carrying ``dropped``.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from flyvakt.serve.hub import HubLike

__all__ = ["KEEPALIVE_S", "SUBSCRIPTION_SIZE", "sse_messages"]

# Why 256: live positions come ~10 times a second, so this holds ~25 s of messages for a
# browser tab in the background before the hub starts dropping for it.
SUBSCRIPTION_SIZE = 256
# Why 15 s: proxies commonly close idle HTTP connections after 30-60 s.
KEEPALIVE_S = 15.0


def json_safe(obj: Any) -> Any:
    """JSON cannot carry NaN: replace non-finite floats with null, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if obj is None or isinstance(obj, str | int | bool):
        return obj
    return str(obj)  # e.g. an enum or dataclass in a source's status: text, not a crash


def sse_format(kind: str, data: dict[str, Any]) -> str:
    text = getattr(data, "json_text", None)  # made once by the hub for every stream
    if text is None:
        text = json.dumps(json_safe(data), separators=(",", ":"))
    return f"event: {kind}\ndata: {text}\n\n"


async def sse_messages(
    hub: HubLike,
    is_disconnected: Callable[[], Awaitable[bool]],
    max_messages: int | None = None,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """Yield SSE text for each hub message until the client goes away (or ``max_messages``)."""
    sub = hub.subscribe(SUBSCRIPTION_SIZE)
    sent = 0
    dropped_told = 0
    try:
        yield sse_format("status", {"kind": "status", "status": hub.status(), "dropped": 0})
        while max_messages is None or sent < max_messages:
            try:
                msg = await asyncio.wait_for(sub.queue.get(), timeout=keepalive_s)
            except TimeoutError:
                if await is_disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if sub.dropped != dropped_told:
                dropped_told = sub.dropped
                status = {"kind": "status", "status": hub.status(), "dropped": dropped_told}
                yield sse_format("status", status)
            yield sse_format(str(msg.get("kind", "message")), msg)
            sent += 1
    finally:
        hub.unsubscribe(sub)
