"""The quote guard's fast path (state-vector CSV): blocks given unmarked, each of Arrow's
batches checked against its block, and at the first that differs the file read again from the
block before it through a marking guard. Every file must read exactly as through the marking
guard alone: the same rows, skips (in the same order), named lines and stops.

Blocks of 2 KiB here (Arrow's are 1 MiB) so that a few hundred rows make a dozen blocks; the
rows are synthetic, OpenSky-shaped, every text quoted as in the benchmark corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources import FileReader, csvquotes, reader, svcsv

BLOCK = 2048
HEADER = '"time","icao24","lat","lon","velocity","callsign","squawk","baroaltitude"\n'


def _row(i: int, alt: str | None = None) -> str:
    return (
        f'{1720000000 + i},"{0x4CA000 + i % 97:06x}",48.{i % 1000},2.{i % 1000},'
        f'{100 + i % 50}.5,"AFR{i % 9}","1000",{alt or f"{1000 + i}.5"}\n'
    )


ROWS = [_row(i) for i in range(400)]  # ~80 bytes a row: ~25 rows a block, 16 blocks


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "READ_CHUNK", BLOCK)
    monkeypatch.setattr(svcsv, "READ_CHUNK", BLOCK)
    monkeypatch.setattr(csvquotes, "_MIN_READ", 64)  # as 4 KiB is to Arrow's 1 MiB


def _read(path: Path) -> tuple[ObservationBatch, FileReader]:
    r = FileReader(str(path))
    batches = list(r)
    return ObservationBatch.concat(batches), r  # type: ignore[arg-type]


def _marking(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[ObservationBatch, Any]:
    """``path`` read through the marking guard alone (the guard before the fast path)."""
    real = csvquotes.QuoteGuard
    with monkeypatch.context() as m:
        m.setattr(svcsv, "QuoteGuard", lambda raw, fast=False: real(raw))
        return _read(path)


def _same_as_marking(monkeypatch: pytest.MonkeyPatch, path: Path) -> FileReader:
    got, r = _read(path)
    want, w = _marking(monkeypatch, path)
    assert len(got) == len(want)
    for field, col in vars(want).items():
        other = vars(got)[field]
        if col.dtype == object:
            assert other.tolist() == col.tolist(), field
        else:
            assert np.array_equal(other, col, equal_nan=col.dtype.kind == "f"), field
    # (The order the reasons were first counted in is not compared: the marking reader's own
    # varies from run to run, with when Arrow's read-ahead parses a block.)
    assert r.stats.skipped == w.stats.skipped
    assert r.stats.bad_lines == w.stats.bad_lines
    assert (r.stats.stopped, r.stats.records, r.stats.lines) == (
        w.stats.stopped,
        w.stats.records,
        w.stats.lines,
    )
    return r


def _write(tmp_path: Path, rows: list[str], end: str = "") -> Path:
    path = tmp_path / "sv.csv"
    path.write_text(HEADER + "".join(rows) + end)
    return path


def _marked_blocks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the blocks the guard marks (one entry per call)."""
    calls: list[int] = []
    real = csvquotes._mark_and_count

    def counting(block: bytes, first_line: int) -> Any:
        calls.append(first_line)
        return real(block, first_line)

    monkeypatch.setattr(csvquotes, "_mark_and_count", counting)
    return calls


def test_a_clean_quoted_file_is_never_marked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _write(tmp_path, ROWS)
    calls = _marked_blocks(monkeypatch)
    got, r = _read(path)
    assert calls == [1]  # the column types' look at the first block; then none is marked
    assert len(got) == 400 and r.stats.skipped == {} and r.stats.bad_lines == []
    assert got.callsign.tolist() == [f"AFR{i % 9}" for i in range(400)]


def test_only_the_blocks_from_the_one_before_a_damaged_block_are_marked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _write(tmp_path, [*ROWS[:300], 'x,"open\n', *ROWS[300:]])
    calls = _marked_blocks(monkeypatch)
    _read(path)
    assert calls[0] == 1 and min(calls[1:]) > 200  # (the column types' look at line 1)
    r = _same_as_marking(monkeypatch, path)
    assert r.stats.bad_lines == ["sv.csv: line 302: unterminated quote: 'x,\"open'"]


