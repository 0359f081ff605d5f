"""Pure conversions for the HTTP layer: query parsing, readsb aircraft.json rows, outlines.

Nothing here does I/O; bad input raises :class:`BadRequest` with a message meant for the user.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from flyvakt.decode.tables import category_label
from flyvakt.model.batches import NON_ICAO, PositionBatch, Source, icao_hex
from flyvakt.store.export import segments

__all__ = [
    "FLYVAKT_AIRCRAFT_FIELDS",
    "READSB_AIRCRAFT_FIELDS",
    "READSB_RECEIVER_FIELDS",
    "AircraftSnapshot",
    "BadRequest",
    "aircraft_rows",
    "antimeridian_safe",
    "parse_icao24_param",
    "parse_time_param",
    "readsb_aircraft",
    "receiver_json",
    "track_json",
]

# Keys of one aircraft object in readsb's aircraft.json (readsb README-json.md). We emit only a
# subset, with readsb's units: feet, knots, degrees, ft/min, seconds.
READSB_AIRCRAFT_FIELDS: frozenset[str] = frozenset(
    [
        "hex",
        "type",
        "flight",
        "r",
        "t",
        "dbFlags",
        "alt_baro",
        "alt_geom",
        "gs",
        "ias",
        "tas",
        "mach",
        "wd",
        "ws",
        "oat",
        "tat",
        "track",
        "track_rate",
        "roll",
        "mag_heading",
        "true_heading",
        "baro_rate",
        "geom_rate",
        "squawk",
        "emergency",
        "category",
        "nav_qnh",
        "nav_altitude_mcp",
        "nav_altitude_fms",
        "nav_heading",
        "nav_modes",
        "lat",
        "lon",
        "nic",
        "rc",
        "seen_pos",
        "r_dst",
        "r_dir",
        "version",
        "nic_baro",
        "nac_p",
        "nac_v",
        "sil",
        "sil_type",
        "gva",
        "sda",
        "alert",
        "spi",
        "mlat",
        "tisb",
        "messages",
        "seen",
        "rssi",
        "lastPosition",
        "rr_lat",
        "rr_lon",
        "calc_track",
        "gpsOkBefore",
        "acas_ra",
        "dir",
        "dst",
    ]
)
# Our additions (clients such as tar1090 ignore unknown keys): fleet ids, the source name of
# the newest fix, and the age in seconds of each field (the live hub fills the last one).
FLYVAKT_AIRCRAFT_FIELDS: frozenset[str] = frozenset({"fleet", "source", "field_age_s"})

# Keys of readsb's receiver.json (README-json.md).
READSB_RECEIVER_FIELDS: frozenset[str] = frozenset({"version", "refresh", "history", "lat", "lon"})

# readsb's "type" per source, (ICAO address, non-ICAO address); SBS and already-decoded state
# vectors are readsb's "other".
_READSB_TYPE = {
    Source.ADSB: ("adsb_icao", "adsb_other"),
    Source.MODE_S: ("mode_s", "mode_s"),
    Source.MLAT: ("mlat", "mlat"),
    Source.TISB: ("tisb_icao", "tisb_other"),
    Source.ADSR: ("adsr_icao", "adsr_other"),
    Source.SBS: ("other", "other"),
    Source.STATE_VECTOR: ("other", "other"),
}
# The fields of an aircraft.json object that come with a position (listed in "mlat"/"tisb"
# when the position came from that source).
_POSITION_KEYS = ("lat", "lon", "seen_pos")
# ADS-B emergency/priority status (TC 28 subtype 1), as readsb names it.
_EMERGENCY = ("none", "general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "reserved")
_HEX = re.compile(r"^[0-9a-fA-F]{6}$")
# Why year 1970..2200: epoch numbers outside that range are almost always milliseconds or typos.
_EPOCH_MIN_S, _EPOCH_MAX_S = 0.0, 7258118400.0


# Why 89.9°: the outlines put polar edges at exactly ±90; anything this close is a pole edge.
POLE_LAT_DEG = 89.9


class BadRequest(ValueError):
    """A client error; the message is shown to the user as ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_icao24_param(text: str) -> str:
    """A 6-digit hex address (lower-cased; ``~`` first for a non-ICAO one); BadRequest otherwise."""
    value = text.strip()
    tilde = value.startswith("~")
    value = value.lstrip("~")
    if value.startswith(("0x", "0X")):
        value = value[2:]
    if not _HEX.match(value):
        raise BadRequest(f"icao24 must be 6 hex digits (e.g. 393322, ~c639ee), got {text!r}")
    return ("~" if tilde else "") + value.lower()


