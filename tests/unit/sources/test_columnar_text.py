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


def test_avr_columns_counter_and_level_digits_checked() -> None:
    """A non-hex character in the counter or the level makes the line suspect (synthetic)."""
    frame = b"8d4840d6202cc371c32ce0576098"
    block = b"\n".join(
        [
            b"@00000000ABCD" + frame + b";",
            b"@0000000g0001" + frame + b";",  # bad counter digit
            b"<000000000002f1" + frame + b";",
            b"<000000000003x0" + frame + b";",  # bad level digit
            b"<0000000000047f" + frame + b";",
        ]
    )
    cols = avr_columns(block)
    assert cols.suspect.tolist() == [1, 3]
    assert cols.counter.tolist() == [0xABCD, 2, 4]
    assert cols.level.tolist() == [0, 0xF1, 0x7F]
    assert [bytes(r[:14]).hex() for r in cols.payload] == [frame.decode()] * 3


# ---------------------------------------------------------------- SBS


def sbs_from_real_positions(data: Path) -> bytes:
    """The positions flyvakt reads from the real AFR34ZG recording, written as SBS lines the
    way readsb writes port 30003 (the values are real; the SBS layout is ours)."""
    import flyvakt

    t = flyvakt.read(str(data / "traffic" / "full_flight_short.jsonl.gz")).to_arrow()
    cols = {n: t.column(n).to_pylist() for n in t.column_names}
    out = []
    for i in range(t.num_rows):
        ts = cols["time"][i]
        date, clock = ts.strftime("%Y/%m/%d"), ts.strftime("%H:%M:%S.%f")[:-3]

        def num(name: str, digits: int = 1, i: int = i) -> str:
            v = cols[name][i]
            return "" if v is None or v != v else f"{v:.{digits}f}"

        gnd = {True: "-1", False: "0", None: ""}[cols["on_ground"][i]]
        sq = cols["squawk"][i] or ""
        out.append(
            f"MSG,3,1,1,{cols['icao24'][i].upper()},1,{date},{clock},{date},{clock},"
            f"{cols['callsign'][i] or ''},{num('altitude_baro_ft', 0)},{num('groundspeed_kt')},"
            f"{num('track_deg')},{num('lat', 5)},{num('lon', 5)},{num('vertical_rate_fpm', 0)},"
            f"{sq},0,0,0,{gnd}"
        )
    return ("\r\n".join(out) + "\r\n").encode()


# Synthetic damage (labelled): lines a noisy port-30003 capture or a cut file holds.
SBS_DAMAGE = [
    b"hello",  # not SBS
    b"STA,,5,179,400AA5,10103,2024/07/06,06:43:13.100,2024/07/06,06:43:13.100,RM",  # counted
    b"MSG,3,1,1,XYZ,1,2024/07/06,06:43:14.000,2024/07/06,06:43:14.000,,1000,,,1,1,,,0,0,0,0",
    b"MSG,3,1,1,393322,1,2024/13/06,06:43:14.000,2024/07/06,06:43:14.000,,1000,,,,,,,0,0,0,0",
    b"",  # blank
    b"MSG,4,1,1,393322,1,2024/07/06,06:43:15.000,2024/07/06,06:43:15.010,,,abc,271.2,,,-64,,0",
    b"MSG,3,1,1,393322,1,2024/07/06,06:43:16.000,,,,36000,,,0,0,,,0,0,0,0 ",  # short, spaced
    b"MSG,1,1,1,~A1B2C3,1,2024/07/06,06:43:17.000,,,RYR8PL  ,,,,,,,7700,0,-1,0,-1",
]


@pytest.mark.parametrize("chunk", [1 << 20, 16384])
def test_sbs_real_positions_same_as_line_by_line(data: Path, chunk: int) -> None:
    raw = sbs_from_real_positions(data)
    fast = parse(SbsParser, raw, chunk, name="afr.sbs", strict=True)
    assert len(fast[0]) == raw.count(b"\n") > 1000
    assert_same(fast, parse(LineByLineSbs, raw, chunk, name="afr.sbs", strict=True))
    obs = fast[0]
    assert isinstance(obs, ObservationBatch)
    assert (obs.icao24 == 0x393322).all() and np.isfinite(obs.lat_deg).all()


@pytest.mark.parametrize("chunk", [1 << 20, 16384])
def test_sbs_damaged_lines_counted_and_named(data: Path, chunk: int) -> None:
    raw, n_bad = damage(sbs_from_real_positions(data), 211, SBS_DAMAGE)
    fast = parse(SbsParser, raw, chunk, name="dmg.sbs", strict=True)
    assert_same(fast, parse(LineByLineSbs, raw, chunk, name="dmg.sbs", strict=True))
    skipped = fast[1]["skipped"]
    assert isinstance(skipped, dict)
    assert set(skipped) == {"sbs_bad_line", "sbs_bad_icao", "sbs_bad_time", "sbs_other"}
    assert sum(skipped.values()) == sum(k % len(SBS_DAMAGE) < 4 for k in range(n_bad))
    assert fast[1]["bad_lines"][0] == "dmg.sbs: line 212: not an SBS line: 'hello'"  # type: ignore[index]
