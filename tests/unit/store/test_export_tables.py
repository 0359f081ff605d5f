"""CSV/Parquet exports: replay's column names and a stated thinning, on the real AFR34ZG sample."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import flyvakt
from flyvakt.cli._outputs import positions_schema
from flyvakt.cli.main import main
from flyvakt.store.export import TABLE_COLUMNS

AFR = "393322"
# The store keeps no receiver sets (track_points has no column for them): left empty, not made up.
_STORE_DROPS = {"receivers": ""}


@pytest.fixture(scope="module", params=["thinned", "all points"])
def stored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, bool]:
    db = tmp_path_factory.mktemp("tables") / "s.db"
    all_points = request.param == "all points"
    extra = ["--all-points"] if all_points else []
    argv = ["replay", flyvakt.sample_path(), "--db", str(db), "--quiet", "--no-events", *extra]
    assert main(argv) == 0
    return db, all_points


def _export(db: Path, fmt: str, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert (
        main(["export", "--db", str(db), "--icao24", AFR, "--format", fmt, "--out", str(out)]) == 0
    )
    return capsys.readouterr().err


def test_csv_has_the_replay_columns_and_says_when_thinned(
    stored: tuple[Path, bool], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, all_points = stored
    replayed = tmp_path / "replay.csv"
    assert main(["replay", flyvakt.sample_path(), "--positions-out", str(replayed), "--quiet"]) == 0
    heard = list(csv.DictReader(replayed.open(encoding="utf-8")))
    capsys.readouterr()
    note = _export(db, "csv", tmp_path / "e.csv", capsys)
    rows = list(csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8")))
    assert tuple(rows[0]) == TABLE_COLUMNS == (*heard[0], "thinned")
    if all_points:  # every stored row is a replay row
        # Fixes at the same instant are one stored row (the store's key is icao24 + time).
        instants = np.unique(flyvakt.read(flyvakt.sample_path()).batch.time_s)
        assert len(rows) == len(instants) > len(heard) - 50
        assert {r["thinned"] for r in rows} == {"False"}
        times = [r["time"] for r in rows]
        assert times == sorted(times) and set(times) == {r["time"] for r in heard}
        assert rows[100] == {**heard[100], **_STORE_DROPS, "thinned": "False"}
        assert "not thinned" in note
    else:
        assert len(rows) < len(heard) / 5  # the default store keeps a thinned track
        assert {r["thinned"] for r in rows} == {"True"}
        assert f"{len(rows):,} of {len(heard):,} points heard are stored" in note
        assert "--all-points" in note
        by_time = {r["time"]: r for r in heard}
        assert all({**by_time[r["time"]], **_STORE_DROPS, "thinned": "True"} == r for r in rows)


def test_parquet_has_the_replay_schema_and_the_counts(
    stored: tuple[Path, bool], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, all_points = stored
    _export(db, "parquet", tmp_path / "e.parquet", capsys)
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.schema.names == list(TABLE_COLUMNS)
    for f in positions_schema():
        assert table.schema.field(f.name).type == f.type
    meta = table.schema.metadata
    kept, heard = int(meta[b"flyvakt.points_kept"]), int(meta[b"flyvakt.points_heard"])
    assert kept == table.num_rows
    assert heard == len(flyvakt.read(flyvakt.sample_path()))
    assert (heard - kept < 50) is all_points
    assert set(table["thinned"].to_pylist()) == {not all_points}
