"""A value Arrow cannot convert in a state-vector CSV (``9k`` in a numeric column) costs its
line only: the line is counted and named, and every other row is read, once."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources import FileReader, svcsv

HEADER = "time,icao24,lat,lon,velocity,vertrate,callsign,baroaltitude,onground,lastcontact\n"
ROWS = 60_000  # ~4.6 MB: five of Arrow's 1 MiB blocks


def _row(i: int, alt: str | None = None) -> str:
    """An OpenSky-shaped row (quoted callsign, decimals); ``alt`` replaces the altitude."""
    return (
        f"{1720000000 + i}.25,{0x4CA000 + i % 4096:06x},48.{i % 1000},2.{i % 1000},"
        f'{100 + i % 50}.5,{i % 7}.5,"AFR{i % 900}",{alt or f"{1000 + i}.5"},false,'
        f"{1720000000 + i}.125\n"
    )


def _read(path: Path) -> tuple[ObservationBatch, FileReader]:
    r = FileReader(str(path))
    batches = list(r)
    return ObservationBatch.concat(batches), r  # type: ignore[arg-type]


def _same(got: ObservationBatch, want: ObservationBatch) -> None:
    assert len(got) == len(want)
    for field, col in vars(want).items():
        other = vars(got)[field]
        assert np.array_equal(other, col, equal_nan=col.dtype.kind == "f"), field


def _check(tmp_path: Path, lines: list[str], bad: dict[int, str], gz: bool = False) -> FileReader:
    """Read ``lines`` (the file, header first) whose 0-based lines ``bad`` hold bad values
    (text per line) and compare with the file without them: the same rows, each line named."""
    path = tmp_path / "bad.csv"
    path.write_text("".join(lines))
    if gz:
        path = tmp_path / "bad.csv.gz"
        path.write_bytes(gzip.compress("".join(lines).encode(), compresslevel=1))
    clean = tmp_path / "clean.csv"
    clean.write_text("".join(t for n, t in enumerate(lines) if n not in bad))
    got, r = _read(path)
    want, rc = _read(clean)
    assert r.stats.stopped is None
    _same(got, want)
    assert r.stats.records == rc.stats.records == len(want)
    assert r.stats.skipped.get("sv_bad_row", 0) == rc.stats.skipped.get("sv_bad_row", 0) + len(bad)
    named = [m for m in r.stats.bad_lines if "invalid value" in m]
    assert named == [
        f"{path.name}: line {n + 1}: column baroaltitude: invalid value '{v}'"
        for n, v in sorted(bad.items())
    ]
    return r


@pytest.mark.parametrize("gz", [False, True])
def test_three_bad_values_in_different_blocks_cost_their_lines(tmp_path: Path, gz: bool) -> None:
    bad_rows = {20_000: "9k", 35_000: "1O00", 50_000: "9k"}
    lines = [HEADER] + [_row(i, bad_rows.get(i)) for i in range(ROWS)]
    r = _check(tmp_path, lines, {i + 1: v for i, v in bad_rows.items()}, gz)
    assert r.stats.records == ROWS - 3


def test_bad_values_beside_other_damage_in_one_block(tmp_path: Path) -> None:
    """Two bad values in one block (the second then in a restarted reader's first block), an
    empty line, a short row and an unterminated quote before them in that block: each is
    counted once and named by its file line."""
    lines = [HEADER] + [_row(i) for i in range(ROWS)]
    lines[30_000] = "\n"
    lines[30_010] = "4ca000,short\n"
    lines[30_020] = 'garbage,line,"unterminated\n'
    lines[30_100] = _row(30_099, "9k")
    lines[30_101] = _row(30_100, "9k")  # the first row after the restart point's bad one
    lines[30_500] = _row(30_499, "x9")
    r = _check(tmp_path, lines, {30_100: "9k", 30_101: "9k", 30_500: "x9"})
    assert r.stats.skipped["sv_bad_row"] == 5
    assert any("line 30021: unterminated quote" in m for m in r.stats.bad_lines)
    # The short row's file line, though Arrow's row number skips the empty line before it.
    assert any("line 30011: expected 10 columns, got 2" in m for m in r.stats.bad_lines)


def test_a_short_row_after_empty_lines_names_its_file_line(tmp_path: Path) -> None:
    lines = [HEADER] + [_row(i) for i in range(ROWS)]
    lines[100] = lines[200] = "\n"
    lines[40_000] = "4ca000,short\n"
    path = tmp_path / "short.csv"
    path.write_text("".join(lines))
    r = FileReader(str(path))
    got = sum(len(b) for b in r)
    assert got == ROWS - 3 and r.stats.skipped["sv_bad_row"] == 1
    assert [m for m in r.stats.bad_lines if "expected" in m] == [
        f"{path.name}: line 40001: expected 10 columns, got 2: '4ca000,short'"
    ]


def test_a_bad_value_in_the_last_line(tmp_path: Path) -> None:
    lines = [HEADER] + [_row(i) for i in range(ROWS - 1)] + [_row(ROWS - 1, "9k").rstrip("\n")]
    _check(tmp_path, lines, {ROWS: "9k"})


def test_crlf_lines_and_a_bad_value(tmp_path: Path) -> None:
    """Windows line ends, an empty line among them: the bad line is still found by number."""
    lines = [HEADER.replace("\n", "\r\n")]
    lines += [_row(i, "9k" if i == 45_000 else None).replace("\n", "\r\n") for i in range(ROWS)]
    lines[44_000] = "\r\n"
    _check(tmp_path, lines, {45_001: "9k"})


def test_a_bad_value_in_the_first_block_costs_its_line_as_anywhere(tmp_path: Path) -> None:
    """A bad value in the first block costs its line, named, as in any later block. It used to
    make Arrow type the column as text for the whole file: the row was kept with its altitude
    unknown and nothing said so (and a bad value in a later block then did cost its line)."""
    lines = [HEADER] + [_row(i, "9k" if i == 5 else None) for i in range(ROWS)]
    path = tmp_path / "first.csv"
    path.write_text("".join(lines))
    got, r = _read(path)
    assert r.stats.stopped is None and r.stats.skipped == {"sv_bad_row": 1}
    assert r.stats.bad_lines == ["first.csv: line 7: column baroaltitude: invalid value '9k'"]
    assert len(got) == ROWS - 1
    alt_ft = got.altitude_baro_ft
    assert not np.isnan(alt_ft).any() and np.allclose(alt_ft[5:8], (1006.5 + np.arange(3)) / 0.3048)


def test_too_many_bad_values_stop_the_file_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svcsv, "MAX_BAD_VALUES", 2)
    bad_rows = {20_000, 35_000, 50_000}
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(_row(i, "9k" if i in bad_rows else None) for i in range(ROWS)))
    got, r = _read(path)
    assert r.stats.stopped == (
        "many.csv: line 50002: column baroaltitude: invalid value '9k', after 2 bad values "
        f"skipped; replayed {len(got):,} records before it"
    )
    assert r.stats.skipped["sv_bad_row"] == 2
    assert 35_000 < len(got) < 50_000 - 2
