"""The Python API as a researcher uses it in a notebook (real AFR34ZG recording)."""

from __future__ import annotations

import doctest
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

import flyvakt

ROOT = Path(__file__).resolve().parents[2]
BEAST = ROOT / "tests/data/traffic/sample_dump1090.bin"


def test_two_lines_from_a_file_to_dataframes_of_positions_and_events() -> None:
    positions = flyvakt.read(flyvakt.sample_path()).to_pandas()
    events = flyvakt.events(flyvakt.sample_path()).to_pandas()

    assert tuple(positions.columns) == flyvakt.POSITION_COLUMNS
    assert str(positions["time"].dtype) == "datetime64[us, UTC]"
    for col in ("lat", "lon", "altitude_baro_ft", "groundspeed_kt", "vertical_rate_fpm"):
        assert positions[col].dtype == np.float64, col
    assert str(positions["on_ground"].dtype) == "boolean"
    assert set(positions["icao24"]) == {"393322"}
    assert positions["time"].is_monotonic_increasing
    assert bool(positions["on_ground"].iloc[0]) and not bool(positions["on_ground"].iloc[4000])

    assert tuple(events.columns) == flyvakt.EVENT_COLUMNS
    assert str(events["time"].dtype).startswith("datetime64") and "UTC" in str(events["time"].dtype)
    got = list(zip(events["type"], events["airport"], events["time"].astype(str), strict=True))
    assert got == [
        ("takeoff", "LFPG", "2024-07-06 06:59:21+00:00"),
        ("landing", "LFBO", "2024-07-06 07:58:42+00:00"),
    ]


def test_docs_api_examples_run() -> None:
    result = doctest.testfile(
        str(ROOT / "docs/api.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted >= 15
    assert result.failed == 0, "docs/api.md examples fail: run python -m doctest docs/api.md"


def test_events_from_positions_equal_events_from_the_file() -> None:
    rep = flyvakt.replay(flyvakt.sample_path())
    again = flyvakt.events(rep.positions)
    assert [e.to_json() for e in again] == rep.events.to_json()


def test_arrow_schema_is_the_positions_out_schema(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from flyvakt.cli.main import main

    out = tmp_path / "p.parquet"
    assert main(["replay", "--quiet", "--no-events", "--positions-out", str(out)]) == 0
    written = pq.read_table(out)
    table = flyvakt.read(flyvakt.sample_path()).to_arrow()
    assert written.schema.equals(table.schema)
    assert written.num_rows == table.num_rows
    assert table.schema.field("time").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("receivers").type == pa.list_(pa.uint16())


def test_start_time_places_a_beast_file_in_time() -> None:
    start = datetime(2020, 2, 12, 10, 7, tzinfo=UTC)
    pos = flyvakt.read(BEAST, start_time=start).batch
    assert len(pos) > 0
    assert start.timestamp() <= float(pos.time_s.min()) < start.timestamp() + 600
    same = flyvakt.read(BEAST, start_time="2020-02-12T10:07:00Z").batch
    assert same.time_s.tolist() == pos.time_s.tolist()
    with pytest.raises(ValueError, match="time zone"):
        flyvakt.read(BEAST, start_time="2020-02-12T10:07:00")


def test_traffic_frame_has_the_traffic_column_names() -> None:
    df = flyvakt.read(flyvakt.sample_path()).traffic_frame()
    for col in ("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed",
                "track", "vertical_rate", "callsign", "onground"):  # fmt: skip
        assert col in df.columns, col


def test_missing_optional_package_is_a_clear_error() -> None:
    from flyvakt.api import _need

    with pytest.raises(ImportError, match=r"to_nothing needs the optional package 'nope_pkg'"):
        _need("nope_pkg", "to_nothing")


def test_verify_is_callable_after_the_verify_package_is_imported() -> None:
    import flyvakt.verify  # the package of the same name must not hide the function

    rep = flyvakt.replay(flyvakt.sample_path())
    v = flyvakt.verify("AFR34ZG has landed in France", rep, at="2024-07-06T08:10:00Z")
    assert v.verdict == "supported" and v.claim.object == "FR"
    assert flyvakt.verify.Claim is not None


def test_python_dash_m_flyvakt_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "flyvakt", "replay", "--no-events"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "positions accepted: 8,311" in out.stderr
    version = subprocess.run(
        [sys.executable, "-m", "flyvakt", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"flyvakt {flyvakt.__version__}"