def parse_time_param(name: str, text: str | None, default: float | None) -> float | None:
    """ISO 8601 (``Z``/offset; naive = UTC) or epoch seconds → epoch seconds."""
    if text is None or text.strip() == "":
        return default
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(number) or not _EPOCH_MIN_S <= number <= _EPOCH_MAX_S:
            raise BadRequest(f"{name}: epoch seconds out of range: {text!r}")
        return number
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            f"{name}: not a time: {text!r} (use ISO 8601 like 2024-07-06T06:30:00Z or epoch "
            "seconds)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _f(x: float, nd: int) -> float | None:
    return None if not math.isfinite(x) else round(float(x), nd)


@dataclass
class AircraftSnapshot:
    """What is known of one aircraft, in flyvakt's units; unknown is NaN / -1 / None.

    The live hub (from the tracker's state) and the store (from the last fixes) both fill one
    of these, and :func:`readsb_aircraft` alone turns it into an aircraft.json object.
    """

    icao24: int
    last_seen_s: float
    source: int = 0
    callsign: str | None = None
    on_ground: int = -1
    altitude_baro_ft: float = math.nan
    altitude_gnss_ft: float = math.nan
    groundspeed_kt: float = math.nan
    track_deg: float = math.nan
    vertical_rate_fpm: float = math.nan
    squawk: int = -1
    lat_deg: float = math.nan
    lon_deg: float = math.nan
    pos_time_s: float = math.nan
    category: int = -1
    emergency: int = -1
    adsb_version: int = -1
    nac_p: int = -1
    messages: int = -1


def readsb_aircraft(s: AircraftSnapshot, now_s: float) -> dict[str, Any]:
    """One aircraft.json object with readsb's keys, units and JSON types (README-json.md):
    feet and ft/min as integers, knots and degrees as numbers, squawk as 4 octal digits,
    category "A0".."D7", keys omitted when unknown; ``hex`` is ``~`` + hex for a non-ICAO
    address; ``mlat``/``tisb`` list the position fields when the newest position came from
    MLAT / TIS-B (the snapshot keeps one source, so other fields are not attributed)."""
    src = int(s.source)
    types = _READSB_TYPE.get(Source(src), ("other", "other")) if src in _SOURCES else None
    row: dict[str, Any] = {
        "hex": icao_hex(s.icao24),
        "type": "other" if types is None else types[1 if s.icao24 & NON_ICAO else 0],
    }
    if s.callsign:
        row["flight"] = f"{str(s.callsign).strip():<8}"
    if s.on_ground == 1:
        row["alt_baro"] = "ground"
    elif math.isfinite(s.altitude_baro_ft):
        row["alt_baro"] = round(s.altitude_baro_ft)
    if math.isfinite(s.altitude_gnss_ft):
        row["alt_geom"] = round(s.altitude_gnss_ft)
    for key, value in (("gs", s.groundspeed_kt), ("track", s.track_deg)):
        v = _f(value, 1)
        if v is not None:
            row[key] = v
    if math.isfinite(s.vertical_rate_fpm):
        row["baro_rate"] = round(s.vertical_rate_fpm)
    if s.squawk >= 0:
        row["squawk"] = f"{s.squawk:04d}"
    if 0 <= s.emergency < len(_EMERGENCY):
        row["emergency"] = _EMERGENCY[s.emergency]
    if 0 <= s.category < 32:
        row["category"] = category_label(s.category)
    if math.isfinite(s.lat_deg) and math.isfinite(s.lon_deg):
        row["lat"], row["lon"] = round(s.lat_deg, 6), round(s.lon_deg, 6)
        pos_t = s.pos_time_s if math.isfinite(s.pos_time_s) else s.last_seen_s
        row["seen_pos"] = round(max(0.0, now_s - pos_t), 1)
    if s.adsb_version >= 0:
        row["version"] = int(s.adsb_version)
    if s.nac_p >= 0:
        row["nac_p"] = int(s.nac_p)
    row["mlat"], row["tisb"] = [], []
    if "lat" in row and src in (Source.MLAT, Source.TISB):
        row["mlat" if src == Source.MLAT else "tisb"] = list(_POSITION_KEYS)
    if s.messages >= 0:
        row["messages"] = int(s.messages)
    row["seen"] = round(max(0.0, now_s - s.last_seen_s), 1)
    row["source"] = Source(src).name.lower() if src in _SOURCES else "unknown"
    return row


