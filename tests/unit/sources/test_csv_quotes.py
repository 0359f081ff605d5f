"""A line that leaves a quote open costs that line only, on every CSV/JSON-lines path.

The rows are a real cut (tests/data/real-ga, kwvi1213 aircraft a0cd27, 151 rows; the pyModeS
and jet1090 samples for the frame paths); the damaged line inserted into them is synthetic.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources import FileReader
from flyvakt.sources.csvquotes import QuoteGuard, mark, unterminated

CUT = "real-ga/kwvi1213_a0cd27.csv.gz"


def _lines(data: Path) -> list[str]:
    return gzip.decompress((data / CUT).read_bytes()).decode().splitlines()


def _read(path: Path) -> tuple[ObservationBatch, FileReader]:
    r = FileReader(str(path))
    return ObservationBatch.concat([b for b in r if isinstance(b, ObservationBatch)]), r


@pytest.mark.parametrize("bad", ['garbage,line,"unterminated', 'x,li"ne,"open', '1,2,3,"'])
@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_state_vector_csv_unterminated_quote_costs_one_line(
    data: Path, tmp_path: Path, bad: str, nl: str
) -> None:
    lines = _lines(data)
    whole, _ = _read(data / CUT)
    f = tmp_path / "dmg.csv"
    f.write_bytes(nl.join([*lines[:60], bad, *lines[60:]]).encode() + nl.encode())
    got, r = _read(f)
    assert len(got) == len(whole) == 151  # rows before and after the bad line all kept
    assert got.time_s.tolist() == whole.time_s.tolist()
    assert got.lat_deg.tolist() == whole.lat_deg.tolist()
    assert r.stats.skipped == {"sv_bad_row": 1}
    assert r.stats.bad_lines == [f"dmg.csv: line 61: unterminated quote: {bad!r}"]


def test_later_bad_rows_keep_their_line_numbers(data: Path, tmp_path: Path) -> None:
    lines = _lines(data)
    f = tmp_path / "two.csv"
    f.write_text("\n".join([*lines[:20], 'a,"b', *lines[20:100], "a,b", *lines[100:]]) + "\n")
    got, r = _read(f)
    assert len(got) == 151 and r.stats.skipped == {"sv_bad_row": 2}
    assert r.stats.bad_lines == [
        "two.csv: line 21: unterminated quote: 'a,\"b'",
        "two.csv: line 102: expected 11 columns, got 2: 'a,b'",
    ]


def test_well_formed_quotes_still_read(data: Path, tmp_path: Path) -> None:
    lines = _lines(data)
    calls = ["KLM1023 ", "A,B", 'say "hi"', 'x"y']  # trailing space, comma, escaped quote, literal
    rows = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(",")
        c = calls[i % len(calls)]
        cells[8] = c if c == 'x"y' else '"' + c.replace('"', '""') + '"'
        rows.append(",".join(cells))
    f = tmp_path / "quoted.csv"
    f.write_text("\n".join(rows) + "\n")
    got, r = _read(f)
    assert len(got) == 151 and r.stats.skipped == {}
    want = [calls[i % len(calls)].strip() for i in range(151)]  # callsigns are stripped
    assert got.callsign.tolist() == want


def test_unterminated_matches_arrow_on_each_shape() -> None:
    # Each line followed by a clean row: Arrow swallows that row exactly when the line leaves a
    # quote open, which is what unterminated() must say without Arrow.
    shapes = [
        "a,b,c",
        '"a",b,c',
        'a,"b,c',
        'a,b"c,d',
        '"a"x,b,c',
        '"a""",b,c',
        '"""a",b',
        '""',
        '"',
        'a,""",b',
        '"a,"b",c"',
        'a,"x""',
        '"a",""",c',
        'x"",y',
        ',"',
        '"a"b"c,"d',
    ]
    n_swallowed = 0
    for shape in shapes:
        block = f"h1,h2,h3\n{shape}\n1,2,3\n".encode()
        seen: list[str] = []

        def note(row: Any, seen: list[str] = seen) -> str:
            seen.append(row.text)
            return "skip"

        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=note),
            convert_options=pacsv.ConvertOptions(
                column_types={f"h{i}": pa.string() for i in (1, 2, 3)}
            ),
        )
        swallowed = "1,2,3" not in seen and "1" not in table.column("h1").to_pylist()
        assert (unterminated(block) == [1]) == swallowed, shape
        n_swallowed += swallowed
    assert n_swallowed == 7  # both kinds are in the list