@pytest.mark.parametrize("at", [3, 200, 398])  # first block, middle, last block
def test_a_quoted_newline_in_a_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, at: int
) -> None:
    bad = '1720000000,"4ca001",48.1,2.1,100.5,"AF\nR1","1000",1000.5\n'
    r = _same_as_marking(monkeypatch, _write(tmp_path, [*ROWS[:at], bad, *ROWS[at:]]))
    assert r.stats.skipped == {"sv_bad_row": 2}
    assert r.stats.bad_lines[0].startswith(f"sv.csv: line {at + 2}: unterminated quote")


@pytest.mark.parametrize("shift", range(0, 90, 7))
def test_an_unterminated_quote_at_or_near_a_block_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shift: int
) -> None:
    # A row that fills out the first rows to a block's end by ``shift`` bytes, then the
    # damaged line: it ends a block for some shifts, starts one for others.
    pad = f'1720000000,"4ca001",48.1,2.1,100.5,"{"P" * shift}","1000",1000.5\n'
    rows = [*ROWS[:50], pad, 'garbage,line,"unterminated\n', *ROWS[50:]]
    r = _same_as_marking(monkeypatch, _write(tmp_path, rows))
    assert r.stats.bad_lines == [
        "sv.csv: line 53: unterminated quote: 'garbage,line,\"unterminated'"
    ]


@pytest.mark.parametrize("end", ["", "\n", "\n\n\n"])
def test_an_unterminated_last_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, end: str
) -> None:
    # As a last column not read, a value left open to the end of the file is a whole row to
    # Arrow (the same line count), also over the empty lines after it: still named.
    path = tmp_path / "note.csv"
    note = HEADER.replace("\n", ',"note"\n')
    path.write_text(
        note + "".join(r.replace("\n", ',"n"\n') for r in ROWS) + ROWS[0][:-1] + ',"open' + end
    )
    r = _same_as_marking(monkeypatch, path)
    assert r.stats.bad_lines[0].startswith("note.csv: line 402: unterminated quote:")
    # Arrow would read '1,2,"open' at the end of the file as a row (an open quote closed by
    # the end): the guard names it, with or without the last newline.
    r = _same_as_marking(monkeypatch, _write(tmp_path, [*ROWS, '1720000400,"4ca001","open'], end))
    assert r.stats.bad_lines == [
        'sv.csv: line 402: unterminated quote: \'1720000400,"4ca001","open\''
    ]


@pytest.mark.parametrize("at", [5, 120, 399])
def test_a_bad_value_after_clean_blocks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, at: int
) -> None:
    rows = [*ROWS[:at], _row(at, "9k"), *ROWS[at + 1 :]]
    r = _same_as_marking(monkeypatch, _write(tmp_path, rows))
    assert r.stats.bad_lines == [f"sv.csv: line {at + 2}: column baroaltitude: invalid value '9k'"]


def test_damage_of_every_kind_in_neighbouring_blocks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Short rows and an open quote in one block, a bad value in the next, a quoted newline
    # after, a bad icao24 in the block before.
    rows = list(ROWS)
    rows[99] = '1720000099,"zz",48.1,2.1,100.5,"AFR1","1000",1000.5\n'  # bad icao24
    rows[126:126] = ["a,b\n", 'x,"open\n']
    rows[160] = _row(160, "9k")
    rows[200:200] = ['1720000000,"4ca001",48.1,2.1,100.5,"A\nB","1000",1.5\n']
    r = _same_as_marking(monkeypatch, _write(tmp_path, rows))
    assert r.stats.skipped["sv_bad_row"] == 5


def test_one_row_blocks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Rows nearly a block long: each block one row (or a cut one), with damage among them.
    long = [_row(i).replace("AFR", "A" * 1900, 1) for i in range(12)]
    rows = [*long[:4], 'x,"open\n', *long[4:8], _row(8, "9k"), *long[8:]]
    r = _same_as_marking(monkeypatch, _write(tmp_path, rows))
    assert r.stats.skipped == {"sv_bad_row": 2}


def test_crlf_and_empty_lines_read_as_marked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rows = [*ROWS[:100], "\n", "\n", *ROWS[100:200], 'a,"b\n', *ROWS[200:]]
    _same_as_marking(monkeypatch, _write(tmp_path, rows))
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes((HEADER + "".join(rows)).replace("\n", "\r\n").encode())
    _same_as_marking(monkeypatch, crlf)


