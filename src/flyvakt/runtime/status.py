"""The one-line status of a running engine (``flyvakt run`` prints it every 5 s to stderr)."""

from __future__ import annotations

from typing import Any

from flyvakt.model.events import iso_utc

__all__ = ["status_line"]


def status_line(status: dict[str, Any]) -> str:
    """``2024-07-06T07:02:11Z  412.0 frames/s  3 aircraft  2 events  0 drops  7 shed  5 bad
    [feed: connected, 3 skipped]``; "shed" counts live frames that could not reach the API
    within the latency bound (``flyvakt run --max-latency``), "bad" records dropped at the
    edge (absurd times, values out of range) and failed batches, "skipped" a feed's corrupt
    or truncated input.

    ``status`` is :meth:`flyvakt.runtime.hub.Hub.status`.
    """
    now = status.get("now_s")
    parts = [
        iso_utc(now) if isinstance(now, int | float) else "no data yet",
        f"{float(status.get('frames_per_s', 0.0)):.1f} frames/s",
        f"{int(status.get('aircraft', 0))} aircraft",
        f"{int(status.get('events', 0))} events",
        f"{int(status.get('drops', 0))} drops",
    ]
    shed = int(status.get("buffer_drops", 0))
    if shed:  # live frames that could not reach the API within --max-latency
        parts.append(f"{shed} shed")
    bad = sum((status.get("edge_dropped") or {}).values()) + int(status.get("step_errors", 0))
    if bad:
        parts.append(f"{bad} bad")
    feeds = []
    for url, st in (status.get("sources") or {}).items():
        state = st.get("state", "?") if isinstance(st, dict) else "?"
        skipped = sum((st.get("skipped") or {}).values()) if isinstance(st, dict) else 0
        feeds.append(f"{url}: {state}" + (f", {skipped} skipped" if skipped else ""))
    line = "  ".join(parts)
    if feeds:
        line += "  [" + "; ".join(feeds) + "]"
    return line
