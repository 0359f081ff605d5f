"""``GET /metrics``: the live engine's counters in Prometheus text format (version 0.0.4).

Built from :meth:`flyvakt.runtime.hub.Hub.status` (the same figures as ``/api/status`` and the
status line), so the three never disagree. Counters end in ``_total``; per-reason and
per-source figures are labels.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["CONTENT_TYPE", "prometheus_text"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# name, kind, help, key in Hub.status()
_SCALARS = (
    ("flyvakt_frames_total", "counter", "Frames received by the pipeline", "frames"),
    ("flyvakt_positions_total", "counter", "Positions accepted by the tracker", "positions"),
    ("flyvakt_events_total", "counter", "Events detected", "events"),
    ("flyvakt_batches_total", "counter", "Pipeline steps published", "batches"),
    ("flyvakt_aircraft", "gauge", "Aircraft heard in the last 300 s of data time", "aircraft"),
    ("flyvakt_frames_per_second", "gauge", "Frames per second over the last status interval",
     "frames_per_s"),
    ("flyvakt_store_drops_total", "counter", "Batches the store queue could not take",
     "store_drops"),
    ("flyvakt_subscriber_drops_total", "counter", "Messages a slow map client missed",
     "subscriber_drops"),
    ("flyvakt_buffer_drops_total", "counter", "Live frames shed: could not reach the API in time",
     "buffer_drops"),
    ("flyvakt_lag_seconds", "gauge", "Wait of the oldest live frame in the last step",
     "lag_s"),
    ("flyvakt_max_latency_seconds", "gauge",
     "Latency bound: live frames that cannot reach the API within it are shed (--max-latency; "
     "0: none)",
     "max_latency_s"),
    ("flyvakt_step_frames", "gauge", "Frames per pipeline step (sized by time and load)",
     "step_frames"),
    ("flyvakt_tick_seconds", "gauge", "Live step interval (adapted to the load)", "tick_s"),
    ("flyvakt_step_errors_total", "counter", "Batches that failed and were skipped",
     "step_errors"),
    ("flyvakt_data_time_seconds", "gauge", "Data time of the latest batch (Unix seconds)",
     "now_s"),
    ("flyvakt_resident_memory_megabytes", "gauge", "Resident set size of the process (MiB)",
     "rss_mb"),
    ("flyvakt_sqlite_memory_megabytes", "gauge",
     "Memory SQLite holds in the process, page caches included (MiB)", "sqlite_mb"),
    ("flyvakt_store_cache_kibibytes", "gauge",
     "Page cache size of the store writer (KiB, sized to the aircraft in range)",
     "store_cache_kib"),
)  # fmt: skip
# name, help, key in Hub.status() of a reason -> count dict
_BY_REASON = (
    ("flyvakt_edge_dropped_total", "Records dropped at the edge (bad time or value)",
     "edge_dropped"),
    ("flyvakt_decode_dropped_total", "Frames the decoder could not use", "decode_dropped"),
    ("flyvakt_track_rejected_total", "Observations the tracker rejected", "track_rejected"),
)  # fmt: skip
_SOURCE_STATES = ("connecting", "connected", "stalled", "disconnected", "backoff", "stopped")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: Any) -> str | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else repr(v) if not v.is_integer() else str(int(v))


def prometheus_text(status: dict[str, Any]) -> str:
    out: list[str] = []

    def family(name: str, kind: str, text: str) -> None:
        out.append(f"# HELP {name} {text}")
        out.append(f"# TYPE {name} {kind}")

    for name, kind, text, key in _SCALARS:
        v = _num(status.get(key, 0) if status.get(key) is not None else None)
        if v is not None:
            family(name, kind, text)
            out.append(f"{name} {v}")
    for name, text, key in _BY_REASON:
        family(name, "counter", text)
        for reason, n in sorted((status.get(key) or {}).items()):
            out.append(f'{name}{{reason="{_label(str(reason))}"}} {int(n)}')
    sources = status.get("sources") or {}
    family("flyvakt_source_frames_total", "counter", "Frames received per source")
    family("flyvakt_source_bytes_total", "counter", "Bytes received per source")
    family("flyvakt_source_state", "gauge", "1 for the state each source is in")
    family("flyvakt_source_stalls_total", "counter", "Times a connected feed went quiet")
    family("flyvakt_source_skipped_total", "counter", "Corrupt or truncated input skipped")
    for url, st in sorted(sources.items()):
        if not isinstance(st, dict):
            continue
        src = f'source="{_label(str(url))}"'
        for key, name in (
            ("frames", "flyvakt_source_frames_total"),
            ("bytes", "flyvakt_source_bytes_total"),
            ("stalls", "flyvakt_source_stalls_total"),
        ):
            v = _num(st.get(key))
            if v is not None:
                out.append(f"{name}{{{src}}} {v}")
        state = str(st.get("state", ""))
        for s in _SOURCE_STATES:
            out.append(f'flyvakt_source_state{{{src},state="{s}"}} {int(state == s)}')
        for reason, n in sorted((st.get("skipped") or {}).items()):
            out.append(
                f'flyvakt_source_skipped_total{{{src},reason="{_label(str(reason))}"}} {int(n)}'
            )
    return "\n".join(out) + "\n"
