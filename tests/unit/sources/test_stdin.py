"""``-`` reads standard input in every format, sniffed from its first bytes like a file.

Data: real recordings from tests/data (Beast, AVR, jet1090 JSONL.gz, CSV frames, state-vector
JSON.gz) and SBS / state-vector CSV / Parquet written from them here (labelled where made).
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.sources import FileReader
from flyvakt.sources.stdin import RewindableStream

DATA = Path(__file__).resolve().parents[2] / "data"


def _read(url: str, fmt: str | None = None, start: float | None = None) -> tuple[str, int, str]:
    r = FileReader(url, fmt, start_time_s=start)
    rows = times = 0.0
    for b in r:
        rows += len(b)
        times += float(np.nansum(b.time_s))
    return str(r.kind), int(rows), f"{times:.3f}"


def _feed(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize(
    "name",
    [
        "traffic/sample_dump1090.bin",  # Beast
        "dump1090/modes1_antirez_raw_output.avr",  # AVR
        "traffic/full_flight_short.jsonl.gz",  # jet1090 JSONL, gzipped
        "rs1090/short_flights.csv",  # CSV frames
        "traffic/noisy_landing.json.gz",  # state vectors, JSON, gzipped
    ],
)
def test_stdin_reads_like_the_file(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = DATA / name
    start = 1.7e9  # Beast/AVR counters need a start; the others ignore it
    want = _read(str(path), start=start)
    assert want[1] > 100
    _feed(monkeypatch, path.read_bytes())
    assert _read("-", start=start) == want


def test_stdin_parquet_and_sbs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Parquet (needs random access: read whole) and SBS, both written here from real data."""
    from flyvakt.cli.main import main

    pq = tmp_path / "afr.parquet"
    assert main(["replay", "--quiet", "--no-events", "--positions-out", str(pq)]) == 0
    want = _read(str(pq))
    assert want[0] == "parquet" and want[1] > 1000
    _feed(monkeypatch, pq.read_bytes())
    assert _read("-") == want
    # SYNTHETIC: three BaseStation airborne-position lines.
    stamp = b"2024/07/06,07:10:00.000,"
    sbs = b"MSG,3,1,1,393322,1," + stamp * 2 + b",35000,,,45.1,2.2,,,0,0,0,0\n"
    _feed(monkeypatch, sbs * 3)
    kind, rows, _ = _read("-")
    assert (kind, rows) == ("sbs", 3)


def test_garbage_on_stdin_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from flyvakt.sources import SourceFormatError

    _feed(monkeypatch, gzip.compress(b"\x00\x01 not a recording \xff" * 50))
    with pytest.raises(SourceFormatError, match=r"^stdin: "):
        _read("-")


def test_rewind_only_within_the_kept_head() -> None:
    s = RewindableStream(io.BytesIO(bytes(range(200))), keep=100)
    assert s.read(10) == bytes(range(10))
    s.seek(0)
    assert s.read(5) == bytes(range(5))
    assert s.read(150) == bytes(range(5, 155))  # past the head: it stops being kept
    with pytest.raises(io.UnsupportedOperation):
        s.seek(0)
    assert s.read() == bytes(range(155, 200))
