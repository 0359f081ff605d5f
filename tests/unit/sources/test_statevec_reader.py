"""State vectors (traffic JSON, OpenSky CSV/Parquet, JSON lines, readsb traces) and the reader."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flyvakt.model.batches import FrameBatch, ObservationBatch, Source
from flyvakt.sources import (
    FileReader,
    SourceFormatError,
    SourceStats,
    iter_batches,
    open_source,
)
from flyvakt.sources.svcsv import first_block_types


def read_all(url: str, **kw: object) -> tuple[list[FrameBatch | ObservationBatch], FileReader]:
    r = FileReader(url, **kw)  # type: ignore[arg-type]
    return list(r), r


TRAFFIC = {
    "airbus_tree.json.gz": (5412, 0x3807FA, 1513165635.0),
    "border_control.json.gz": (1465, 0x407918, 1587094850.0),
    "calfire.json.gz": (9955, 0xA3C6BD, 1599702342.0),
    "dreamliner_boeing.json.gz": (1630, 0xAAAD6B, 1501712882.0),
    "kiwi.json.gz": (1491, 0xC820D1, 1621036649.0),
    "noisy_ground.json.gz": (924, 0x440549, 1573481630.0),
    "noisy_landing.json.gz": (848, 0x3C664E, 1573494951.0),
    "noisy_takeoff.json.gz": (730, 0x3946E4, 1573493736.0),
    "noisy_time_issue.json.gz": (8294, 0x4B1815, 1657712422.0),
}


@pytest.mark.parametrize("name", sorted(TRAFFIC))
def test_traffic_state_vectors(data: Path, name: str) -> None:
    n, icao, t0 = TRAFFIC[name]
    batches, r = read_all(str(data / "traffic" / name))
    b = ObservationBatch.concat([x for x in batches if isinstance(x, ObservationBatch)])
    assert r.kind == "json" and len(b) == n and r.stats.skipped == {}
    assert b.icao24[0] == icao and b.time_s[0] == t0
    assert np.all(b.source == Source.STATE_VECTOR) and b.address_checked.all()
    assert np.isfinite(b.lat_deg).all() and np.isfinite(b.lon_deg).all()


def test_traffic_units_and_flags(data: Path) -> None:
    kiwi = next(iter(FileReader(str(data / "traffic" / "kiwi.json.gz"))))
    assert isinstance(kiwi, ObservationBatch)
    assert kiwi.squawk[:2].tolist() == [0, 5216]
    assert kiwi.callsign[0] == "ANZ4376" and kiwi.on_ground[0] == -1  # no onground column
    # calfire: traffic convention, geoaltitude already in ft.
    cal = next(iter(FileReader(str(data / "traffic" / "calfire.json.gz"))))
    assert isinstance(cal, ObservationBatch)
    assert cal.altitude_baro_ft[0] == 1050.0 and cal.altitude_gnss_ft[0] == 1000.0
    # noisy_ground is pandas "columns" JSON with an onground column.
    ground = next(iter(FileReader(str(data / "traffic" / "noisy_ground.json.gz"))))
    assert isinstance(ground, ObservationBatch)
    assert ground.on_ground[0] == 1 and ground.callsign[0] == "AUA570"


OPENSKY_CSV = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude\n"
    "1700000000,3c6444,50.1,8.5,100.0,90,5.08,DLH400  ,false,false,false,1000,3048.0,3100.0\n"
    "1700000010,3c6444,50.2,8.6,,91,,DLH400  ,,false,false,,,\n"
    "1700000020,XYZ,50.3,8.7,100.0,92,0,DLH400,true,false,false,7700,0,0\n"
)


def test_opensky_csv_units(tmp_path: Path) -> None:
    # Synthetic rows in OpenSky's Impala column layout (metres, m/s).
    f = tmp_path / "states.csv"
    f.write_text(OPENSKY_CSV)
    stats = SourceStats()
    b = ObservationBatch.concat([x for x in iter_batches(str(f), stats=stats)])  # type: ignore[misc]
    assert len(b) == 2 and stats.skipped == {"bad_icao24": 1}
    assert b.altitude_baro_ft[0] == pytest.approx(10000.0)
    assert b.altitude_gnss_ft[0] == pytest.approx(3100.0 / 0.3048)
    assert b.groundspeed_kt[0] == pytest.approx(100.0 * 3600 / 1852)
    assert b.vertical_rate_fpm[0] == pytest.approx(1000.0, rel=1e-3)
    assert b.track_deg[0] == 90 and b.squawk[0] == 1000 and b.callsign[0] == "DLH400"
    assert b.on_ground.tolist() == [0, -1]  # empty is unknown, not false
    assert np.isnan(b.groundspeed_kt[1])


def test_parquet_iso_times_and_batching(tmp_path: Path) -> None:
    n = 25
    table = pa.table(
        {
            "timestamp": [f"2024-07-06T06:43:{i:02d}Z" for i in range(n)],
            "icao24": ["393322"] * n,
            "latitude": np.linspace(49.0, 49.1, n),
            "longitude": np.linspace(2.5, 2.6, n),
            "altitude": [None] + [1000.0] * (n - 1),
            "onground": [True, False, None, *([False] * (n - 3))],
        }
    )
    f = tmp_path / "v.parquet"
    pq.write_table(table, f)
    batches, r = read_all(str(f), batch_size=10)
    assert [len(b) for b in batches] == [10, 10, 5] and r.kind == "parquet"
    b = ObservationBatch.concat([x for x in batches if isinstance(x, ObservationBatch)])
    assert b.time_s[0] == 1720248180.0 and b.time_s[-1] == 1720248204.0
    assert b.icao24[0] == 0x393322 and np.isnan(b.altitude_baro_ft[0])
    assert b.on_ground[:3].tolist() == [1, 0, -1]


def test_state_vector_json_lines(tmp_path: Path) -> None:
    recs = [
        {"timestamp": 1700000000000, "icao24": "abc123", "latitude": 1.0, "longitude": 2.0},
        {"timestamp": "2023-11-14T22:13:21+00:00", "icao24": "abc123", "lat": 1.1, "lon": 2.1},
    ]
    f = tmp_path / "sv.jsonl.gz"
    f.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in recs) + "\n").encode()))
    batches, r = read_all(str(f))
    assert r.kind == "sv-jsonl"
    b = batches[0]
    assert isinstance(b, ObservationBatch)
    assert b.time_s.tolist() == [1700000000.0, 1700000001.0]
    assert b.lat_deg.tolist() == [1.0, 1.1]


def test_readsb_trace(tmp_path: Path) -> None:
    # Synthetic trace_full in readsb's layout: [dt, lat, lon, alt|"ground", gs, track, flags,
    # vrate, details, type, geom_alt, geom_rate, ias, roll].
    trace = {
        "icao": "4ca2d6",
        "timestamp": 1720248000.0,
        "trace": [
            [
                0.0,
                53.1,
                -2.5,
                "ground",
                12.0,
                90.0,
                0,
                None,
                {"flight": "RYR8PL  ", "squawk": "2000"},
            ],
            [30.5, 53.2, -2.6, 3000, 160.0, 91.0, 0, 1500, None, "adsb_icao", 3100, None, 150],
            [60.0, 53.3, -2.7, 3500, 170.0, 92.0, 8, 1200, None],
            "junk",
        ],
    }
    f = tmp_path / "trace_full_4ca2d6.json"
    f.write_text(json.dumps(trace))
    batches, r = read_all(str(f))
    b = batches[0]
    assert isinstance(b, ObservationBatch) and len(b) == 3
    assert r.stats.skipped == {"bad_trace_point": 1}
    assert b.time_s.tolist() == [1720248000.0, 1720248030.5, 1720248060.0]
    assert b.on_ground.tolist() == [1, 0, 0]
    assert np.isnan(b.altitude_baro_ft[0]) and b.altitude_baro_ft[1] == 3000
    assert b.altitude_gnss_ft[1] == 3100 and b.altitude_gnss_ft[2] == 3500  # flag 8: geometric
    assert np.isnan(b.altitude_baro_ft[2])
    assert b.callsign.tolist() == ["RYR8PL"] * 3 and b.squawk[0] == 2000
    assert b.airspeed_kt[1] == 150


# ---------------------------------------------------------------- URLs, sniffing, errors


def test_open_source_urls() -> None:
    s = open_source("beast+tcp://10.0.0.2")
    assert (s.fmt, s.host, s.port, s.is_tcp) == ("beast", "10.0.0.2", 30005, True)
    assert open_source("sbs+tcp://rx:40003").port == 40003
    assert open_source("avr+tcp://rx").port == 30002
    assert open_source("file:rec.bin").path == "rec.bin"
    assert open_source("file:///tmp/x.avr.gz").fmt == "avr"
    assert open_source("v.parquet").fmt == "parquet"
    assert open_source("rec.txt").fmt is None
    assert open_source("rec.txt", fmt="sbs").fmt == "sbs"
    with pytest.raises(SourceFormatError, match="unknown URL scheme"):
        open_source("ftp://x/y")
    with pytest.raises(SourceFormatError, match="unknown format"):
        open_source("x.bin", fmt="mp3")


@pytest.mark.parametrize(
    ("name", "kind", "n"),
    [
        ("traffic/sample_dump1090.bin", "beast", 239),
        ("dump1090/modes1_antirez_raw_output.avr", "avr", 217),
        ("traffic/full_flight_short.jsonl.gz", "jsonl", 57_793),
        ("pymodes/sample_data_commb_df20.csv", "csv", 5000),
        ("rs1090/short_flights.csv", "csv", 486),
    ],
)
def test_detect_by_content(data: Path, tmp_path: Path, name: str, kind: str, n: int) -> None:
    """Renamed to .dat (no usable extension), plain and gzipped: content alone decides."""
    src = data / name
    plain = tmp_path / "rec.dat"
    raw = src.read_bytes()
    plain.write_bytes(gzip.decompress(raw) if name.endswith(".gz") else raw)
    packed = tmp_path / "rec2.dat"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        batches, r = read_all(f"file:{path}")
        assert r.kind == kind
        assert sum(len(b) for b in batches) == n
        assert r.stats.records == n


def test_beast_detected_mid_frame(data: Path, tmp_path: Path) -> None:
    f = tmp_path / "cut.dat"
    f.write_bytes((data / "traffic" / "sample_dump1090.bin").read_bytes()[5:])
    batches, r = read_all(str(f))
    assert r.kind == "beast" and sum(len(b) for b in batches) == 238


def test_sbs_file_detected(tmp_path: Path) -> None:
    f = tmp_path / "feed.log"
    f.write_text(
        "MSG,3,1,1,4CA2D6,1,2024/07/06,06:43:10.000,2024/07/06,06:43:10.010,,36000,,,53.1,-2.5,,,0,0,0,0\n"
    )
    batches, r = read_all(str(f))
    assert r.kind == "sbs" and len(batches[0]) == 1


def test_batch_size(data: Path) -> None:
    sizes = [
        len(b)
        for b in iter_batches(
            str(data / "traffic" / "full_flight_short.jsonl.gz"), batch_size=10_000
        )
    ]
    assert sizes == [10_000] * 5 + [7_793]


def test_start_time_for_beast_file(data: Path) -> None:
    b = next(
        iter(iter_batches(str(data / "traffic" / "sample_dump1090.bin"), start_time_s=1581502020.0))
    )
    assert isinstance(b, FrameBatch) and b.time_s[0] == 1581502020.0


def test_wrong_format_messages(tmp_path: Path, data: Path) -> None:
    f = tmp_path / "rec.txt"
    f.write_text("\n\nhello\nworld\nagain\n")
    with pytest.raises(SourceFormatError) as e:
        list(iter_batches(str(f), fmt="avr"))
    assert str(e.value) == "rec.txt: line 3: not an AVR frame: 'hello'"
    with pytest.raises(SourceFormatError, match=r"^rec\.txt: line 1: unrecognised format"):
        list(iter_batches(str(f)))
    avr_as_beast = tmp_path / "x.bin"
    shutil.copy(data / "dump1090" / "modes1_antirez_raw_output.avr", avr_as_beast)
    with pytest.raises(SourceFormatError, match=r"^x\.bin: byte 0: not a Beast stream"):
        list(iter_batches(str(avr_as_beast)))
    with pytest.raises(SourceFormatError, match="no such file"):
        list(iter_batches(str(tmp_path / "missing.bin")))
    bad_json = tmp_path / "v.json"
    bad_json.write_text('[{"icao24": "abc123",\n "timestamp": }]')
    with pytest.raises(SourceFormatError, match=r"^v\.json: line 2: not valid JSON"):
        list(iter_batches(str(bad_json)))


def test_garbage_lines_in_good_file_are_counted(tmp_path: Path, data: Path) -> None:
    lines = (data / "dump1090" / "modes1_antirez_raw_output.avr").read_text().splitlines()
    lines[10] = "garbage"
    lines[20] = "*8d4d20;"
    f = tmp_path / "damaged.avr"
    f.write_text("\n".join(lines) + "\n")
    stats = SourceStats()
    n = sum(len(b) for b in iter_batches(str(f), stats=stats))
    assert n == 215
    assert stats.skipped == {"avr_bad_line": 1, "avr_bad_length": 1}
    assert stats.lines == 217


def test_state_vector_file_without_usable_rows(data: Path) -> None:
    """The ground-truth CSV has icao24 but no time column: a clear error, not an empty replay."""
    with pytest.raises(
        SourceFormatError, match=r"^events_groundtruth_dev\.csv: line 2: no state-vector row"
    ):
        list(iter_batches(str(data / "events_groundtruth_dev.csv")))


@pytest.mark.parametrize("name", ["calfire.json.gz", "noisy_ground.json.gz"])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_arrow_columns_same_as_per_value(
    data: Path, tmp_path: Path, name: str, suffix: str
) -> None:
    """Real state vectors as CSV/Parquet: the once-per-distinct-value conversion of text,
    boolean and gappy columns gives exactly what converting every value on its own gives."""
    import pyarrow.csv as pacsv

    from flyvakt.sources._common import SourceStats
    from flyvakt.sources.statevec import columns_to_obs

    records = json.loads(gzip.decompress((data / "traffic" / name).read_bytes()))
    if isinstance(records, dict):  # pandas orient="columns"
        table = pa.table({k: list(v.values()) for k, v in records.items()})
    else:
        table = pa.Table.from_pylist(records)
    path = tmp_path / f"sv.{suffix}"
    if suffix == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    reader = FileReader(str(path), batch_size=1 << 20)
    got = ObservationBatch.concat(list(reader))
    back = (
        pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"icao24": pa.string(), "squawk": pa.string(), "callsign": pa.string()}
            ),
        )
        if suffix == "csv"
        else pq.read_table(path)
    )
    cols = {n: back.column(n).to_pylist() for n in back.column_names}  # one Python value each
    ref = columns_to_obs(cols, back.num_rows, SourceStats())
    assert len(got) == len(ref) > 700
    for field, col in vars(ref).items():
        other = vars(got)[field]
        if isinstance(col, np.ndarray) and col.dtype.kind == "f":
            assert np.allclose(col, other, rtol=0, atol=1e-9, equal_nan=True), field
        elif isinstance(col, np.ndarray):
            assert np.array_equal(col, other), field
    assert any(c is not None for c in got.callsign)
    if "onground" in back.column_names:
        assert (got.on_ground >= 0).any()


def test_icao_column_from_arrow_same_as_one_by_one() -> None:
    """Addresses read from Arrow text at once give what ``_icao`` gives value by value, for
    every form: cases, readsb's "~" mark, spaces, wrong lengths, non-hex, non-ASCII, nulls
    (synthetic values: the forms real files have, and damaged ones)."""
    from flyvakt.sources.statevec import ArrowText, _icao, distinct_of_arrow, icao_column

    rng = np.random.default_rng(5)
    forms = ["3c6444", "3C6444", "~c639ee", " 3c6444", "3c644", "zz6444", "", "abcdéf",
             "ABCDEF", "~~abc", "3c 444", "0000ff", "1234567", None]  # fmt: skip
    values = [
        forms[int(rng.integers(len(forms)))] if rng.random() < 0.3 else f"{x:06x}"
        for x in rng.integers(0, 1 << 24, 20_000)
    ]
    column = pa.array(values, type=pa.string())
    clean = pa.array([f"{x:06X}" for x in rng.integers(0, 1 << 24, 500)], type=pa.string())
    no_six = pa.array(["~c639ee", None, "3c644"], type=pa.string())
    # A slice: offsets not starting at 0; all 6-digit hex, and none, take their own ways.
    for part in (column, column.slice(7, 9_000), clean, no_six):
        got = icao_column(distinct_of_arrow(part))
        expected = np.array([_icao(v) for v in part.to_pylist()], dtype=np.int64)
        assert np.array_equal(got, expected)
        assert np.array_equal(icao_column(ArrowText(part)), expected)  # every row at once
        assert list(ArrowText(part)) == part.to_pylist()
    got = icao_column(ArrowText(column))
    assert (got == -1).sum() > 500 and (got >= 1 << 24).sum() > 100  # bad ones and "~" marks


def test_column_empty_in_the_first_block_is_read_later(tmp_path: Path) -> None:
    """An OpenSky-style CSV whose ``geoaltitude`` is empty for its first ~1.7 MB (more than
    the reader's first block) and then has values (synthetic, as OpenSky leaves it empty when
    unknown): every row is read, the late values converted, nothing stops early. Arrow typed
    the column ``null`` from the first block and stopped at the first value."""
    from flyvakt.sources.reader import READ_CHUNK

    header = "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,squawk,"
    lines = [header + "baroaltitude,geoaltitude"]
    n = 40_000
    for i in range(n):
        geo = "" if i < 30_000 else "9100.5"
        lines.append(
            f"{1720248189 + i // 10},{0x3C0000 + i % 500:06x},46.1,1.9,200.5,180,1.5,AFR34,"
            f"false,1000,9000,{geo}"
        )
    path = tmp_path / "late.sv.csv"
    path.write_text("\n".join(lines) + "\n")
    assert len("\n".join(lines[:30_000]).encode()) > READ_CHUNK
    batches, reader = read_all(str(path))
    got = ObservationBatch.concat(batches)  # type: ignore[arg-type]
    assert reader.stats.stopped is None
    assert len(got) == n
    gnss = got.altitude_gnss_ft
    assert np.isnan(gnss[:30_000]).all()
    assert np.allclose(gnss[30_000:], 9100.5 / 0.3048)


def _inferring(head: bytes) -> tuple[dict[str, object], list[str], list[str]]:
    """The reader's first-block types as they were: every column read, only the empty ones
    given (as text), every other type inferred by Arrow's streaming reader from its first
    block."""
    types, _, header = first_block_types(head)  # the reader's own (imported before replaced)
    return {k: t for k, t in types.items() if t == pa.string()}, [], header


def test_first_block_types_read_as_inference_did(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column types given to Arrow up front (numeric state-vector columns as float64,
    unread columns left out) read every file whose types do not change after the first block
    as the types Arrow inferred from that block did: real GA cuts (OpenSky CSV) and a file of
    ~1.7 MB with an ISO time column."""
    from flyvakt.sources import svcsv

    iso = tmp_path / "iso.csv"
    iso.write_text(
        "time,icao24,lat,lon,baroaltitude,onground,squawk\n"
        + "".join(
            f"2024-07-06T06:{i // 3600 % 60:02d}:{i % 60:02d}Z,{0x3C0000 + i % 700:06x},"
            f"4{i % 9}.5,2.{i % 97},{9000 + i},{'true' if i % 5 else 'false'},{i % 7777}\n"
            for i in range(40_000)
        )
    )
    files = [*sorted((data / "real-ga").glob("*.csv.gz"))[:6], iso]
    for path in files:
        got = read_all(str(path))
        with monkeypatch.context() as m:
            m.setattr(svcsv, "first_block_types", _inferring)
            want = read_all(str(path))
        assert got[1].stats.stopped is want[1].stats.stopped is None
        assert got[1].stats.records == want[1].stats.records > 50
        a, b = ObservationBatch.concat(got[0]), ObservationBatch.concat(want[0])  # type: ignore[arg-type]
        for field, col in vars(b).items():
            assert np.array_equal(col, vars(a)[field], equal_nan=col.dtype.kind == "f"), field


