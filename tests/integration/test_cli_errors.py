"""Issue 10 item 9: bad options and bad files give one clear line (exit 2), never a traceback.

Real files: the bundled AFR34ZG recording; a "corrupt store" is a real gzip file given as --db.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
NOT_A_DB = str(DATA / "traffic" / "kiwi.json.gz")
BEAST = str(DATA / "traffic" / "sample_dump1090.bin")

CASES = [
    (["replay", "--tz", "Nowhere/Land", BEAST], "--tz: 'Nowhere/Land' is not an IANA time zone"),
    (["replay", "--start-time", "garbage", BEAST], "--start-time: 'garbage' is not an ISO 8601"),
    (["replay", "--start-time", "2024-07-06T06:43", BEAST], "give a time zone"),
    (["replay", "--db", NOT_A_DB, BEAST], "kiwi.json.gz: not a flyvakt store"),
    (["replay", "--positions-out", "/nonexistent/x.csv", BEAST], "no such directory"),
    (["replay", "--positions-out", "x.txt", BEAST], "x.txt: must end in .parquet or .csv"),
    (["replay", "--events-jsonl", "/nonexistent/e.jsonl", BEAST], "no such directory"),
    (["events", "--db", NOT_A_DB], "not a flyvakt store"),
    (["events", "--db", NOT_A_DB, "--icao24", "RA96017"], "'RA96017' is not an ICAO 24-bit"),
    (["events", "--db", NOT_A_DB, "--tz", "Mars/Base"], "'Mars/Base' is not an IANA time zone"),
    (
        ["export", "--db", NOT_A_DB, "--icao24", "RA96017", "--format", "csv"],
        "'RA96017' is not an ICAO 24-bit",
    ),
    (["timeline", "--db", NOT_A_DB], "not a flyvakt store"),
    (["timeline", "--tz", "Europe/Nowhere"], "is not an IANA time zone"),
    (
        [
            "verify",
            "--db",
            NOT_A_DB,
            "--icao24",
            "393322",
            "--at",
            "2024-07-06T08:00Z",
            "--landed-in",
            "FR",
        ],
        "not a flyvakt store",
    ),
    (["serve", "--db", "nosuch.db"], "nosuch.db: no such store file"),
    (["serve", "--db", NOT_A_DB], "not a flyvakt store"),
    (["run", "--no-serve", "--db", NOT_A_DB, BEAST], "not a flyvakt store"),
    (["replay", "nosuch.bin"], "nosuch.bin: no such file"),
]


@pytest.mark.parametrize(("argv", "message"), CASES, ids=[" ".join(c[0][:3]) for c in CASES])
def test_one_line_error(argv: list[str], message: str, tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "flyvakt.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(f"flyvakt {argv[0]}: "), res.stderr
    assert message in last
    assert not list(tmp_path.glob("*.db"))  # nothing created by a refused command
