"""Exports of stored tracks: GeoJSON, KML (Google Earth), CSV and Parquet.

A gap is not a path (DESIGN.md section 4): map formats split each aircraft's track into
segments wherever two consecutive fixes are more than ``gap_s`` apart, and draw one LineString
per segment, never a line across the gap. CSV and Parquet carry the fixes themselves with the
columns of ``flyvakt replay --positions-out`` and a ``thinned`` column (see :class:`Thinning`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np

from flyvakt.cli._outputs import POSITION_COLUMNS
from flyvakt.model.batches import PositionBatch, icao_hex, parse_icao_hex
from flyvakt.model.events import iso_utc
from flyvakt.store.wcore import THINNED_KEY

__all__ = [
    "FORMATS",
    "TABLE_COLUMNS",
    "Thinning",
    "segments",
    "thinning",
    "to_csv",
    "to_geojson",
    "to_kml",
    "write_export",
    "write_parquet",
]

FORMATS: tuple[str, ...] = ("geojson", "kml", "csv", "parquet")
# Why 60 s: thinning keeps a fix at least every 10 s airborne and 30 s parked, so 60 s without
# one means the receivers lost the aircraft.
DEFAULT_GAP_S = 60.0
FT_TO_M = 0.3048  # exact, by definition of the international foot


def segments(batch: PositionBatch, gap_s: float = DEFAULT_GAP_S) -> list[PositionBatch]:
    """Continuous pieces of track: per aircraft, cut wherever fixes are > ``gap_s`` apart.

    Fixes without a position are left out. Segments come sorted by (icao24, time).
    """
    b = batch.take(np.isfinite(batch.lat_deg) & np.isfinite(batch.lon_deg))
    if len(b) == 0:
        return []
    b = b.take(np.lexsort((b.time_s, b.icao24)))
    cut = np.r_[True, (b.icao24[1:] != b.icao24[:-1]) | (np.diff(b.time_s) > gap_s)]
    starts = np.flatnonzero(cut)
    ends = np.r_[starts[1:], len(b)]
    return [b.take(np.arange(s, e)) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _num(x: float, nd: int) -> float | None:
    return None if math.isnan(x) else round(float(x), nd)


def _coords(seg: PositionBatch) -> list[list[float]]:
    """[lon, lat, alt_m] for every fix when every fix has an altitude, else [lon, lat]: one
    dimensionality per geometry (shapely/GEOS reject a LineString mixing 2-D and 3-D)."""
    alt_ft = np.where(np.isfinite(seg.altitude_baro_ft), seg.altitude_baro_ft, seg.altitude_gnss_ft)
    lons, lats = seg.lon_deg.tolist(), seg.lat_deg.tolist()
    if bool(np.all(np.isfinite(alt_ft))):
        return [
            [round(lon, 6), round(lat, 6), round(alt * FT_TO_M, 1)]
            for lon, lat, alt in zip(lons, lats, alt_ft.tolist(), strict=True)
        ]
    return [[round(lon, 6), round(lat, 6)] for lon, lat in zip(lons, lats, strict=True)]


def to_geojson(
    batch: PositionBatch,
    events: Sequence[dict[str, Any]] = (),
    gap_s: float = DEFAULT_GAP_S,
) -> dict[str, Any]:
    """A FeatureCollection: one LineString per continuous segment, one Point per event.

    Coordinates are [lon, lat, altitude_m] (altitude omitted when unknown), per RFC 7946.
    A one-fix segment becomes a Point feature (a LineString needs two positions).
    """
    features: list[dict[str, Any]] = []
    for seg in segments(batch, gap_s):
        coords = _coords(seg)
        props = {
            "icao24": icao_hex(int(seg.icao24[0])),
            "callsign": next((c for c in seg.callsign if c is not None), None),
            "start": iso_utc(float(seg.time_s[0])),
            "end": iso_utc(float(seg.time_s[-1])),
            "n_points": len(seg),
            "kind": "track",
        }
        geometry: dict[str, Any] = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    for ev in events:
        if ev.get("lat") is None or ev.get("lon") is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [ev["lon"], ev["lat"]]},
                "properties": {**ev, "kind": "event"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def to_kml(
    batch: PositionBatch,
    events: Sequence[dict[str, Any]] = (),
    gap_s: float = DEFAULT_GAP_S,
    name: str = "flyvakt export",
) -> str:
    """KML 2.2 for Google Earth: a Folder per aircraft, one ``gx:Track`` per segment (each fix
    with its ``when``, so Google Earth's time slider plays the flight), events as Placemarks
    with a ``TimeStamp``.

    Coordinates are ``lon lat alt_m`` with ``altitudeMode`` absolute (barometric altitude is
    close enough to height above mean sea level for a picture; it is not a survey); a fix
    without altitude is drawn at 0 m.
    """
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        '<kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>\n'
    )
    out.write(f"<name>{escape(name)}</name>\n")
    by_aircraft: dict[int, list[PositionBatch]] = {}
    for seg in segments(batch, gap_s):
        by_aircraft.setdefault(int(seg.icao24[0]), []).append(seg)
    events_by: dict[str, list[dict[str, Any]]] = {}
    for ev in events:
        events_by.setdefault(str(ev.get("icao24")), []).append(ev)
    for icao in sorted(set(by_aircraft) | {parse_icao_hex(k) for k in events_by if _is_hex(k)}):
        hex_id = icao_hex(icao)
        out.write(f"<Folder><name>{hex_id}</name>\n")
        for seg in by_aircraft.get(icao, []):
            label = f"{hex_id} {iso_utc(float(seg.time_s[0]))} – {iso_utc(float(seg.time_s[-1]))}"
            whens = "".join(f"<when>{iso_utc_ms(float(t))}</when>" for t in seg.time_s.tolist())
            coords = "".join(
                f"<gx:coord>{c[0]} {c[1]} {c[2] if len(c) > 2 else 0}</gx:coord>"
                for c in _coords(seg)
            )
            out.write(
                f"<Placemark><name>{escape(label)}</name><gx:Track>"
                f"<altitudeMode>absolute</altitudeMode>{whens}{coords}</gx:Track></Placemark>\n"
            )
        for ev in events_by.get(hex_id, []):
            if ev.get("lat") is None or ev.get("lon") is None:
                continue
            alt_ft = ev.get("altitude_baro_ft")
            alt_m = round(alt_ft * FT_TO_M, 1) if alt_ft is not None else 0
            mode = "absolute" if alt_ft is not None else "clampToGround"
            label = f"{ev.get('type')} {ev.get('time')}"
            desc = ev.get("reason") or ""
            out.write(
                f"<Placemark><name>{escape(label)}</name>"
                f"<TimeStamp><when>{escape(str(ev.get('time')))}</when></TimeStamp>"
                f"<description>{escape(str(desc))}</description><Point>"
                f"<altitudeMode>{mode}</altitudeMode>"
                f"<coordinates>{ev['lon']},{ev['lat']},{alt_m}</coordinates></Point></Placemark>\n"
            )
        out.write("</Folder>\n")
    out.write("</Document></kml>\n")
    return out.getvalue()


def _is_hex(text: str) -> bool:
    try:
        parse_icao_hex(text)
    except ValueError:
        return False
    return True


def iso_utc_ms(time_s: float) -> str:
    """ISO 8601 UTC with milliseconds (track fixes are sub-second)."""
    from flyvakt.model.events import iso_utc_ms as iso

    return iso(time_s)


#: CSV/Parquet columns: those of ``flyvakt replay --positions-out`` plus ``thinned``.
TABLE_COLUMNS: tuple[str, ...] = (*POSITION_COLUMNS, "thinned")


@dataclass(frozen=True)
class Thinning:
    """How many of the fixes heard the store kept, per aircraft (from its coverage counts).

    The store keeps a thinned track by default (:mod:`flyvakt.store.thin`); an export says so
    in a ``thinned`` column (per aircraft; empty when unknown) and, in Parquet, in the file's
    metadata (``flyvakt.points_kept``, ``flyvakt.points_heard``).
    """

    kept: dict[int, int] = field(default_factory=dict)
    heard: dict[int, int] = field(default_factory=dict)
    store_thins: str | None = None  # the store's meta "positions_thinned": yes / no / mixed

    def thinned(self, icao24: int) -> bool | None:
        if self.store_thins == "no":
            return False  # fewer kept than heard: fixes at the same instant, stored once
        if icao24 not in self.heard:
            return None
        return self.kept[icao24] < self.heard[icao24]

    @property
    def points_kept(self) -> int:
        return sum(self.kept.values())

    @property
    def points_heard(self) -> int:
        return sum(self.heard.values())

    def describe(self) -> str:
        counts = f"{self.points_kept:,} of {self.points_heard:,} points heard are stored"
        if self.store_thins == "no" or self.points_kept >= self.points_heard:
            return f"not thinned: {counts} (fixes at the same instant are stored once)"
        return f"thinned: {counts}; `flyvakt replay --db FILE --all-points` stores every point"


def thinning(reader: Any, icao24s: Sequence[int | str], from_s: float, to_s: float) -> Thinning:
    """The :class:`Thinning` of these aircraft's stored tracks in [from_s, to_s]."""
    out = Thinning(store_thins=reader.meta(THINNED_KEY))
    for icao in icao24s:
        kept, heard = reader.kept_and_heard(icao, from_s, to_s)
        key = parse_icao_hex(icao) if isinstance(icao, str) else int(icao)
        if heard:
            out.kept[key], out.heard[key] = kept, heard
    return out


def _thinned_column(batch: PositionBatch, thin: Thinning | None) -> list[bool | None]:
    flags = {a: (thin.thinned(a) if thin else None) for a in np.unique(batch.icao24).tolist()}
    return [flags[a] for a in batch.icao24.tolist()]


def to_csv(batch: PositionBatch, stream: IO[str], thin: Thinning | None = None) -> None:
    """Fixes as CSV with ``replay --positions-out``'s columns (ISO UTC times) + ``thinned``."""
    from flyvakt.cli._outputs import position_columns

    cols = position_columns(batch)
    times = [iso_utc_ms(t) for t in cols.pop("time_s")]
    cols["receivers"] = [";".join(map(str, r)) for r in cols["receivers"]]
    cols["thinned"] = _thinned_column(batch, thin)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows(zip(times, *cols.values(), strict=True))


def write_parquet(
    batch: PositionBatch, path: str | Path | IO[bytes], thin: Thinning | None = None
) -> None:
    """Fixes as Parquet: ``replay --positions-out``'s schema + ``thinned``, counts in metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flyvakt.cli._outputs import positions_table

    table = positions_table(batch).append_column(
        "thinned", pa.array(_thinned_column(batch, thin), type=pa.bool_())
    )
    meta = {b"flyvakt.columns": b"replay --positions-out, thinned"}
    if thin is not None:
        meta[b"flyvakt.points_kept"] = str(thin.points_kept).encode()
        meta[b"flyvakt.points_heard"] = str(thin.points_heard).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def write_export(
    fmt: str,
    batch: PositionBatch,
    events: Sequence[dict[str, Any]],
    out: str | Path | None,
    gap_s: float = DEFAULT_GAP_S,
    thin: Thinning | None = None,
) -> None:
    """Write ``batch`` (and events, for map formats) in ``fmt`` to ``out`` (None: stdout)."""
    import sys

    if fmt == "parquet":
        if out is None:
            write_parquet(batch, sys.stdout.buffer, thin)
        else:
            write_parquet(batch, out, thin)
        return
    if fmt == "geojson":
        text = json.dumps(to_geojson(batch, events, gap_s)) + "\n"
    elif fmt == "kml":
        text = to_kml(batch, events, gap_s)
    elif fmt == "csv":
        buf = io.StringIO()
        to_csv(batch, buf, thin)
        text = buf.getvalue()
    else:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