def _turning_decimal(path: Path, rows: int, bad_row: int | None = None) -> None:
    """An OpenSky-shaped CSV whose first ~40,000 rows (several of Arrow's 1 MiB blocks) hold
    whole numbers in the time, altitude, speed, vertical-rate and an unread column, and whose
    later rows hold decimals; ``bad_row``'s altitude is not a number."""

    def alt(i: int) -> str:
        return "9k" if i == bad_row else f"{1000 + i}{'.5' if i >= 40_000 else ''}"

    path.write_text(
        "time,icao24,lat,lon,velocity,vertrate,baroaltitude,onground,lastcontact\n"
        + "".join(
            f"{1720000000 + i}{'.25' if i >= 40_000 else ''},{0x4CA000 + i % 4096:06x},"
            f"48.{i % 1000},2.{i % 1000},{100 + i % 50}{'.5' if i >= 40_000 else ''},"
            f"{i % 7}{'.5' if i >= 40_000 else ''},{alt(i)},false,"
            f"{1720000000 + i}{'.125' if i >= 40_000 else ''}\n"
            for i in range(rows)
        )
    )


def _every_row(
    path: Path, header: str = "", row: Callable[[int], str] | None = None
) -> ObservationBatch:
    """The file's 60,000 rows (written first from ``header`` and ``row(i)`` when given), read
    without a stop."""
    if row is not None:
        path.write_text(header + "".join(row(i) for i in range(60_000)))
    batches, reader = read_all(str(path))
    assert reader.stats.stopped is None
    got = ObservationBatch.concat(batches)  # type: ignore[arg-type]
    assert len(got) == reader.stats.records == 60_000
    return got


