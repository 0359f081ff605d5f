"""The jet1090 JSONL byte scan gives exactly what Arrow's JSON reader and the per-line parser
give: every column, the counts per reason and the named bad lines.

Inputs: the real AFR34ZG recording as jet1090 wrote it (its whole decode on every line), the
same frames as ``flyvakt`` writes JSONL (two keys), with CRLF endings, and with labelled
synthetic damage (lines the scan must leave to the other readers).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest

from flyvakt.sources import hexframes
from flyvakt.sources.hexframes import JsonlFrameParser
from flyvakt.sources.lines import LineParser
from flyvakt.sources.writers import write_jsonl

from .test_columnar_text import afr_frames, assert_same, damage, parse


class LineByLineJsonl(JsonlFrameParser):
    _fast = LineParser._fast


_SCAN = hexframes._scan_jet1090


def _no_scan(block: bytes, nlines: int) -> None:
    return None


def _three_ways(monkeypatch: pytest.MonkeyPatch, raw: bytes, chunk: int, **kw: object) -> int:
    """Shipped parser == Arrow's JSON reader alone == line by line; returns how many blocks
    the scan read (so that a test sees the scan was used at all)."""
    taken = []

    def counting(block: bytes, nlines: int) -> object:
        out = _SCAN(block, nlines)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(hexframes, "_scan_jet1090", counting)
    shipped = parse(JsonlFrameParser, raw, chunk, **kw)
    monkeypatch.setattr(hexframes, "_scan_jet1090", _no_scan)
    assert_same(shipped, parse(JsonlFrameParser, raw, chunk, **kw))
    assert_same(shipped, parse(LineByLineJsonl, raw, chunk, **kw))
    return sum(taken)


@pytest.mark.parametrize("chunk", [1 << 20, 65536])
def test_real_jet1090_file(data: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = gzip.decompress((data / "traffic" / "full_flight_short.jsonl.gz").read_bytes())
    assert _three_ways(monkeypatch, raw, chunk, name="afr.jsonl", strict=True) > 0


def test_flyvakt_written_and_crlf(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    write_jsonl(buf, afr_frames(data))
    raw = buf.getvalue().encode()
    assert _three_ways(monkeypatch, raw, 1 << 20, strict=True) > 0
    assert _three_ways(monkeypatch, raw.replace(b"\n", b"\r\n"), 1 << 20, strict=True) > 0


# Synthetic damage (labelled): lines the scan must not read (they go to the other readers,
# which take or count them as before).
JSONL_DAMAGE = [
    b'{"timestamp": 1720248190.5, "frame": "8d4840d6202cc371c32ce0576098"}',  # spaces
    b'{"timestamp":NaN,"frame":"8d4840d6202cc371c32ce0576098"}',
    b'{"timestamp":Infinity,"frame":"8d4840d6202cc371c32ce0576098"}',
    b'{"frame":"8d4840d6202cc371c32ce0576098","timestamp":1720248190.5}',  # other order
    b'{"timestamp":1720248190.5,"frame":"8d4840d6202cc371c32cZ0576098"}',  # not hex
    b'{"timestamp":1720248190.5,"frame":"8d4840d6"}',  # wrong length
    b'{"timestamp":1.720248190e9,"frame":"8d4840d6202cc371c32ce0576098"',  # cut after frame
    b'{"timestamp":1720248190.5.1,"frame":"8d4840d6202cc371c32ce0576098"}',
    b'{"timestamp":1720248190,"frame":"8d4840d6202cc371c32ce0576098"x}',
    b'{"timestamp":17202481',  # cut
    b'{"timestamp":"1720248190.5","frame":"8d4840d6202cc371c32ce0576098"}',  # quoted number
    b'{"timestamp":1720248190.5}',  # no frame
    b'{"timestamp":1720248190.5,"frame":"8d4840d6202cc371c32ce0576098',  # cut in the hex
    b'{"timestamp":1720248190.5,"frame":8d4840d6202cc371c32ce0576098}',  # hex not quoted
    b"",
]


@pytest.mark.parametrize("every", [500, 20_000])
def test_damaged_lines(data: Path, every: int, monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    write_jsonl(buf, afr_frames(data))
    raw, n = damage(buf.getvalue().encode(), every, JSONL_DAMAGE)
    assert n > 0
    _three_ways(monkeypatch, raw, 1 << 20, name="damaged.jsonl")


def test_scan_reads_the_two_fields_exactly() -> None:
    block = (
        b'{"timestamp":1720248189.5251138,"frame":"8d4840d6202cc371c32ce0576098","df":"17"}\n'
        b'{"timestamp":1.7e9,"frame":"02e18ca8f1d2ed"}'
    )
    got = hexframes._scan_jet1090(block, 2)
    assert got is not None
    payload, nbytes, ok, ts = got
    assert ok.all() and nbytes.tolist() == [14, 7]
    assert bytes(payload[1, :7]).hex() == "02e18ca8f1d2ed"
    assert np.asarray(ts).tolist() == [1720248189.5251138, 1.7e9]


@pytest.mark.parametrize("line", JSONL_DAMAGE)
def test_scan_declines_each_damaged_line(line: bytes) -> None:
    good = b'{"timestamp":1720248189.5,"frame":"02e18ca8f1d2ed"}'
    assert hexframes._scan_jet1090(good + b"\n" + good, 2) is not None
    for block in (good + b"\n" + line + b"\n" + good, good + b"\n" + good + b"\n" + line):
        got = hexframes._scan_jet1090(block, 3)
        assert got is None or not got[2].all()  # declined, or the row marked not hex


def test_csv_without_time_column_same_as_line_by_line(data: Path) -> None:
    # The columnar tail shared with CSV (``_from_hex``), for a file of bare hex frames.
    from flyvakt.sources.hexframes import CsvFrameParser

    class LineByLineCsv(CsvFrameParser):
        _fast = LineParser._fast

    frames = afr_frames(data)
    raw = ("hex\n" + "".join(frames.hex(i) + "\n" for i in range(len(frames)))).encode()
    fast = parse(CsvFrameParser, raw, 1 << 20, base_time_s=1.72e9)
    assert len(fast[0]) == len(frames)
    assert_same(fast, parse(LineByLineCsv, raw, 1 << 20, base_time_s=1.72e9))
