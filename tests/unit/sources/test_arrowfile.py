"""Arrow's streaming CSV reader must have dropped the Python file it reads before the reader's
function returns (sources/arrowfile.py says why: a native abort at interpreter exit)."""

from __future__ import annotations

import io
import threading
import weakref
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from flyvakt.sources import FileReader, svcsv
from flyvakt.sources.arrowfile import ArrowFile

ROWS = "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,squawk,baroaltitude\n" + (
    "".join(
        f'{1720248189 + i},"3c{i % 7:04x}",48.{i:03d},2.5,220.1,90,,AFR{i % 3},false,'
        f'"1000",{9000 + i}\n'
        for i in range(200)
    )
)


def test_arrow_drops_the_file_after_a_reader_closed_mid_file() -> None:
    # A reader closed after its first batch, with the rest of the file still to read ahead:
    # the wait returns once Arrow let go of the file (not on its timeout).
    data = ("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(50_000))).encode()
    released = threading.Event()
    reader = pacsv.open_csv(
        ArrowFile(io.BytesIO(data), released), read_options=pacsv.ReadOptions(block_size=4096)
    )
    assert reader.read_next_batch().num_rows > 0
    assert not released.is_set()  # Arrow holds it while the reader is open
    reader.close()
    del reader
    assert ArrowFile.wait_released(released)


def test_arrowfile_reads_as_the_file_it_wraps() -> None:
    raw = io.BytesIO(b"x,y\n1,2\n3,4\n")
    f = ArrowFile(raw, threading.Event())
    assert f.readable() and not f.closed
    assert f.read(4) == b"x,y\n"
    assert f.tell() == 4  # anything else is the file's
    raw.close()
    assert f.closed


def test_state_vector_reader_returns_only_once_arrow_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sv.csv"
    path.write_text(ROWS)
    made: list[weakref.ref[ArrowFile]] = []

    class Recorded(ArrowFile):
        def __init__(self, *a: object, **k: object) -> None:
            super().__init__(*a, **k)  # type: ignore[arg-type]
            made.append(weakref.ref(self))

    monkeypatch.setattr(svcsv, "ArrowFile", Recorded)
    n = sum(len(b) for b in FileReader(str(path)))
    assert n == 200
    assert made and all(r() is None for r in made)