def test_whole_numbers_turning_decimal_keep_every_row(tmp_path: Path) -> None:
    """Integer altitudes, speeds, rates and times in the first block and decimals after it
    (and an unread column doing the same): every row is kept, with its decimals. Arrow
    inferred int64 from the first block and stopped at the first decimal (24,721 of 60,000
    rows kept)."""
    path = tmp_path / "late.csv"
    _turning_decimal(path, 60_000)
    got = _every_row(path)
    i = np.arange(60_000)
    late = i >= 40_000
    assert np.array_equal(got.time_s, 1720000000 + i + np.where(late, 0.25, 0.0))
    assert np.allclose(got.altitude_baro_ft, (1000 + i + np.where(late, 0.5, 0.0)) / 0.3048)
    speed_ms = 100 + i % 50 + np.where(late, 0.5, 0.0)
    assert np.allclose(got.groundspeed_kt, speed_ms * 3600 / 1852)
    rate_ms = i % 7 + np.where(late, 0.5, 0.0)
    assert np.allclose(got.vertical_rate_fpm, rate_ms * 60 / 0.3048)


def test_repeated_column_names_turning_decimal_keep_every_row(tmp_path: Path) -> None:
    """A header naming a column twice: every column is read as text, so decimals after the
    first block (in either column) stop nothing."""
    got = _every_row(
        tmp_path / "twice.csv",
        "time,icao24,lat,lon,baroaltitude,note,note\n",
        lambda i: (
            f"{1720000000 + i},{0x4CA000 + i % 4096:06x},48.5,2.5,"
            f"{1000 + i}{'.5' if i >= 40_000 else ''},{i},{i}{'.5' if i >= 40_000 else ''}\n"
        ),
    )
    i = np.arange(60_000)
    assert np.allclose(got.altitude_baro_ft, (1000 + i + np.where(i >= 40_000, 0.5, 0)) / 0.3048)


