"""Profile plots: altitude and speed of one aircraft against time, events marked (PNG).

Optional extra ``flyvakt[plots]`` (matplotlib). Used by ``flyvakt plot`` and
``/api/plot/{icao24}.png``. Drawn on a bare ``Figure`` with the Agg canvas, never pyplot: no
global state, so the web server may draw in several threads at once.

A gap longer than ``gap_s`` between fixes breaks the lines (a gap is not a path, DESIGN.md
section 4): the plot never draws a climb or a speed it did not see.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from flyvakt.model import PositionBatch

__all__ = ["event_marks", "profile_png"]

# Why 60 s: the same gap as the store, exports and the map's tracks.
GAP_S = 60.0
# Why 10 x 6 in at 100 dpi: 1000 x 600 px reads on a laptop and in a newsroom CMS without
# scaling; two panels need the height.
FIGSIZE_IN = (10.0, 6.0)
DPI = 100
_EVENT_COLOURS = {"takeoff": "tab:green", "landing": "tab:red"}


def _broken(t: np.ndarray[Any, Any], y: np.ndarray[Any, Any], gap_s: float) -> tuple[Any, Any]:
    """``t``, ``y`` with a NaN inserted wherever fixes are more than ``gap_s`` apart."""
    cut = np.flatnonzero(np.diff(t) > gap_s) + 1
    return np.insert(t, cut, np.nan), np.insert(y, cut, np.nan)


def event_marks(events: Sequence[Any]) -> list[tuple[float, str, str]]:
    """(time_s, type, label) of :class:`flyvakt.model.Event` objects or their JSON records."""
    out = []
    for e in events:
        if isinstance(e, dict):
            t = datetime.fromisoformat(str(e["time"]).replace("Z", "+00:00")).timestamp()
            kind, airport = str(e["type"]), (e.get("airport") or {}).get("icao")
        else:
            t, kind, airport = e.time_s, str(e.type), e.airport.icao if e.airport else None
        out.append((t, kind, f"{kind} {airport}" if airport else kind))
    return out


def profile_png(
    batch: PositionBatch,
    marks: Sequence[tuple[float, str, str]] = (),
    title: str = "",
    gap_s: float = GAP_S,
) -> bytes:
    """The PNG: barometric (and GNSS) altitude above, ground speed below, one x axis (UTC).

    ``batch``: one aircraft's fixes; ``marks``: from :func:`event_marks`. ImportError with the
    extra to install when matplotlib is missing.
    """
    try:
        import matplotlib.dates as mdates
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plots need the optional package 'matplotlib': pip install 'flyvakt[plots]'"
        ) from None
    order = np.argsort(batch.time_s, kind="stable")
    t_s = batch.time_s[order]

    def when(t: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return (t * 1e6).astype("datetime64[us]")  # NaN -> NaT: the line breaks there

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    alt_ax, gs_ax = fig.subplots(2, 1, sharex=True)
    for ax, column, label, style in (
        (alt_ax, "altitude_baro_ft", "barometric", "-"),
        (alt_ax, "altitude_gnss_ft", "GNSS", "--"),
        (gs_ax, "groundspeed_kt", "ground speed", "-"),
    ):
        y = getattr(batch, column)[order]
        if np.isfinite(y).any():
            t, y = _broken(t_s, y, gap_s)
            ax.plot(when(t), y, style, linewidth=1.2, label=label)
    alt_ax.set_ylabel("altitude (ft)")
    gs_ax.set_ylabel("ground speed (kt)")
    gs_ax.set_xlabel("time (UTC)")
    for t, kind, label in marks:
        x = when(np.array([t]))[0]
        colour = _EVENT_COLOURS.get(kind, "tab:purple")
        for ax in (alt_ax, gs_ax):
            ax.axvline(x, color=colour, linestyle=":", linewidth=1.2)
        alt_ax.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                        va="top", ha="right", fontsize=8, color=colour)  # fmt: skip
    for ax in (alt_ax, gs_ax):
        ax.grid(True, alpha=0.3)
    if alt_ax.lines:
        alt_ax.legend(loc="lower center", fontsize=8)
    gs_ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=UTC))  # type: ignore[no-untyped-call]
    if len(t_s) == 0:
        alt_ax.text(0.5, 0.5, "no positions", transform=alt_ax.transAxes, ha="center")
    fig.suptitle(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
