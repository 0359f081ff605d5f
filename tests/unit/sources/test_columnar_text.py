"""The columnar AVR and SBS block readers give exactly what the per-line parsers give.

Each case runs the same bytes through the parser as shipped (columnar blocks) and through a
copy with the columnar path switched off (``_fast = LineParser._fast``: every line parsed on
its own, the previous behaviour), and compares every column, the counts per reason and the
named bad lines. Inputs: real recordings from tests/data, and those recordings with damage
added (labelled synthetic damage: garbage, wrong lengths, blanks, comments, odd spacing).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources import AvrParser, SbsParser
from flyvakt.sources.lines import LineParser
from flyvakt.sources.textcols import avr_columns
from flyvakt.sources.writers import format_avr


class LineByLineAvr(AvrParser):
    _fast = LineParser._fast


class LineByLineSbs(SbsParser):
    _fast = LineParser._fast


class CountingAvr(AvrParser):
    """The shipped parser, counting blocks its columnar path read whole (bad lines and all)."""

    whole = 0

    def _fast(self, block: bytes, nlines: int, recv_time_s: float | None) -> FrameBatch | None:
        out = super()._fast(block, nlines, recv_time_s)
        CountingAvr.whole += out is not None and bool(self.stats.skipped)
        return out  # type: ignore[return-value]


Result = tuple[FrameBatch | ObservationBatch, dict[str, object]]


def parse(cls: type[LineParser], data: bytes, chunk: int, **kw: object) -> Result:
    p = cls(**kw)  # type: ignore[arg-type]
    parts = [p.feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    parts.append(p.finish())
    parts = [b for b in parts if len(b)] or parts[:1]
    return type(parts[0]).concat(parts), p.stats.as_dict()  # type: ignore[arg-type]


def assert_same(a: Result, b: Result) -> None:
    (ba, sa), (bb, sb) = a, b
    assert sa == sb
    assert len(ba) == len(bb)
    for name, col in vars(ba).items():
        other = vars(bb)[name]
        if isinstance(col, np.ndarray) and col.dtype.kind == "f":
            assert np.array_equal(col, other, equal_nan=True), name
        elif isinstance(col, np.ndarray):
            assert np.array_equal(col, other), name


def afr_frames(data: Path) -> FrameBatch:
    """The 57,793 real AFR34ZG frames (jet1090 JSONL) as a FrameBatch."""
    from flyvakt.sources.hexframes import JsonlFrameParser

    p = JsonlFrameParser()
    raw = gzip.decompress((data / "traffic" / "full_flight_short.jsonl.gz").read_bytes())
    b = p.feed(raw)
    rest = p.finish()
    out = FrameBatch.concat([x for x in (b, rest) if len(x)])
    assert len(out) == 57_793
    return out


def damage(text: bytes, every: int, inserts: list[bytes]) -> tuple[bytes, int]:
    """Insert the damaged lines in turn after every ``every``-th line; returns (text, count)."""
    lines = text.split(b"\n")
    out: list[bytes] = []
    n = 0
    for i, line in enumerate(lines):
        out.append(line)
        if i % every == every - 1:
            out.append(inserts[n % len(inserts)])
            n += 1
    return b"\n".join(out), n


# ---------------------------------------------------------------- AVR

# Synthetic damage (labelled): what a cut or noisy capture holds.
AVR_DAMAGE = [
    b"hello",  # not AVR
    b"*8d4840d6;",  # wrong length
    b"",  # blank
    b"# a comment",
    b"  *8d4840d6202cc371c32ce0576098;  ",  # good frame, odd spacing
    b"*8d4840d6202cc371c32cZ0576098;",  # non-hex digit
    b"@016CE3671AA8;",  # counter, no frame
    b"*7700",  # Mode A/C, no semicolon
    b"*8d4840d6202cc371c32ce0576098;;",  # two semicolons
    b"<016CE3671D74C08D00199A8BB80030A8000628F400;",  # counter + level
    b"\xff\xfe*8d",  # bytes that are not UTF-8
    b";",
    b"*",
]


@pytest.mark.parametrize("chunk", [1 << 20, 4096, 7])
def test_avr_real_file_same_as_line_by_line(data: Path, chunk: int) -> None:
    raw = (data / "dump1090" / "modes1_antirez_raw_output.avr").read_bytes()
    fast = parse(AvrParser, raw, chunk, name="modes1.avr", strict=True)
    assert len(fast[0]) == 217
    assert_same(fast, parse(LineByLineAvr, raw, chunk, name="modes1.avr", strict=True))


@pytest.mark.parametrize("with_counter", [True, False])
def test_avr_real_frames_same_as_line_by_line(data: Path, with_counter: bool) -> None:
    frames = afr_frames(data)
    text = format_avr(frames, with_counter=with_counter, epoch_s=float(frames.time_s[0]) - 1)
    raw = text.encode().replace(b"\n", b"\r\n")  # as dump1090's port 30002 sends it
    fast = parse(AvrParser, raw, 1 << 20, base_time_s=1.72e9, strict=True)
    assert len(fast[0]) == len(frames)
    assert np.array_equal(fast[0].payload, frames.payload)  # type: ignore[union-attr]
    assert_same(fast, parse(LineByLineAvr, raw, 1 << 20, base_time_s=1.72e9, strict=True))


@pytest.mark.parametrize("chunk", [1 << 20, 65536])
def test_avr_damaged_lines_counted_and_named(data: Path, chunk: int) -> None:
    frames = afr_frames(data)
    clean = format_avr(frames, with_counter=True, epoch_s=float(frames.time_s[0]) - 1).encode()
    raw, n_bad = damage(clean, 997, AVR_DAMAGE)
    CountingAvr.whole = 0
    fast = parse(CountingAvr, raw, chunk, name="dmg.avr", base_time_s=1.72e9, strict=True)
    if chunk < 100_000:  # small blocks: many hold bad lines but no line the fast path rejects
        assert CountingAvr.whole > 10
    slow = parse(LineByLineAvr, raw, chunk, name="dmg.avr", base_time_s=1.72e9, strict=True)
    assert_same(fast, slow)
    skipped = fast[1]["skipped"]
    assert isinstance(skipped, dict)
    assert skipped["avr_bad_line"] > 0 and skipped["avr_bad_length"] > 0
    # Every damaged line but the blank, the comment and the 3 good ones is counted.
    fine = {2, 3, 4, 7, 9}
    assert sum(skipped.values()) == sum(k % len(AVR_DAMAGE) not in fine for k in range(n_bad))
    assert len(fast[0]) == len(frames) + sum(k % len(AVR_DAMAGE) in {4, 7, 9} for k in range(n_bad))
    assert fast[1]["bad_lines"][0] == "dmg.avr: line 998: not an AVR frame: 'hello'"  # type: ignore[index]


def test_avr_columns_marks_only_unclean_lines() -> None:
    block = b"*8d4840d6202cc371c32ce0576098;\r\n hello\n\n#c\n*7700\n*12345;"
    cols = avr_columns(block)
    assert cols.suspect.tolist() == [1, 5]
    assert cols.nbytes.tolist() == [14, 2]


# ---------------------------------------------------------------- SBS