@pytest.mark.parametrize("zone", ["Z", "+02:00", ""])
def test_iso_times_gaining_fractions_keep_every_row(tmp_path: Path, zone: str) -> None:
    """ISO times in whole seconds in the first block (Arrow infers a timestamp in seconds)
    and with fractions after it: every row kept, each time to its fraction."""
    got = _every_row(
        tmp_path / "iso.csv",
        "time,icao24,lat,lon,baroaltitude\n",
        lambda i: (
            f"2024-07-06T{6 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
            f"{'.25' if i >= 40_000 else ''}{zone},{0x4CA000 + i % 4096:06x},48.5,2.5,1000\n"
        ),
    )
    i = np.arange(60_000)
    offset_s = 7200 if zone == "+02:00" else 0
    want = 1720245600 - offset_s + i + np.where(i >= 40_000, 0.25, 0.0)
    assert np.allclose(got.time_s, want, rtol=0, atol=1e-6)


def test_a_bad_number_in_a_late_row_costs_its_line(tmp_path: Path) -> None:
    """A value that is not a number, in a numeric column after the first block: its line is
    skipped, counted and named with the column; every other row is read (the replay stopped
    there, losing the rest of the file; more in test_sv_bad_values)."""
    path = tmp_path / "bad.csv"
    _turning_decimal(path, 60_000, bad_row=50_000)
    batches, reader = read_all(str(path))
    assert reader.stats.stopped is None
    assert reader.stats.bad_lines == [
        "bad.csv: line 50002: column baroaltitude: invalid value '9k'"
    ]
    assert reader.stats.skipped == {"sv_bad_row": 1}
    got = ObservationBatch.concat(batches)  # type: ignore[arg-type]
    assert len(got) == reader.stats.records == 59_999
    i = np.delete(np.arange(60_000), 50_000)
    assert np.array_equal(got.time_s, 1720000000 + i + np.where(i >= 40_000, 0.25, 0.0))


