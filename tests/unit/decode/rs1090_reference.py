"""Field-by-field comparison of our decoder with rs1090 (MIT), the project's reference decoder.

``reference_columns`` turns rs1090's per-message dicts into the same columns as
:class:`ObservationBatch` (NaN / -1 / None where rs1090 says nothing), so that tests compare
arrays. rs1090 names things by BDS: 05 airborne position, 06 surface position, 08
identification, 09 velocity, 61 aircraft status, 62 target state, 65 operational status.
"""

from __future__ import annotations

import csv
import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rs1090

from flyvakt.model.batches import FrameBatch

DATA = Path(__file__).resolve().parents[2] / "data"

_BDS_TC = {"08": (1, 4), "09": (19, 19), "61": (28, 28), "62": (29, 29), "65": (31, 31)}
EMERGENCY_STATES = (
    "none",
    "general",
    "medical",
    "minimum_fuel",
    "no_communication",
    "unlawful_interference",
    "downed_aircraft",
    "reserved",
)


@cache
def load_jsonl(path: Path) -> tuple[list[str], list[float], list[dict[str, Any]]]:
    """jet1090 JSONL: one frame per line with an (older) rs1090 decode of it (cached: the
    57,793-line recording is read once per test session; callers must not modify it)."""
    with gzip.open(path, "rt") as fh:
        lines = [json.loads(line) for line in fh]
    return [d["frame"] for d in lines], [d["timestamp"] for d in lines], lines