_SOURCES = frozenset(int(x) for x in Source)


def receiver_json(
    version: str, refresh_ms: int, lat: float | None = None, lon: float | None = None
) -> dict[str, Any]:
    """readsb's receiver.json: flyvakt keeps no history_N.json files (``history`` 0)."""
    out: dict[str, Any] = {"version": version, "refresh": int(refresh_ms), "history": 0}
    if lat is not None and lon is not None:
        out["lat"], out["lon"] = round(lat, 6), round(lon, 6)
    return out


def aircraft_rows(
    batch: PositionBatch, now_s: float, fleets_of: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    """Last fixes (from the store) as readsb aircraft.json objects."""
    out: list[dict[str, Any]] = []
    fleets_of = fleets_of or {}
    for i in range(len(batch)):
        t = float(batch.time_s[i])
        snap = AircraftSnapshot(
            icao24=int(batch.icao24[i]),
            last_seen_s=t,
            source=int(batch.source[i]),
            callsign=batch.callsign[i] or None,
            on_ground=int(batch.on_ground[i]),
            altitude_baro_ft=float(batch.altitude_baro_ft[i]),
            altitude_gnss_ft=float(batch.altitude_gnss_ft[i]),
            groundspeed_kt=float(batch.groundspeed_kt[i]),
            track_deg=float(batch.track_deg[i]),
            vertical_rate_fpm=float(batch.vertical_rate_fpm[i]),
            squawk=int(batch.squawk[i]),
            lat_deg=float(batch.lat_deg[i]),
            lon_deg=float(batch.lon_deg[i]),
            pos_time_s=t,
        )
        row = readsb_aircraft(snap, now_s)
        row["fleet"] = fleets_of.get(row["hex"], [])
        out.append(row)
    return out


def track_json(batch: PositionBatch, gap_s: float) -> dict[str, Any]:
    """Points plus ``segments`` (lists of [time_s, lat, lon, alt_ft]) split at gaps > gap_s."""
    segs = segments(batch, gap_s)
    seg_json = []
    for seg in segs:
        alt = np.where(
            np.isfinite(seg.altitude_baro_ft), seg.altitude_baro_ft, seg.altitude_gnss_ft
        )
        seg_json.append(
            [
                [round(t, 3), round(la, 6), round(lo, 6), _f(a, 0)]
                for t, la, lo, a in zip(
                    seg.time_s.tolist(),
                    seg.lat_deg.tolist(),
                    seg.lon_deg.tolist(),
                    alt.tolist(),
                    strict=True,
                )
            ]
        )
    gaps = [
        {"from_s": a[-1][0], "to_s": b[0][0], "duration_s": round(b[0][0] - a[-1][0], 1)}
        for a, b in itertools.pairwise(seg_json)
    ]
    return {
        "columns": ["time_s", "lat", "lon", "altitude_ft"],
        "points": sum(len(s) for s in seg_json),
        "gap_s": gap_s,
        "segments": seg_json,
        "gaps": gaps,
    }


def _densify_ring(ring: list[list[float]]) -> list[list[float]]:
    """Split edges longer than 180° of longitude that run along a pole (Antarctica's closing
    edge from 180,-90 to -180,-90) into steps, so no drawn segment spans > 180°."""
    out: list[list[float]] = []
    for a, b in itertools.pairwise(ring):
        out.append(a)
        dlon = b[0] - a[0]
        # Only edges along a pole are densified: a real antimeridian crossing must be split,
        # not drawn the long way round (there is none in the bundled outlines; a test checks).
        if abs(dlon) > 180.0 and min(abs(a[1]), abs(b[1])) >= POLE_LAT_DEG:
            steps = math.ceil(abs(dlon) / 90.0)
            for k in range(1, steps):
                out.append([a[0] + dlon * k / steps, a[1] + (b[1] - a[1]) * k / steps])
    if ring:
        out.append(ring[-1])
    return out


def antimeridian_safe(doc: dict[str, Any]) -> dict[str, Any]:
    """The country outlines with every ring's long edges densified (see _densify_ring)."""
    for feat in doc.get("features", []):
        geom = feat.get("geometry") or {}
        if geom.get("type") == "Polygon":
            geom["coordinates"] = [_densify_ring(r) for r in geom["coordinates"]]
        elif geom.get("type") == "MultiPolygon":
            geom["coordinates"] = [[_densify_ring(r) for r in p] for p in geom["coordinates"]]
    return doc
