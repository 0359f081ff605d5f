"""Damaged files: read up to the damage, say where it stopped, skip bad lines by number.

Each case starts from a real recording and damages a copy the way files get damaged (cut
short, a flipped byte, a broken line, an extra comma); the damage itself is synthetic.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flyvakt.cli.main import main
from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources import FileReader, SourceFormatError

JSONL = "traffic/full_flight_short.jsonl.gz"


def frames(url: str | Path, **kw: object) -> tuple[FrameBatch, FileReader]:
    r = FileReader(str(url), **kw)  # type: ignore[arg-type]
    parts = [b for b in r if isinstance(b, FrameBatch)]
    return FrameBatch.concat(parts), r


def reference_jsonl(raw: bytes) -> tuple[list[str], list[float]]:
    rows = [json.loads(line) for line in raw.splitlines()]
    return [r["frame"] for r in rows], [r["timestamp"] for r in rows]


def test_columnar_jsonl_equals_json_loads_on_every_real_line(data: Path) -> None:
    raw = gzip.decompress((data / JSONL).read_bytes())
    hexes, times = reference_jsonl(raw)
    b, r = frames(data / JSONL)
    assert len(b) == len(hexes) == 57_793 and r.stats.skipped == {}
    assert b.time_s.tolist() == times
    assert [b.hex(i) for i in range(len(b))] == hexes


def test_truncated_gzip_replays_what_came_before(data: Path, tmp_path: Path) -> None:
    blob = (data / JSONL).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(blob[: len(blob) // 2])
    b, r = frames(cut)
    whole, _ = frames(data / JSONL)
    assert 20_000 < len(b) < 57_793
    assert np.array_equal(b.payload, whole.payload[: len(b)])  # exactly the frames before it
    assert r.stats.stopped == (
        f"cut.jsonl.gz: gzip stream ends at byte {len(blob) // 2:,} of {len(blob) // 2:,} "
        f"(the file is cut short); replayed {len(b):,} records before it"
    )


def test_corrupt_gzip_byte_no_traceback(data: Path, tmp_path: Path) -> None:
    blob = bytearray((data / JSONL).read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    bad = tmp_path / "flip.jsonl.gz"
    bad.write_bytes(bytes(blob))
    b, r = frames(bad)
    assert len(b) > 20_000
    assert r.stats.stopped is not None and "flip.jsonl.gz: gzip stream ends at byte" in (
        r.stats.stopped
    )


def test_bad_first_line_of_jsonl_is_one_skipped_line(data: Path, tmp_path: Path) -> None:
    raw = gzip.decompress((data / JSONL).read_bytes()).split(b"\n")
    raw[0] = b'{"timestamp": 1720248189.525094, "fra\x00me": 8f39'  # broken beyond repair
    bad = tmp_path / "bad1.jsonl"
    bad.write_bytes(b"\n".join(raw))
    b, r = frames(bad)
    assert r.kind == "jsonl" and len(b) == 57_792
    assert r.stats.skipped == {"jsonl_bad_line": 1}
    assert r.stats.bad_lines[0].startswith("bad1.jsonl: line 1: not a JSON frame line")


def test_frames_csv_with_damaged_first_rows_is_still_frames(data: Path, tmp_path: Path) -> None:
    # pyModeS Comm-B frames under a header naming an "icao" column: with the first data rows
    # damaged, the header alone used to make it look like state vectors.
    rows = (data / "pymodes/sample_data_commb_df20.csv").read_bytes()[3:].split(b"\n")  # no BOM
    rows[0] = rows[0][:20] + b"zz" + rows[0][22:]
    rows[1] = rows[1][:20] + b"zz" + rows[1][22:]
    bad = tmp_path / "commb.csv"
    bad.write_bytes(b"ts,icao,hex\n" + b"\n".join(rows))
    b, r = frames(bad)
    assert r.kind == "csv" and len(b) == 4_998
    assert r.stats.skipped == {"bad_frame": 2}
    assert [m.split(": ")[1] for m in r.stats.bad_lines] == ["line 2", "line 3"]


def test_relative_csv_times_need_start_time(data: Path, tmp_path: Path) -> None:
    src = (data / "rs1090/short_flights.csv").read_text().splitlines()  # no header
    t0 = float(src[0].split(",")[0])
    rel = tmp_path / "rel.csv"
    rel.write_text("\n".join(f"{float(t) - t0!r},{h}" for t, h in (r.split(",") for r in src)))
    with pytest.raises(SourceFormatError) as e:
        frames(rel)
    assert str(e.value) == (
        "rel.csv: line 1: time 0 is not epoch seconds (before 1973): the times look relative; "
        "give --start-time to anchor them"
    )
    b, _ = frames(rel, start_time_s=t0)
    whole, _ = frames(data / "rs1090/short_flights.csv")
    assert len(b) == len(whole) == 486
    assert np.abs(b.time_s - whole.time_s).max() < 1e-6  # never 1970


def test_epoch_csv_row_with_time_zero_is_skipped_by_number(data: Path, tmp_path: Path) -> None:
    rows = (data / "rs1090/short_flights.csv").read_text().splitlines()
    rows[100] = "0," + rows[100].split(",")[1]
    f = tmp_path / "zero.csv"
    f.write_text("\n".join(rows))
    b, r = frames(f)
    assert len(b) == 485 and float(b.time_s.min()) > 1.7e9
    assert r.stats.skipped == {"bad_timestamp": 1}
    assert r.stats.bad_lines[0].startswith("zero.csv: line 101: bad timestamp")


def _kiwi_rows(data: Path) -> list[str]:
    obs = ObservationBatch.concat(list(FileReader(str(data / "traffic/kiwi.json.gz"))))  # type: ignore[arg-type]
    return [
        f"{t!r},{a:06x},{la!r},{lo!r},{alt!r}"
        for t, a, la, lo, alt in zip(
            obs.time_s.tolist(),
            obs.icao24.tolist(),
            obs.lat_deg.tolist(),
            obs.lon_deg.tolist(),
            obs.altitude_baro_ft.tolist(),
            strict=True,
        )
    ]


def test_state_vector_csv_extra_comma_names_the_line(data: Path, tmp_path: Path) -> None:
    rows = _kiwi_rows(data)
    rows[498] = rows[498].replace(",", ",,", 1)  # file line 500 (after the header)
    f = tmp_path / "sv.csv"
    f.write_text("time,icao24,lat,lon,altitude\n" + "\n".join(rows) + "\n")
    parts = list(FileReader(str(f)))
    r = FileReader(str(f))
    n = sum(len(p) for p in r)
    assert n == len(rows) - 1 == sum(len(p) for p in parts)
    assert r.stats.skipped == {"sv_bad_row": 1}
    assert r.stats.bad_lines == [
        f"sv.csv: line 500: expected 5 columns, got 6: {rows[498][:40]!r}..."[:-1]
        if len(rows[498]) <= 40
        else f"sv.csv: line 500: expected 5 columns, got 6: {rows[498][:40] + '...'!r}"
    ]


def test_truncated_gzip_state_vector_csv(data: Path, tmp_path: Path) -> None:
    rows = _kiwi_rows(data)
    blob = gzip.compress(("time,icao24,lat,lon,altitude\n" + "\n".join(rows) + "\n").encode())
    f = tmp_path / "sv.csv.gz"
    f.write_bytes(blob[: len(blob) * 3 // 4])
    r = FileReader(str(f))
    n = sum(len(p) for p in r)
    assert 0 < n < len(rows)
    assert r.stats.stopped is not None and "gzip stream ends at byte" in r.stats.stopped


def test_corrupt_parquet_row_group_keeps_the_readable_ones(data: Path, tmp_path: Path) -> None:
    rows = _kiwi_rows(data)
    cols = list(zip(*(r.split(",") for r in rows), strict=True))
    table = pa.table(
        {
            "time": pa.array([float(x) for x in cols[0]]),
            "icao24": pa.array(cols[1]),
            "lat": pa.array([float(x) for x in cols[2]]),
            "lon": pa.array([float(x) for x in cols[3]]),
        }
    )
    f = tmp_path / "sv.parquet"
    pq.write_table(table, f, row_group_size=500, compression="snappy")
    meta = pq.ParquetFile(f).metadata
    last = meta.row_group(meta.num_row_groups - 1).column(2)
    start = last.data_page_offset
    blob = bytearray(f.read_bytes())
    blob[start + 20 : start + 60] = b"\xff" * 40  # garbage in the last group's lat page
    f.write_bytes(bytes(blob))
    r = FileReader(str(f))
    n = sum(len(p) for p in r)
    assert n == 500 * (meta.num_row_groups - 1)
    assert r.stats.stopped is not None
    assert f"row group {meta.num_row_groups} of {meta.num_row_groups} is unreadable" in (
        r.stats.stopped
    )


def test_replay_cli_reports_where_it_stopped(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = (data / JSONL).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(blob[: len(blob) // 2])
    assert main(["replay", str(cut), "--quiet", "--no-events"]) == 0
    err = capsys.readouterr().err
    assert "stopped early: cut.jsonl.gz: gzip stream ends at byte" in err


def test_truncated_gzip_state_vectors_in_a_real_process(data: Path, tmp_path: Path) -> None:
    # The same damage once ended in a traceback, and in ~1 of 40 runs in a native abort
    # ("terminate called without an active exception", exit 134) from Arrow's reader threads.
    import subprocess
    import sys

    rows = _kiwi_rows(data) * 30  # ~45 k rows: several Arrow blocks
    blob = gzip.compress(("time,icao24,lat,lon,altitude\n" + "\n".join(rows) + "\n").encode())
    f = tmp_path / "sv.csv.gz"
    f.write_bytes(blob[: len(blob) * 2 // 3])
    for _ in range(3):
        proc = subprocess.run(
            [sys.executable, "-m", "flyvakt.cli.main", "replay", str(f), "--quiet", "--no-events"],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr[-500:]
        assert "stopped early: sv.csv.gz: gzip stream ends at byte" in proc.stderr