def test_boolean_column_as_distinct_values_row_by_row() -> None:
    """A boolean column's Distinct, from its bit maps, gives every row's value (None for a
    null) as Arrow does, for slices starting anywhere in a byte (synthetic values)."""
    from flyvakt.sources.statevec import distinct_of_arrow, to_bool

    rng = np.random.default_rng(3)
    values = [None if r < 0.2 else bool(r < 0.6) for r in rng.random(1000).tolist()]
    column = pa.array(values, type=pa.bool_())
    for part in (column, column.slice(3, 500), pa.array([True, False]), column.slice(0, 0)):
        d = distinct_of_arrow(part)
        assert list(d) == part.to_pylist()
        want = [-1 if v is None else int(v) for v in part.to_pylist()]
        assert to_bool(d).tolist() == want


def test_short_texts_as_distinct_values_row_by_row() -> None:
    """Short text columns (callsigns, squawks, empty cells) coded without Arrow's dictionary
    encoding give every row's value as Arrow does: empty, null, non-ASCII, 8 bytes, slices;
    longer values and NUL bytes take Arrow's way (synthetic values)."""
    from flyvakt.sources.statevec import _short_texts, distinct_of_arrow

    rng = np.random.default_rng(4)
    forms = ["AFR34ZG", "", None, "12345678", "é", "1000", " 7700 ", "SAS", "ab c"]
    values = [forms[int(i)] for i in rng.integers(0, len(forms), 3000)]
    column = pa.array(values, type=pa.string())
    empties = (pa.array(["", ""]), pa.array([None, "", None]), pa.array([None, None], pa.string()))
    for part in (column, column.slice(5, 1000), column.slice(0, 0), *empties):
        assert _short_texts(part) is not None
        assert list(distinct_of_arrow(part)) == part.to_pylist()
    for odd in (["123456789", "a"], ["a\x00", "a"]):
        assert _short_texts(pa.array(odd)) is None
        assert list(distinct_of_arrow(pa.array(odd))) == odd


