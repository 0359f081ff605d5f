"""SBS lines give the same aircraft state as the real frames they describe.

The frames are 40 s of AFR34ZG in cruise (tests/data/traffic/full_flight_short.jsonl.gz). The
SBS-1 lines are written here from rs1090's decode of the same frames, as a BaseStation feed
(port 30003) would print them: synthetic text, real content.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rs1090

from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.sources import SbsParser
from flyvakt.track import TrackerConfig

DATA = Path(__file__).resolve().parent.parent / "data"
T0, T1 = 1720250400.0, 1720250440.0


def _frames() -> list[dict[str, Any]]:
    with gzip.open(DATA / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    return [r for r in rows if T0 <= r["timestamp"] < T1]


def _stamp(t: float) -> str:
    dt = datetime.fromtimestamp(t, tz=UTC)
    return dt.strftime("%Y/%m/%d,%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"


def _sbs_lines(msgs: list[dict[str, Any]]) -> str:
    out = []
    for m in msgs:
        if m.get("icao24") != "393322":
            continue
        when = _stamp(m["timestamp"])
        head = f"MSG,{{}},1,1,{m['icao24'].upper()},1,{when},{when}"
        if m.get("bds") == "08":
            out.append(head.format(1) + f",{m['callsign']},,,,,,,,,,,0")
        elif m.get("bds") == "05" and "latitude" in m:
            out.append(
                head.format(3)
                + f",,{m['altitude']},,,{m['latitude']:.5f},{m['longitude']:.5f},,,0,0,0,0"
            )
        elif m.get("bds") == "09":
            out.append(
                head.format(4)
                + f",,,{m['groundspeed']:.0f},{m['track']:.0f},,,{m['vertical_rate']},,,,,0"
            )
        elif m.get("df") == "5":
            out.append(head.format(6) + f",,,,,,,,{m['squawk']},0,0,0,0")
    return "\r\n".join(out) + "\r\n"


def test_sbs_feed_matches_frames() -> None:
    rows = _frames()
    frames = FrameBatch.from_hex([r["frame"] for r in rows], [r["timestamp"] for r in rows])
    cfg = TrackerConfig()
    a, _ = step(PipelineState(), frames, cfg)

    # rs1090 decodes positions with a reference (as the SBS-producing receiver would know it).
    msgs = rs1090.decode(
        [r["frame"] for r in rows], [r["timestamp"] for r in rows], reference=(47.2, 2.0)
    )
    parser = SbsParser(name="synthetic.sbs")
    obs = parser.feed(_sbs_lines(msgs).encode())
    assert isinstance(obs, ObservationBatch) and len(obs) > 50
    assert not parser.stats.skipped
    b, _ = step(PipelineState(), obs, cfg)

    sa = a.tracker.table.snapshot(0x393322)
    sb = b.tracker.table.snapshot(0x393322)
    assert sa["callsign"] == sb["callsign"] == "AFR34ZG"
    assert sa["squawk"] == sb["squawk"] == 1000
    assert sa["altitude_baro_ft"] == sb["altitude_baro_ft"]
    assert abs(sa["lat_deg"] - sb["lat_deg"]) < 1e-4
    assert abs(sa["lon_deg"] - sb["lon_deg"]) < 1e-4
    assert abs(sa["groundspeed_kt"] - sb["groundspeed_kt"]) <= 1.0
    assert abs(sa["track_deg"] - sb["track_deg"]) <= 1.0
    assert sa["vertical_rate_fpm"] == sb["vertical_rate_fpm"]
    assert sa["last_seen_s"] - sb["last_seen_s"] < 1.0
