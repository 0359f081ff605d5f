"""A TIS-B target with a non-ICAO address, end to end: ``~`` in aircraft.json (live and
stored), in positions files (read back with the flag), in the store and its API lookups.

Data: SYNTHETIC. AFR34ZG's real DF17 frames (tests/data/traffic/full_flight_short.jsonl.gz)
re-sent as DF18 CF 5 (fine TIS-B, non-ICAO address) with recomputed parity: no real CF 5
frame with a good parity is at hand (rs1090's test vector fails its CRC).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.decode.crc import crc24
from flyvakt.model.batches import NON_ICAO, ObservationBatch, Source
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.replay import replay_files
from flyvakt.serve.convert import aircraft_rows, parse_icao24_param
from flyvakt.sources import FileReader
from flyvakt.store.reader import StoreReader

DATA = Path(__file__).resolve().parents[2] / "data"
TILDE = NON_ICAO | 0x393322


def _as_tisb(hex_frame: str) -> str:
    raw = np.frombuffer(bytes.fromhex(hex_frame), np.uint8).copy()
    raw[0] = (18 << 3) | 5
    pi = int(crc24(raw[None, :11])[0])
    raw[11:] = [(pi >> 16) & 0xFF, (pi >> 8) & 0xFF, pi & 0xFF]
    return raw.tobytes().hex()


@pytest.fixture(scope="module")
def tisb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tisb") / "afr_tisb.jsonl"
    with gzip.open(DATA / "traffic/full_flight_short.jsonl.gz", "rt") as f, path.open("w") as out:
        for line in f:
            rec = json.loads(line)
            if rec["frame"].startswith("8d"):
                frame = _as_tisb(rec["frame"])
                out.write(json.dumps({"timestamp": rec["timestamp"], "frame": frame}) + "\n")
    return path


def test_positions_carry_the_flag_and_the_source(tisb_file: Path, tmp_path: Path) -> None:
    res = replay_files([str(tisb_file)], detect=False)
    p = res.positions
    assert len(p) > 1000
    assert (p.icao24 == TILDE).all() and (p.source == Source.TISB).all()
    from flyvakt.cli.main import main

    for ext in ("csv", "parquet"):
        out = tmp_path / f"pos.{ext}"
        assert main(["replay", "--quiet", "--no-events", "--positions-out", str(out),
                     str(tisb_file)]) == 0  # fmt: skip
        back = ObservationBatch.concat(
            [b for b in FileReader(str(out)) if isinstance(b, ObservationBatch)]
        )
        assert len(back) == len(p) and (back.icao24 == TILDE).all(), ext
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "pos.parquet", columns=["icao24", "source"])
    assert set(table["icao24"].to_pylist()) == {"~393322"}
    assert set(table["source"].to_pylist()) == {"tisb"}


def test_aircraft_json_live_and_stored(tisb_file: Path) -> None:
    res = replay_files([str(tisb_file)], detect=False)
    hub = Hub()
    hub.set_tracker_table(res.state.tracker.table)
    now = float(res.state.data_through_s)
    live = hub.aircraft_now(now)
    assert [r["hex"] for r in live] == ["~393322"]
    stored = aircraft_rows(res.positions.take([len(res.positions) - 1]), now)
    for row in (live[0], stored[0]):
        assert row["hex"] == "~393322" and row["type"] == "tisb_other"
        assert row["tisb"] == ["lat", "lon", "seen_pos"] and row["mlat"] == []
        assert row["source"] == "tisb"


def test_store_lookups_take_the_tilde(tisb_file: Path, tmp_path: Path) -> None:
    from flyvakt.cli.main import main

    db = tmp_path / "t.db"
    assert main(["replay", "--quiet", "--db", str(db), str(tisb_file)]) == 0
    with StoreReader(db) as r:
        track = r.track(parse_icao24_param("~393322"), -np.inf, np.inf)
        assert len(track) > 100 and (track.icao24 == TILDE).all()
        assert len(r.track("393322", -np.inf, np.inf)) == 0  # the ICAO address is another
        evs: list[dict[str, Any]] = r.events(icao24="~393322", limit=100)
        assert evs and {e["icao24"] for e in evs} == {"~393322"}
