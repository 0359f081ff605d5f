"""Comm-B (BDS 4,0/5,0/6,0) in the live aircraft.json: readsb's nav_altitude_mcp, ias, mach,
mag_heading, roll, tas..., the newest value of each, dropped after a minute without a reply.

Data: the real AFR34ZG recording (tests/data/traffic/full_flight_short.jsonl.gz, DF20/21 replies
included); the values are checked against ``flyvakt.comm_b``'s readings of the same frames
(whose decoder agrees with rs1090, see tests/unit/decode/test_commb.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
from starlette.testclient import TestClient

import flyvakt
from flyvakt.cli.main import main
from flyvakt.decode.commb import COMMB_MAX_AGE_S, READSB_COMMB_KEYS
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.replay import replay_files
from flyvakt.serve import create_app
from flyvakt.serve.models import Aircraft
from flyvakt.store import StoreReader

AFR = Path(__file__).resolve().parents[2] / "data" / "traffic" / "full_flight_short.jsonl.gz"
CRUISE_END_S = 1720250400.0  # 2024-07-06 07:20 UTC: AFR34ZG in cruise


def _live_row(path: Path) -> tuple[dict[str, Any], float]:
    res = replay_files([str(path)], detect=False)
    hub = Hub()
    hub.set_tracker_table(res.state.tracker.table)
    hub.commb = res.state.commb
    now = float(res.state.data_through_s)
    [row] = hub.aircraft_now(now)
    return row, now


@pytest.fixture(scope="module")
def cruise(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("commb") / "afr_to_0720.jsonl"
    with gzip.open(AFR, "rt") as f, path.open("w") as out:
        for line in f:
            if json.loads(line)["timestamp"] <= CRUISE_END_S:
                out.write(line)
    return path


def test_newest_values_in_cruise(cruise: Path) -> None:
    row, now = _live_row(cruise)
    readings = flyvakt.comm_b(str(cruise)).to_pandas()
    assert {"nav_altitude_mcp", "ias", "mach", "mag_heading", "roll", "tas"} <= set(row)
    for key, column, whole in READSB_COMMB_KEYS:
        col = readings[column].to_numpy()
        have = np.flatnonzero(np.isfinite(col))
        t = readings["time"].iloc[have[-1]].timestamp() if have.size else -np.inf
        if now - t > COMMB_MAX_AGE_S:
            assert key not in row, key  # stale or never sent (FMS altitude): left out
            continue
        want = col[have[-1]]
        assert row[key] == (round(want) if whole else pytest.approx(want, abs=1e-3)), key
    assert row["nav_altitude_mcp"] % 100 == 0 and 0.5 < row["mach"] < 0.9
    msgspec.convert(row, Aircraft)  # types as the OpenAPI schema says


def test_values_expire_after_a_minute() -> None:
    """At the gate (end of the recording) the last BDS 6,0 reply is minutes old: no ias/mach."""
    row, now = _live_row(AFR)
    readings = flyvakt.comm_b(str(AFR)).to_pandas()
    last_60 = readings.loc[readings["bds"] == "60", "time"].max().timestamp()
    assert now - last_60 > COMMB_MAX_AGE_S
    assert "ias" not in row and "mach" not in row
    assert row["nav_altitude_mcp"] == 4000  # BDS 4,0 still answered on the ground


COMMB_KEYS = {key for key, _, _ in READSB_COMMB_KEYS}


def _commb(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in COMMB_KEYS}


def test_stored_aircraft_json_equals_live_on_commb(cruise: Path, tmp_path: Path) -> None:
    """``flyvakt replay --db`` keeps the newest Comm-B values; the stored aircraft.json shows
    what the live one showed at the same time, and nothing older than a minute."""
    live, now = _live_row(cruise)
    db = tmp_path / "cruise.db"
    assert main(["replay", "--quiet", "--no-events", str(cruise), "--db", str(db)]) == 0
    client = TestClient(create_app(str(db)))
    doc = client.get("/data/aircraft.json", params={"at": repr(now)}).json()
    [row] = [a for a in doc["aircraft"] if a["hex"] == "393322"]
    assert len(_commb(live)) >= 6 and _commb(row) == _commb(live)
    msgspec.convert(row, Aircraft)
    # Ten minutes later nothing is that fresh: the store's values are left out, not carried.
    later = client.get("/data/aircraft.json", params={"at": repr(now + 600.0), "ghost": "900"})
    [old] = [a for a in later.json()["aircraft"] if a["hex"] == "393322"]
    assert not _commb(old)
    # Only the tracked aircraft's values are stored: DF20/21 parity noise is not.
    with StoreReader(db) as reader:
        stored = reader.commb_at(now, 1e9)
    assert set(stored) == {0x393322} and set(stored[0x393322]) == set(_commb(live))