@pytest.mark.parametrize("piece", [7, 150, 4096, 1 << 24])  # the last: the whole file
def test_guard_marks_across_read_boundaries(data: Path, piece: int) -> None:
    text = "\n".join([*_lines(data)[:40], 'a,"b', *_lines(data)[40:]]).encode() + b"\n"
    out, bad = mark(text)
    assert bad == [(41, b'a,"b')] and out.count(b"\n") == text.count(b"\n")

    class Slow(io.RawIOBase):  # hands out `piece` bytes at a time: lines cut anywhere
        def __init__(self) -> None:
            self.at = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            part = text[self.at : self.at + piece]
            self.at += len(part)
            return part

    g = QuoteGuard(Slow())  # type: ignore[arg-type]
    got = b"".join(iter(lambda: g.read(100), b""))
    assert got == out and list(g.bad) == [(41, b'a,"b')]


def test_frame_csv_and_jsonl_unterminated_line_costs_one_line(data: Path, tmp_path: Path) -> None:
    rows = (data / "pymodes/sample_data_adsb.csv").read_text().splitlines()  # quoted frames
    f = tmp_path / "frames.csv"
    f.write_text("\n".join([*rows[:1000], '1457996400,"8D406B90,"junk', *rows[1000:]]) + "\n")
    r = FileReader(str(f))
    n = sum(len(b) for b in r if isinstance(b, FrameBatch))
    assert n == len(rows) == 2000 and r.stats.skipped == {"bad_frame": 1}
    assert r.stats.bad_lines[0].startswith("frames.csv: line 1001: bad hex frame")
    raw = gzip.decompress((data / "traffic/full_flight_short.jsonl.gz").read_bytes()).split(b"\n")
    j = tmp_path / "frames.jsonl"
    j.write_bytes(
        b"\n".join([*raw[:3000], b'{"timestamp": 1720248189.5, "frame": "8f39', *raw[3000:]])
    )
    r = FileReader(str(j))
    n = sum(len(b) for b in r if isinstance(b, FrameBatch))
    assert n == 57_793 and r.stats.skipped == {"jsonl_bad_line": 1}
    assert r.stats.bad_lines[0].startswith("frames.jsonl: line 3001: not a JSON frame line")


def _unterminated_by_line(block: bytes) -> list[int]:
    """The quoting rule of this module's docstring, line by line in plain Python: the reference
    for :func:`unterminated`'s array passes (its fast path and its general walk)."""
    bad = []
    for ln, line in enumerate(block.split(b"\n")):
        inside, i = False, 0
        while i < len(line):
            if line[i] != ord('"'):
                i += 1
                continue
            j = i
            while j < len(line) and line[j] == ord('"'):
                j += 1
            if (j - i) % 2:  # an odd run: closes an open value, opens one at a field start
                inside = False if inside else (i == 0 or line[i - 1] == ord(","))
            i = j
        if inside:
            bad.append(ln)
    return bad


def test_unterminated_fast_path_and_walk_agree_with_the_rule() -> None:
    # Blocks of clean rows (quoted address and squawk, as OpenSky's CSV) with, in some, one
    # damaged or unusual line: the clean ones take the fast path, the others the walk; both
    # must give what the rule gives line by line.
    import random

    from flyvakt.sources import csvquotes

    rnd = random.Random(12)
    odd = [
        'a,"b',
        'c,d"e',
        '"a""",b',
        '"",""',
        '""",x',
        'a,b"c,"d',
        'x"y,"z"',
        '"a\r',
        '"a",""",c',
        '1,"2""3",4',
        '"',
        '""',
        'a,b"c',
    ]
    plain = 0
    for trial in range(400):
        rows = [
            f'{1720248189 + i},"{rnd.randrange(1 << 24):06x}",1.5,"{rnd.randrange(7777):04d}"'
            for i in range(rnd.randrange(1, 30))
        ]
        for _ in range(trial % 3):  # two damaged lines may pair their quotes up
            rows.insert(rnd.randrange(len(rows) + 1), rnd.choice(odd))
        block = ("\r\n" if trial % 3 == 0 else "\n").join(rows).encode()
        if trial % 5 == 0:
            block += b"\n"
        a = np.frombuffer(block, np.uint8)
        marks = np.flatnonzero((a == 34) | (a == 10))
        qi = np.flatnonzero(a[marks] == 34)
        plain += csvquotes._plain(a, marks[qi], qi, ord(","))
        assert unterminated(block) == _unterminated_by_line(block), block
    assert 100 < plain < 300  # both paths were taken


