"""`flyvakt replay --db` then `flyvakt events` on the bundled real recording (AFR34ZG)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flyvakt.cli.main import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "f.db"
    assert main(["replay", "--quiet", "--db", str(path)]) == 0
    return path


def test_events_json_lists_takeoff_and_landing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "--db", str(db), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [(r["type"], r["airport"]["icao"]) for r in rows]
    assert kinds == [("takeoff", "LFPG"), ("landing", "LFBO")]


def test_events_table_shows_utc_local_and_reader_time(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "--db", str(db), "--type", "landing", "--tz", "America/New_York"]) == 0
    out = capsys.readouterr().out
    assert "2024-07-06 07:58:42Z" in out
    assert "local 2024-07-06 09:58:42 CEST" in out
    assert "reader 2024-07-06 03:58:42 EDT" in out
    assert "takeoff" not in out


def test_events_filters_by_time(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--db", str(db), "--json", "--since", "2024-07-06T07:30:00Z"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["type"] for r in rows] == ["landing"]


def test_events_bad_time_is_a_clear_error(db: Path) -> None:
    with pytest.raises(SystemExit, match="not an ISO 8601 time"):
        main(["events", "--db", str(db), "--since", "yesterday"])


def test_events_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--db", str(tmp_path / "none.db")]) == 2
    assert "no such store" in capsys.readouterr().err


def test_replay_summary_counts_aircraft_the_tracker_has_forgotten(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Two real adsb.lol tracks at KWVI (tests/data/real-ga): a6380b's data ends at 21:50:33,
    # a0cd27's runs on to 22:02:16, so the tracker forgets a6380b (5 min of silence) before the
    # end. The summary must still say two aircraft were seen, not the one left in the table.
    data = Path(__file__).resolve().parents[1] / "data" / "real-ga"
    files = [str(data / "kwvi1213_a0cd27.csv.gz"), str(data / "kwvi1213_a6380b.csv.gz")]
    assert main(["replay", "--quiet", *files]) == 0
    err = capsys.readouterr().err
    assert "aircraft seen: 2;" in err
