"""Nothing lost or changed at batch borders when a state-vector CSV's batches are rows of one
arena (sources/reader.py ``_Fill``) and the reorder window hands a release across two or
more of them on as a view (runtime/reorder.py ``_joined``): the window's batches are those
of the same batches each with arrays of its own (the concatenating path), value for value,
for a file of several Arrow blocks with quoted values (a comma inside, one across a block
border), a held tail longer than a batch, a last line without its newline, gzip and
standard input.

Data: SYNTHETIC rows written here (times 0.01 s apart, so 5 s of the window is 500 rows).
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import ObservationBatch
from flyvakt.runtime.reorder import reorder
from flyvakt.sources import FileReader
from flyvakt.sources.reader import ARENA_BATCHES


def _csv(rows: int) -> bytes:
    lines = ["time,icao24,lat,lon,altitude,callsign"]
    for i in range(rows):
        call = f'"KLM,{i % 13}"' if i % 3 else f"DLH{i % 7}"
        lines.append(
            f"{1_700_000_000 + i * 0.01:.2f},{0x400000 + i % 500:06x},"
            f"{50 + i % 7 * 0.01},{i % 11 * 0.1},{1000 + i % 300},{call}"
        )
    return ("\n".join(lines)).encode()  # the last line without its newline


def _own(b: ObservationBatch) -> ObservationBatch:
    return b.take(np.arange(len(b)))


def _same(got: list[ObservationBatch], want: list[ObservationBatch]) -> None:
    assert [len(b) for b in got] == [len(b) for b in want]
    for g, w in zip(got, want, strict=True):
        for name in ObservationBatch._defaults:
            np.testing.assert_array_equal(getattr(g, name), getattr(w, name))


@pytest.mark.parametrize("how", ["file", "gzip", "stdin"])
@pytest.mark.parametrize("size", [7, 300, 20_000, 65_536])
def test_window_over_arena_batches_is_the_window_over_batches_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, size: int
) -> None:
    data = _csv(50_000)
    assert len(data) > 2 * (1 << 20)  # three Arrow blocks at least
    path = tmp_path / "sv.csv"
    if how == "gzip":
        path = tmp_path / "sv.csv.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)

    def read() -> list[ObservationBatch]:
        if how == "stdin":
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        batches = list(FileReader("-" if how == "stdin" else str(path), batch_size=size))
        return [b for b in batches if isinstance(b, ObservationBatch)]

    arena = read()
    assert sum(map(len, arena)) == 50_000
    # Batches of one arena are consecutive rows of it: a release across them is a view.
    if size * ARENA_BATCHES <= 50_000:
        assert arena[0].time_s.base is arena[1].time_s.base
    got = list(reorder(arena))
    want = list(reorder([_own(b) for b in read()]))
    _same(got, want)
    assert whole_times(got) == [1_700_000_000 + i * 0.01 for i in range(50_000)]
    calls = np.concatenate([b.callsign for b in got]).tolist()
    assert calls[1] == "KLM,1" and calls[3] == "DLH3" and calls[-1] == f"KLM,{49_999 % 13}"
    # Releases crossing a border of the reader's batches (the held tail of one, the head of
    # the next; with a batch under 500 rows the held tail spans several batches) are views.
    borders = set(np.cumsum([len(b) for b in arena]).tolist())
    at, crossing = 0, 0
    bases = {id(b.time_s.base) for b in arena}
    for b in got:
        if any(at < x < at + len(b) for x in borders) and id(b.time_s.base) in bases:
            crossing += 1
        at += len(b)
    assert crossing >= len(arena) // 2 - 1


def whole_times(batches: list[ObservationBatch]) -> list[float]:
    t = np.concatenate([b.time_s for b in batches])
    return [float(f"{x:.2f}") for x in t.tolist()]