def test_counts_from_the_quote_scan_equal_the_counts_of_the_block() -> None:
    # The guard's rows and lines of a block with quotes come from the newlines its quote scan
    # found (_mark_and_count): equal to counting the block itself, empty lines (first, last,
    # in runs) and a last line without its newline included.
    import random

    from flyvakt.sources import csvquotes

    rnd = random.Random(7)
    pieces = ['1,"a",2', "", '"b"', "x", 'a,"b', '""']
    for trial in range(300):
        lines = [rnd.choice(pieces) for _ in range(rnd.randrange(1, 12))]
        nl = "\r\n" if trial % 7 == 0 else "\n"
        block = nl.join(lines).encode() + (nl.encode() if trial % 2 else b"")
        if b'"' not in block or not block:
            continue
        out, bad, counts = csvquotes._mark_and_count(block, 1)
        assert counts == csvquotes._counts(block), block
        assert (out, bad) == csvquotes.mark(block)


def test_quoted_newline_in_a_callsign_costs_its_two_lines_named(data: Path, tmp_path: Path) -> None:
    # A callsign quoted across a newline ("KLM\n12"): its first line leaves the quote open
    # (marked, named as unterminated), its second is a short row; only the row it replaced is
    # lost, and a later bad row keeps its own line number.
    lines = _lines(data)
    cells = lines[30].split(",")
    cells[8] = '"KLM'
    broken = [",".join(cells), '12",' + ",".join(lines[31].split(",")[9:])]
    f = tmp_path / "callsign.csv"
    f.write_text("\n".join([*lines[:30], *broken, *lines[31:90], "a,b", *lines[90:]]) + "\n")
    got, r = _read(f)
    assert len(got) == 150
    assert r.stats.skipped == {"sv_bad_row": 3}
    first = "callsign.csv: line 31: unterminated quote: '2025-12-13T21:41:36"
    assert r.stats.bad_lines[0].startswith(first)
    assert r.stats.bad_lines[1].startswith("callsign.csv: line 32: expected 11 columns, got ")
    assert r.stats.bad_lines[2] == "callsign.csv: line 92: expected 11 columns, got 2: 'a,b'"


def _counts_by_line(block: bytes) -> tuple[int, int]:
    """Rows and lines of ``block`` the plain way, line by line: Arrow's rows are the lines
    with something on them but a lone ``\r``; the lines are the newlines."""
    lines = block.count(b"\n")
    parts = block.split(b"\n")
    if block.endswith(b"\n"):
        parts = parts[:-1]
    rows = sum(1 for p in parts if p not in (b"", b"\r"))
    return rows, lines


def test_counts_equal_counting_line_by_line_with_and_without_empty_lines() -> None:
    # _counts counts empty lines only when two newlines meet somewhere (an ``any`` first):
    # the same rows and lines as counting line by line, for blocks with no empty line (the
    # path that skips the count), with some, at the start, in runs, with "\r\n".
    import random

    from flyvakt.sources import csvquotes

    rnd = random.Random(11)
    skipped = counted = 0
    for trial in range(400):
        pieces = ["1,2", "a", '"b",3'] + ([""] if trial % 3 else [])
        lines = [rnd.choice(pieces) for _ in range(rnd.randrange(1, 15))]
        nl = "\r\n" if trial % 5 == 0 else "\n"
        block = nl.join(lines).encode() + (nl.encode() if trial % 2 else b"")
        if not block:
            continue
        assert csvquotes._counts(block) == _counts_by_line(block), block
        if b"\n\n" in block:
            counted += 1
        else:
            skipped += 1
    assert counted > 50 and skipped > 50  # both ways taken
    assert csvquotes._counts(b"") == (0, 0)
    assert csvquotes._counts(b"\n\n\na\n") == (1, 4)