def load_csv(path: Path) -> tuple[list[str], list[float]]:
    """pyModeS/rs1090 CSVs: ``ts,hex,...`` or (Comm-B files, UTF-8 BOM) ``ts,icao,hex``."""
    hexes, times = [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            frame = row[2] if "commb" in path.name else row[1]
            hexes.append(frame.strip().lower())
            times.append(float(row[0]))
    return hexes, times


def load_avr(path: Path) -> tuple[list[str], list[float]]:
    """AVR text: ``*<hex>;`` per line (no timestamps in this file)."""
    hexes = [ln.strip()[1:-1].lower() for ln in path.read_text().splitlines() if ln[:1] == "*"]
    return hexes, [0.0] * len(hexes)


def load_beast(path: Path) -> tuple[list[str], list[float]]:
    """Minimal Beast reader for this test only (flyvakt.sources owns the real one).

    Beast: 0x1a, type ('1' Mode A/C 2 bytes, '2' short 7, '3' long 14), 6-byte 12 MHz counter,
    1 signal byte, payload; any 0x1a inside is doubled.
    """
    raw = path.read_bytes()
    sizes = {0x31: 2, 0x32: 7, 0x33: 14}
    hexes: list[str] = []
    times: list[float] = []
    i = 0
    while i < len(raw):
        if raw[i] != 0x1A or i + 1 >= len(raw) or raw[i + 1] not in sizes:
            i += 1
            continue
        need = 6 + 1 + sizes[raw[i + 1]]
        body = bytearray()
        j = i + 2
        while len(body) < need and j < len(raw):
            if raw[j] == 0x1A:
                j += 1  # escaped 0x1a 0x1a -> one 0x1a
            body.append(raw[j])
            j += 1
        if len(body) == need:
            hexes.append(bytes(body[7:]).hex())
            times.append(int.from_bytes(body[:6], "big") / 12e6)
        i = j
    return hexes, times


def frames_of(hexes: list[str], times: list[float]) -> FrameBatch:
    return FrameBatch.from_hex(hexes, times)


def rs1090_decode(hexes: list[str], times: list[float]) -> list[dict[str, Any] | None]:
    """rs1090 on each frame (None where rs1090 rejects the frame)."""
    out: list[dict[str, Any] | None] = [None] * len(hexes)
    done = rs1090.decode(hexes, times)
    # rs1090.decode drops frames it cannot decode; match the rest back by (frame, timestamp).
    by_key: dict[tuple[str, float], list[dict[str, Any]]] = {}
    for msg in done:
        by_key.setdefault((msg["frame"], msg["timestamp"]), []).append(msg)
    for i, (h, t) in enumerate(zip(hexes, times, strict=True)):
        got = by_key.get((h, t))
        if got:
            out[i] = got.pop(0)
    return out


def reference_columns(msgs: list[dict[str, Any] | None]) -> dict[str, npt.NDArray[Any]]:
    """rs1090 dicts -> arrays named like ObservationBatch columns (plus ``decoded``)."""
    n = len(msgs)
    col: dict[str, npt.NDArray[Any]] = {
        "decoded": np.zeros(n, bool),
        "icao24": np.zeros(n, np.int64),
        "df": np.full(n, -1, np.int64),
        "tc_lo": np.full(n, -1, np.int64),
        "tc_hi": np.full(n, -1, np.int64),
        "altitude_baro_ft": np.full(n, np.nan),
        "altitude_gnss_ft": np.full(n, np.nan),
        "squawk": np.full(n, -1, np.int64),
        "callsign": np.full(n, None, object),
        "wake_vortex": np.full(n, None, object),
        "cpr_lat": np.full(n, -1, np.int64),
        "cpr_lon": np.full(n, -1, np.int64),
        "cpr_odd": np.full(n, -1, np.int64),
        "groundspeed_kt": np.full(n, np.nan),
        "track_deg": np.full(n, np.nan),
        "vertical_rate_fpm": np.full(n, np.nan),
        "airspeed_kt": np.full(n, np.nan),
        "heading_deg": np.full(n, np.nan),
        "nac_p": np.full(n, -1, np.int64),
        "adsb_version": np.full(n, -1, np.int64),
        "nic_supplement": np.full(n, -1, np.int64),
        "emergency": np.full(n, -1, np.int64),
        "on_ground": np.full(n, -1, np.int64),
    }
    for i, m in enumerate(msgs):
        if m is None or "df" not in m:
            continue
        col["decoded"][i] = True
        col["icao24"][i] = int(m["icao24"], 16)
        col["df"][i] = int(m["df"])
        bds = m.get("bds")
        if "tc" in m:
            col["tc_lo"][i] = col["tc_hi"][i] = m["tc"]
        elif bds in _BDS_TC:
            col["tc_lo"][i], col["tc_hi"][i] = _BDS_TC[bds]
        es = col["df"][i] in (17, 18)  # Comm-B (DF20/21) content is not compared
        alt = m.get("altitude")
        if alt is not None:
            key = "altitude_gnss_ft" if m.get("source") == "GNSS" else "altitude_baro_ft"
            col[key][i] = alt
        sq = m.get("squawk")
        if sq is not None:
            col["squawk"][i] = int(sq)
        if es:
            _extended_squitter(col, i, m)
        if "vs" in m:
            col["on_ground"][i] = m["vs"]
        if m.get("capability") in ("ground", "airborne"):
            col["on_ground"][i] = 1 if m["capability"] == "ground" else 0
    return col


def _extended_squitter(col: dict[str, npt.NDArray[Any]], i: int, m: dict[str, Any]) -> None:
    bds = m.get("bds")
    col["callsign"][i] = m.get("callsign")
    col["wake_vortex"][i] = m.get("wake_vortex")
    if "lat_cpr" in m:
        col["cpr_lat"][i] = m["lat_cpr"]
        col["cpr_lon"][i] = m["lon_cpr"]
        col["cpr_odd"][i] = 1 if m["parity"] == "odd" else 0
    for ours, theirs in (
        ("groundspeed_kt", "groundspeed"),
        ("track_deg", "track"),
        ("vertical_rate_fpm", "vertical_rate"),
        ("heading_deg", "heading"),
    ):
        if m.get(theirs) is not None:
            col[ours][i] = m[theirs]
    for key in ("TAS", "IAS"):
        if m.get(key) is not None:
            col["airspeed_kt"][i] = m[key]
    if m.get("NACp") is not None:
        col["nac_p"][i] = m["NACp"]
    if bds == "65":
        col["adsb_version"][i] = m["version"]
        if m.get("NICa") is not None:
            col["nic_supplement"][i] = m["NICa"]
    if m.get("emergency_state") is not None:
        col["emergency"][i] = EMERGENCY_STATES.index(m["emergency_state"])