def test_empty_lines_before_the_header_and_damage_later(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The block read again is put behind Arrow's header: the first non-empty line.
    path = tmp_path / "sv.csv"
    path.write_text("\n\n" + HEADER + "".join([*ROWS[:300], 'x,"open\n', *ROWS[300:]]))
    r = _same_as_marking(monkeypatch, path)
    assert r.stats.bad_lines == ["sv.csv: line 304: unterminated quote: 'x,\"open'"]


@pytest.mark.parametrize("at", [10, 300])
def test_a_bad_value_after_empty_lines_before_the_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, at: int
) -> None:
    # The reader restarted after a bad value reads the header put before the block again:
    # it was the file's first line, an empty one here, and Arrow then took the bad value's
    # marker for the header ("Column 'time' in include_columns does not exist").
    path = tmp_path / "sv.csv"
    path.write_text("\n\n" + HEADER + "".join([*ROWS[:at], _row(at, "9k"), *ROWS[at + 1 :]]))
    got, r = _read(path)
    assert len(got) == 399
    assert r.stats.bad_lines == [f"sv.csv: line {at + 4}: column baroaltitude: invalid value '9k'"]


def test_a_first_block_of_the_header_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Arrow gives no batch for it: its first batch is the next block's, not checked against it.
    long = _row(0).replace("AFR", "A" * 2100, 1)  # longer than a block: the header alone first
    r = _same_as_marking(monkeypatch, _write(tmp_path, [long, *ROWS[1:]]))
    assert r.stats.records == 400


def test_the_fast_guard_gives_the_file_as_read(tmp_path: Path) -> None:
    # Arrow's blocks are the reads as they are (Arrow completes a line cut by a block end
    # itself): no copy joining the piece carried over and the next read.
    data = (HEADER + "".join(ROWS)).encode()
    with open(_write(tmp_path, ROWS), "rb") as f:
        guard = csvquotes.QuoteGuard(f, fast=True)
        blocks = list(iter(lambda: guard.read(BLOCK), b""))
    assert blocks == [data[a : a + BLOCK] for a in range(0, len(data), BLOCK)]
    # Each block's rows: the lines that end in it (the first began in the block before).
    assert all(guard.check(k, b.count(b"\n") - (k == 0)) for k, b in enumerate(blocks))
    assert not guard.check(3, blocks[3].count(b"\n") + 1)


def _blocks_of(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(reader, "READ_CHUNK", size)
    monkeypatch.setattr(svcsv, "READ_CHUNK", size)


@pytest.mark.parametrize("extra", range(0, 84, 5))
def test_block_ends_anywhere_in_a_line_check_without_marking(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, extra: int
) -> None:
    # Blocks of 2 KiB + extra bytes: their ends fall at every place in a row (in a quoted
    # value, on a quote, on a comma, just before or after a newline); a clean file is still
    # checked block by block, never marked, every row read.
    _blocks_of(monkeypatch, BLOCK + extra)
    calls = _marked_blocks(monkeypatch)
    got, r = _read(_write(tmp_path, ROWS))
    assert calls == [1] and len(got) == 400 and r.stats.skipped == {}
    assert got.time_s.tolist() == [1720000000.0 + i for i in range(400)]
    assert got.callsign.tolist() == [f"AFR{i % 9}" for i in range(400)]


@pytest.mark.parametrize("extra", range(0, 84, 9))
def test_damage_and_empty_lines_at_every_place_of_a_block_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, extra: int
) -> None:
    _blocks_of(monkeypatch, BLOCK + extra)
    rows = [*ROWS[:50], "\n", *ROWS[50:150], 'x,"open\n', *ROWS[150:300], "\n\n", *ROWS[300:]]
    _same_as_marking(monkeypatch, _write(tmp_path, rows, end='1720000999,"4ca001",1'))


def test_gzip_read_as_marked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import gzip

    rows = [*ROWS[:200], 'x,"open\n', *ROWS[200:]]
    path = tmp_path / "sv.csv.gz"
    path.write_bytes(gzip.compress((HEADER + "".join(rows)).encode()))
    r = _same_as_marking(monkeypatch, path)
    assert r.stats.bad_lines == ["sv.csv.gz: line 202: unterminated quote: 'x,\"open'"]
