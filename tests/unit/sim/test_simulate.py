"""Simulator behaviour on small SYNTHETIC scenarios: determinism, coverage, faults, errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rs1090

from flyvakt.sim import emit, encode, scenario
from flyvakt.sim.flight import distance_nm

ENGM = (60.1939, 11.1004)

BASE: dict[str, Any] = {
    "label": "SYNTHETIC test: one A321 Oslo -> Stockholm",
    "seed": 7,
    "aircraft": [
        {
            "icao24": "4ca2b1",
            "registration": "EI-TST",
            "callsign": "TST123",
            "type": "A321",
            "squawk": "2000",
            "legs": [
                {
                    "from": "ENGM",
                    "to": "ESSA",
                    "takeoff": "2024-06-18T10:00:00Z",
                    "taxi_out_min": 5,
                    "taxi_in_min": 3,
                }
            ],
        }
    ],
    "receivers": [
        {"name": "gardermoen", "lat": 60.2, "lon": 11.1, "altitude_ft": 700, "range_nm": 300}
    ],
    "emission": {"rate_scale": 0.5},
}


def _sc(**faults: Any) -> scenario.Scenario:
    doc = copy.deepcopy(BASE)
    doc["faults"] = faults
    return scenario.from_dict(doc, "test.toml")


def _bytes(res: emit.SimResult) -> bytes:
    return res.frames.payload.tobytes() + res.frames.time_s.tobytes()


def test_same_seed_same_bytes_other_seed_differs() -> None:
    a, b = emit.simulate(_sc()), emit.simulate(_sc())
    assert len(a.frames) > 1000
    assert _bytes(a) == _bytes(b)
    c = emit.simulate(_sc(), seed=8)
    assert _bytes(a) != _bytes(c)


def test_every_frame_has_valid_parity_and_time_order() -> None:
    res = emit.simulate(_sc())
    fb = res.frames
    assert (np.diff(fb.time_s) >= 0).all()
    long = fb.nbytes == 14
    df = fb.payload[:, 0] >> 3
    ext = long & (df == 17)
    assert int(encode.crc24(fb.payload[ext][:, :14]).max()) == 0
    short11 = (fb.nbytes == 7) & (df == 11)
    assert int(encode.crc24(fb.payload[short11][:, :7]).max()) == 0


def test_coverage_obeys_radio_horizon() -> None:
    res = emit.simulate(_sc())
    tr = res.truth
    d = distance_nm(ENGM[0], ENGM[1], tr.lat_deg, tr.lon_deg)
    horizon = 1.23 * (np.sqrt(np.maximum(tr.altitude_baro_ft, 0)) + np.sqrt(700.0))
    assert (d <= np.minimum(horizon, 300.0) + 1.0).all()
    assert res.counts["not_covered"] > 0  # the landing at Arlanda is below this horizon
    assert d.max() > 150.0  # but the en-route part far away is heard at altitude


def test_bit_errors_counted_and_one_bit_each() -> None:
    clean = emit.simulate(_sc())
    bad = emit.simulate(_sc(bit_error_rate=0.1))
    n = bad.counts["bit_errors"]
    total = len(bad.frames)
    assert abs(n - 0.1 * total) < 5 * np.sqrt(total * 0.09)
    diff = np.unpackbits(clean.frames.payload ^ bad.frames.payload, axis=1).sum(axis=1)
    assert int((diff == 1).sum()) == n and int((diff > 1).sum()) == 0
    # rs1090 rejects the corrupted extended squitters (CRC), keeps the clean ones
    ext = np.nonzero((bad.frames.payload[:, 0] >> 3) == 17)[0][:2000]
    hexes = [bad.frames.hex(int(i)) for i in ext]
    decoded = rs1090.decode(hexes, bad.frames.time_s[ext].tolist())
    assert len(decoded) == int((diff[ext] == 0).sum())


def test_duplicates_from_several_receivers() -> None:
    doc = copy.deepcopy(BASE)
    doc["receivers"].append(
        {"name": "twin", "lat": 60.21, "lon": 11.12, "altitude_ft": 700, "range_nm": 300}
    )
    doc["faults"] = {"duplicates": True}
    res = emit.simulate(scenario.from_dict(doc, "t"))
    single = emit.simulate(_sc())
    assert res.counts["duplicates"] > 0
    # every duplicate is an exact copy (time and bytes) heard by the other receiver
    fb = res.frames
    rows = {(float(t), bytes(p)) for t, p in zip(fb.time_s, fb.payload, strict=True)}
    assert len(rows) == len(fb) - res.counts["duplicates"]
    assert abs(len(rows) - len(single.frames)) < 0.01 * len(single.frames)  # same sky
    assert set(np.unique(res.frames.receiver).tolist()) == {1, 2}


def test_jitter_reorders_timestamps() -> None:
    res = emit.simulate(_sc(jitter_s=0.5))
    ooo = int((np.diff(res.frames.time_s) < 0).sum())
    assert ooo == res.counts["out_of_order"] and ooo > 100


def test_spoofing_freezes_positions_in_window() -> None:
    box = [59.0, 61.0, 10.0, 20.0]
    res = emit.simulate(
        _sc(spoofing=[{"start": "2024-06-18T10:10:00Z", "end": "2024-06-18T10:20:00Z", "box": box}])
    )
    tr, fb = res.truth, res.frames
    win = (fb.time_s >= 1718705400.0) & (fb.time_s <= 1718706000.0)
    assert res.counts["spoofed"] > 0
    assert np.unique(tr.lat_deg[win]).size == 1  # frozen
    pos = np.nonzero(win & (res.kind == emit.KIND_NAMES.index("airborne_pos")))[0]
    msgs = rs1090.decode([fb.hex(int(i)) for i in pos], fb.time_s[pos].tolist())
    lats = {round(float(m["latitude"]), 4) for m in msgs if "latitude" in m}
    assert len(lats) == 1
    # altitude keeps changing: only the GNSS position is spoofed
    assert np.unique(tr.altitude_baro_ft[win]).size > 10


def test_scenario_errors_name_file_and_field(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["aircraft"][0]["legs"][0]["to"] = "XXXX"
    with pytest.raises(scenario.ScenarioError, match=r"test\.toml: aircraft\[0\]\.legs\[0\]"):
        scenario.from_dict(doc, "test.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("label = \n")
    with pytest.raises(scenario.ScenarioError, match=r"bad\.toml: not valid TOML"):
        scenario.load(bad)
    doc = copy.deepcopy(BASE)
    doc["aircraft"][0]["squawk"] = "7800"
    with pytest.raises(scenario.ScenarioError, match="octal"):
        scenario.from_dict(doc, "t")


def test_squawk_change_emits_emergency_messages() -> None:
    doc = copy.deepcopy(BASE)
    doc["aircraft"][0]["squawk_changes"] = [["2024-06-18T10:15:00Z", "7700"]]
    res = emit.simulate(scenario.from_dict(doc, "t"))
    fb = res.frames
    em = np.nonzero(res.kind == emit.KIND_NAMES.index("emergency"))[0]
    assert len(em) > 0 and (fb.time_s[em] >= 1718705700.0).all()
    msgs = rs1090.decode([fb.hex(int(i)) for i in em[:50]], fb.time_s[em[:50]].tolist())
    assert {m["squawk"] for m in msgs} == {"7700"}
    assert {m["emergency_state"] for m in msgs} == {"general"}
    df5 = np.nonzero(res.kind == emit.KIND_NAMES.index("df5"))[0]
    squawks = rs1090.decode([fb.hex(int(i)) for i in df5], fb.time_s[df5].tolist())
    before = {m["squawk"] for m, i in zip(squawks, df5, strict=True) if fb.time_s[i] < 1718705700}
    after = {m["squawk"] for m, i in zip(squawks, df5, strict=True) if fb.time_s[i] >= 1718705700}
    assert before == {"2000"} and after == {"7700"}


def test_box_coverage_region_with_altitude_floor() -> None:
    doc = copy.deepcopy(BASE)
    doc["receivers"] = []
    doc["coverage"] = [{"name": "box", "box": [59.0, 60.5, 12.0, 19.0], "min_altitude_ft": 20000}]
    res = emit.simulate(scenario.from_dict(doc, "t"))
    tr = res.truth
    assert len(tr) > 0 and (tr.altitude_baro_ft >= 20000).all()
    assert (tr.lon_deg >= 12.0).all() and (tr.lon_deg <= 19.0).all()
    assert set(np.unique(res.frames.receiver).tolist()) == {1}


def test_spoofing_offset_displaces_positions() -> None:
    window = {
        "start": "2024-06-18T10:10:00Z",
        "end": "2024-06-18T10:20:00Z",
        "box": [-90, 90, -180, 180],
        "mode": "offset",
        "offset_deg": [1.0, -2.0],
    }
    clean = emit.simulate(_sc())
    spoofed = emit.simulate(_sc(spoofing=[window]))
    win = (clean.truth.time_s >= 1718705400.0) & (clean.truth.time_s <= 1718706000.0)
    assert spoofed.counts["spoofed"] > 0
    # same seed, same schedule: rows line up; only the window moved, by exactly the offset
    assert np.allclose(spoofed.truth.lat_deg[win] - clean.truth.lat_deg[win], 1.0)
    assert np.allclose(spoofed.truth.lon_deg[win] - clean.truth.lon_deg[win], -2.0)
    assert np.array_equal(spoofed.truth.lat_deg[~win], clean.truth.lat_deg[~win])