def test_reader_encoded_texts_as_distinct_values_row_by_row() -> None:
    """A column the CSV reader hands dictionary-encoded gives every row's value as Arrow does
    (nulls, slices, an empty one), its codes taken as they are (synthetic values)."""
    from flyvakt.sources.statevec import distinct_of_arrow

    rng = np.random.default_rng(5)
    forms = ["AFR34ZG", "", None, "1000", "LONGER THAN EIGHT"]
    values = [forms[int(i)] for i in rng.integers(0, len(forms), 2000)]
    column = pa.array(values, type=pa.string()).dictionary_encode()
    no_null = pa.array([v or "" for v in values], type=pa.string()).dictionary_encode()
    for part in (column, column.slice(7, 900), column.slice(0, 0), no_null, no_null.slice(3)):
        d = distinct_of_arrow(part)
        assert list(d) == part.to_pylist()
        assert d.codes.dtype == np.int64


def test_state_vector_csv_hands_callsigns_and_squawks_encoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow's CSV reader encodes callsigns and squawks as it reads them (no sort of their
    texts after it); the batch is the same as from the texts."""
    import flyvakt.sources.statevec as statevec

    path = tmp_path / "sv.csv"
    path.write_text(
        "time,icao24,lat,lon,callsign,squawk\n"
        + "".join(
            f'{1720248189 + i},"3c{i % 7:04x}",48.1,2.5,AFR{i % 3},"{1000 + i % 4}"\n'
            for i in range(50)
        )
    )
    types: dict[str, str] = {}
    real = statevec.distinct_of_arrow

    def spy(column: object) -> statevec.Distinct:
        types[str(len(types))] = str(column.type)  # type: ignore[attr-defined]
        return real(column)

    monkeypatch.setattr(statevec, "distinct_of_arrow", spy)
    (batch,), _ = read_all(str(path))
    assert sorted(types.values()) == ["dictionary<values=string, indices=int32, ordered=0>"] * 2
    assert isinstance(batch, ObservationBatch)
    assert list(batch.callsign) == [f"AFR{i % 3}" for i in range(50)]
    assert batch.squawk.tolist() == [1000 + i % 4 for i in range(50)]


def test_state_vector_csv_replay_imports_no_pyarrow_compute(tmp_path: Path) -> None:
    # Arrow's dictionary_encode imports pyarrow.compute (~0.08 s of start-up); the reader
    # codes addresses, booleans and short texts without it.
    import subprocess
    import sys

    path = tmp_path / "sv.csv"
    path.write_text(
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,squawk,baroaltitude\n"
        + "".join(
            f'{1720248189 + i},"3c{i % 7:04x}",48.{i:03d},2.5,220.1,90,,AFR{i % 3},false,'
            f'"1000",{9000 + i}\n'
            for i in range(200)
        )
    )
    code = (
        "import sys\n"
        "from flyvakt.sources import FileReader\n"
        f"n = sum(len(b) for b in FileReader({str(path)!r}))\n"
        "print(n, 'pyarrow.compute' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, imported = out.stdout.split()
    assert int(n) == 200 and imported == "False"


def _with_line(rows: list[str], line: int, column: int, value: str) -> str:
    """``rows`` (the file's lines, header first), line ``line``'s ``column`` set to ``value``."""
    out = list(rows)
    cells = out[line - 1].split(",")
    cells[column] = value
    out[line - 1] = ",".join(cells)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("lines", [(3,), (2, 80, 152)])
def test_a_bad_number_in_the_first_block_costs_its_line(
    data: Path, tmp_path: Path, lines: tuple[int, ...]
) -> None:
    """A value that is not a number in the first block (real GA cut, kwvi1213 a0cd27, 151
    rows, all in Arrow's first block): each such line is skipped, counted and named, every
    other row read as in the clean file. Arrow had typed the column text from that block and
    the value was read as no altitude, silently; and a restart at the file's first block read
    its header twice (a false "line 1: column timestamp" skip)."""
    with gzip.open(data / "real-ga" / "kwvi1213_a0cd27.csv.gz", "rt") as f:
        rows = f.read().splitlines()
    text = "\n".join(rows) + "\n"
    for line in lines:
        text = _with_line(text.splitlines(), line, 4, "9k")
    path = tmp_path / "bad.csv"
    path.write_text(text)
    batches, reader = read_all(str(path))
    assert reader.stats.stopped is None
    assert reader.stats.bad_lines == [
        f"bad.csv: line {n}: column altitude: invalid value '9k'" for n in lines
    ]
    assert reader.stats.skipped == {"sv_bad_row": len(lines)}
    got = ObservationBatch.concat(batches)  # type: ignore[arg-type]
    clean, _ = read_all(str(data / "real-ga" / "kwvi1213_a0cd27.csv.gz"))
    want = ObservationBatch.concat(clean)  # type: ignore[arg-type]
    keep = np.delete(np.arange(len(want)), [n - 2 for n in lines])
    assert len(got) == reader.stats.records == len(rows) - 1 - len(lines)
    for field, col in vars(want).items():
        want_col = col[keep] if isinstance(col, np.ndarray) and len(col) == len(want) else col
        if isinstance(want_col, np.ndarray):
            assert np.array_equal(vars(got)[field], want_col, equal_nan=col.dtype.kind == "f")


@pytest.mark.parametrize(("value", "named"), [("ground", False), ("unknown", False), ("9k", True)])
def test_words_in_a_numeric_column_of_the_first_block(
    tmp_path: Path, value: str, named: bool
) -> None:
    """Synthetic: an altitude column whose first block holds "ground" (readsb's surface
    altitude) on some rows, or a word on a third of them, stays text: every row is kept, those
    with no altitude. One bad value among numbers is a bad value (named)."""
    path = tmp_path / "words.csv"
    every = 500 if named else 3
    path.write_text(
        "time,icao24,lat,lon,baroaltitude\n"
        + "".join(
            f"{1720000000 + i},4ca{i % 7:03x},48.5,2.5,{value if i % every == 1 else 1000 + i}\n"
            for i in range(1000)
        )
    )
    batches, reader = read_all(str(path))
    got = ObservationBatch.concat(batches)  # type: ignore[arg-type]
    bad = np.arange(1000) % every == 1
    if named:
        assert len(got) == 1000 - bad.sum() and len(reader.stats.bad_lines) == bad.sum()
        assert not np.isnan(got.altitude_baro_ft).any()
    else:
        assert len(got) == 1000 and reader.stats.bad_lines == []
        assert np.isnan(got.altitude_baro_ft).sum() == bad.sum()


def test_epoch_numbers_in_seconds_pass_as_they_are_and_others_are_scaled() -> None:
    """``to_epoch_s`` on numbers: seconds (NaN kept) as given, without the scaling passes;
    a column holding one ms/us/ns value is scaled value by value as before."""
    from flyvakt.sources.statevec import to_epoch_s

    s = np.array([1720248189.0, np.nan, 1720248190.5, -5.0])
    assert np.array_equal(to_epoch_s(s), s, equal_nan=True)
    mixed = np.array([1720248189.0, 1720248190500.0, 1720248191e6, 1720248192e9, np.nan])
    want = [1720248189.0, 1720248190.5, 1720248191.0, 1720248192.0]
    assert to_epoch_s(mixed)[:4].tolist() == want and np.isnan(to_epoch_s(mixed)[4])
    assert to_epoch_s(np.array([1720248189, 1720248190500])).tolist() == [1720248189, 1720248190.5]


@pytest.mark.parametrize("batch", [65536, 20000, 7])
def test_csv_blocks_fill_batches_of_size_with_dropped_rows_left_out(
    tmp_path: Path, batch: int
) -> None:
    """A state-vector CSV of several Arrow blocks, with rows dropped (no address, no time)
    in every block: its batches are ``batch`` rows but the last, and hold exactly the kept
    rows in file order, the columns the file lacks unknown in every row (a block's pieces
    are converted straight into the batch, reader._Fill)."""
    rows, want_t, want_icao = [], [], []
    for i in range(70_000):
        icao = "zzzzzz" if i % 97 == 5 else f"{0x400000 + i % 3000:06x}"
        t = "" if i % 89 == 7 else str(1_700_000_000 + i)
        rows.append(f"{t},{icao},{50 + i % 7 * 0.01},{i % 11 * 0.1},{1000 + i % 300},KLM{i % 13}")
        if icao != "zzzzzz" and t:
            want_t.append(float(t))
            want_icao.append(0x400000 + i % 3000)
    path = tmp_path / "many.csv"
    path.write_text("time,icao24,lat,lon,altitude,callsign\n" + "\n".join(rows) + "\n")
    assert path.stat().st_size > 2 * (1 << 20)  # three blocks at least
    reader = FileReader(str(path), batch_size=batch)
    got = list(reader)
    assert [len(b) for b in got[:-1]] == [batch] * (len(got) - 1) and 0 < len(got[-1]) <= batch
    whole = ObservationBatch.concat(got)
    assert whole.time_s.tolist() == want_t and whole.icao24.tolist() == want_icao
    assert np.isnan(whole.heading_deg).all() and np.isnan(whole.altitude_gnss_ft).all()
    assert (whole.df == -1).all() and (whole.source == 1).all()
    assert whole.callsign.tolist() == [f"KLM{int(t - 1_700_000_000) % 13}" for t in want_t]
    assert reader.stats.records == len(want_t) and reader.stats.lines == 70_000
