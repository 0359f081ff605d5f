"""AVR, SBS, jet1090 JSONL and CSV-of-frames parsers on real files and labelled synthetic lines."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import FrameBatch, ObservationBatch, Source
from flyvakt.sources import (
    AvrParser,
    CsvFrameParser,
    JsonlFrameParser,
    SbsParser,
    SourceFormatError,
)


def run(parser: object, data: bytes, chunk: int | None = None) -> FrameBatch | ObservationBatch:
    feed = parser.feed  # type: ignore[attr-defined]
    parts = (
        [feed(data)]
        if chunk is None
        else [feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    )
    parts.append(parser.finish())  # type: ignore[attr-defined]
    parts = [p for p in parts if len(p)] or parts[:1]
    return type(parts[0]).concat(parts)  # type: ignore[return-value]


# ---------------------------------------------------------------- AVR


def test_avr_real_file(data: Path, crc24: Callable[[bytes], int]) -> None:
    raw = (data / "dump1090" / "modes1_antirez_raw_output.avr").read_bytes()
    p = AvrParser(name="modes1.avr", strict=True)
    b = run(p, raw)
    assert isinstance(b, FrameBatch)
    assert len(b) == 217 and p.stats.skipped == {}
    assert b.hex(0) == "8f4d2023587f345e35837e2218b2"
    assert b.hex(1) == "5d4d20237a55a6"
    long_rows = np.flatnonzero(b.nbytes == 14)
    assert all(crc24(bytes(b.payload[i])) == 0 for i in long_rows if b.payload[i, 0] >> 3 == 17)
    # Same result fed in 5-byte chunks with CRLF line ends.
    b2 = run(AvrParser(), raw.replace(b"\n", b"\r\n"), chunk=5)
    assert np.array_equal(b2.payload, b.payload)


def test_avr_timestamped_variants() -> None:
    # Synthetic lines in the formats of the Mode-S Beast documentation.
    text = (
        b"@016CE3671AA88D00199A8BB80030A8000628F400;\n"
        b"@016CE3671C7423FFE7AB7BFCAB;\n"
        b"<016CE3671D74C08D00199A8BB80030A8000628F400;\n"
        b"*7700;\n"
    )
    p = AvrParser(base_time_s=1000.0)
    b = run(p, text)
    assert [b.hex(i) for i in range(4)] == [
        "8d00199a8bb80030a8000628f400",
        "23ffe7ab7bfcab",
        "8d00199a8bb80030a8000628f400",
        "7700",
    ]
    assert b.time_s[0] == 1000.0
    assert b.time_s[1] == pytest.approx(1000.0 + (0x016CE3671C74 - 0x016CE3671AA8) / 12e6)
    assert b.signal_dbfs[2] == pytest.approx(20 * np.log10(0xC0 / 255), abs=1e-4)
    assert b.nbytes[3] == 2


def test_avr_garbage_lines_counted() -> None:
    text = b"*8d4840d6202cc371c32ce0576098;\nhello\n*8d4840d6;\n*02e99619facdae;\n"
    p = AvrParser(name="x.avr", strict=True)
    b = run(p, text)
    assert len(b) == 2
    assert p.stats.skipped == {"avr_bad_line": 1, "avr_bad_length": 1}


def test_avr_wrong_format_names_line() -> None:
    p = AvrParser(name="rec.txt", strict=True)
    with pytest.raises(SourceFormatError) as e:
        run(p, b"\n\nhello\nworld\n")
    assert str(e.value) == "rec.txt: line 3: not an AVR frame: 'hello'"


# ---------------------------------------------------------------- SBS

# Synthetic BaseStation lines, written by hand in the layout readsb/dump1090 emit on port 30003.
SBS = b"""MSG,1,1,1,4CA2D6,1,2024/07/06,06:43:09.525,2024/07/06,06:43:09.530,RYR8PL  ,,,,,,,,0,0,0,0
MSG,3,1,1,4CA2D6,1,2024/07/06,06:43:10.000,2024/07/06,06:43:10.010,,36000,,,53.12345,-2.54321,,,0,0,0,0
MSG,4,1,1,4CA2D6,1,2024/07/06,06:43:11.000,2024/07/06,06:43:11.010,,,450.5,271.2,,,-64,,0,0,0,0
MSG,6,1,1,4CA2D6,1,2024/07/06,06:43:12.250,2024/07/06,06:43:12.260,,,,,,,,7700,-1,-1,0,0
MSG,2,1,1,~A1B2C3,1,2024/07/06,06:43:13.000,2024/07/06,06:43:13.000,,,12,90,53.2,-2.6,,,,,,-1
STA,,5,179,400AA5,10103,2024/07/06,06:43:13.100,2024/07/06,06:43:13.100,RM
MSG,3,1,1,XYZ,1,2024/07/06,06:43:14.000,2024/07/06,06:43:14.000,,1000,,,1,1,,,0,0,0,0
"""


def test_sbs_fields() -> None:
    p = SbsParser(name="feed.sbs", strict=True)
    b = run(p, SBS.replace(b"\n", b"\r\n"))
    assert isinstance(b, ObservationBatch)
    assert len(b) == 5
    assert p.stats.skipped == {"sbs_other": 1, "sbs_bad_icao": 1}
    t0 = datetime(2024, 7, 6, 6, 43, 9, 525000, tzinfo=UTC).timestamp()
    assert b.time_s[0] == pytest.approx(t0)
    assert b.icao24[0] == 0x4CA2D6 and b.icao24[4] == 0xA1B2C3
    assert b.callsign[0] == "RYR8PL" and b.callsign[1] is None
    assert b.altitude_baro_ft[1] == 36000 and b.lat_deg[1] == 53.12345 and b.lon_deg[1] == -2.54321
    assert b.groundspeed_kt[2] == 450.5 and b.track_deg[2] == 271.2
    assert b.vertical_rate_fpm[2] == -64
    assert b.squawk[3] == 7700 and b.emergency[3] == 1 and b.squawk[0] == -1
    assert b.on_ground[4] == 1 and b.on_ground[1] == 0 and b.on_ground[3] == 0
    assert np.all(b.source == Source.SBS) and b.address_checked.all()


def test_sbs_wrong_format() -> None:
    with pytest.raises(SourceFormatError, match=r"^a\.csv: line 1: not an SBS line"):
        run(SbsParser(name="a.csv", strict=True), b"a,b,c\n1,2,3\n")


# ---------------------------------------------------------------- jet1090 JSONL


def test_jsonl_real_file(data: Path) -> None:
    raw = gzip.decompress((data / "traffic" / "full_flight_short.jsonl.gz").read_bytes())
    p = JsonlFrameParser(name="flight.jsonl", strict=True)
    b = run(p, raw, chunk=1 << 20)
    assert len(b) == 57_793 and p.stats.skipped == {}
    assert b.time_s[0] == 1720248189.525094
    assert b.time_s[-1] == 1720252967.494935
    assert b.hex(0) == "8f393322384a02aea63afc43dcba"
    assert b.hex(1) == "212800bf40f1ef7e5817e9cc428d"


def test_jsonl_other_key_order_and_bad_lines() -> None:
    text = (
        b'{"frame": "8d4840d6202cc371c32ce0576098", "timestamp": 1700000000.5}\n'
        b'{"timestamp": 1700000001, "frame": "zz"}\n'
        b"not json\n"
        b'{"timestamp": 1700000002000, "frame": "02e99619facdae"}\n'
    )
    p = JsonlFrameParser()
    b = run(p, text)
    assert len(b) == 2
    assert b.time_s.tolist() == [1700000000.5, 1700000002.0]  # ms told apart by magnitude
    assert p.stats.skipped == {"bad_frame": 1, "jsonl_bad_line": 1}


# ---------------------------------------------------------------- CSV frames


@pytest.mark.parametrize(
    ("name", "n", "t0", "hex0"),
    [
        ("pymodes/sample_data_adsb.csv", 2000, 1457996400.0, "8d406b909945de10000405999be4"),
        ("pymodes/sample_data_commb_df20.csv", 5000, 1495353600.0, "a00015b7c26e1370aa00005dd34a"),
        ("pymodes/sample_data_commb_df21.csv", 5000, 1495353600.0, "a8000d9fa55a032dbffc000d8123"),
        ("rs1090/short_flights.csv", 486, 1753827785.8086092, "8dada5265851e6616376c2eb4463"),
    ],
)
def test_csv_real_files(data: Path, name: str, n: int, t0: float, hex0: str) -> None:
    p = CsvFrameParser(name=name, strict=True)
    b = run(p, (data / name).read_bytes())
    assert len(b) == n and p.stats.skipped == {}
    assert b.time_s[0] == t0
    assert b.hex(0) == hex0


def test_csv_header_and_column_order() -> None:
    # Synthetic: header, frame column first, millisecond times, a broken row.
    text = (
        b"\xef\xbb\xbfhex;icao;ts\n"
        b"8d4840d6202cc371c32ce0576098;4840D6;1700000000500\n"
        b"8d4840d6;4840D6;1700000001000\n"
        b"02e99619facdae;;1700000002000\n"
    )
    p = CsvFrameParser(name="m.csv", strict=True)
    b = run(p, text)
    assert p.header == ["hex", "icao", "ts"]
    assert len(b) == 2 and b.time_s.tolist() == [1700000000.5, 1700000002.0]
    assert p.stats.skipped == {"bad_frame": 1}
