"""``--positions-out``: the columnar writer against a per-value reference, on a real recording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flyvakt.cli import _outputs
from flyvakt.cli._outputs import (
    DICTIONARY_COLUMNS,
    POSITION_COLUMNS,
    ROW_GROUP_ROWS,
    STATISTICS_COLUMNS,
    PositionsWriter,
    icao_codes,
    icao_texts,
    positions_schema,
    positions_table,
    round_half_even_like_python,
)
from flyvakt.model import PositionBatch, Source
from flyvakt.model.batches import NON_ICAO
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
_NAMES = {int(s): s.name.lower() for s in Source}
_DECIMALS = {
    "lat": ("lat_deg", 6),
    "lon": ("lon_deg", 6),
    "altitude_baro_ft": ("altitude_baro_ft", 0),
    "altitude_gnss_ft": ("altitude_gnss_ft", 0),
    "groundspeed_kt": ("groundspeed_kt", 1),
    "track_deg": ("track_deg", 1),
    "vertical_rate_fpm": ("vertical_rate_fpm", 0),
}


def reference_rows(p: PositionBatch) -> dict[str, list[Any]]:
    """The writer's contract, one Python value at a time (the way it was first written)."""
    cols: dict[str, list[Any]] = {
        "time": [round(t * 1e6) for t in p.time_s.tolist()],
        "icao24": [f"{a:06x}" for a in p.icao24.tolist()],
    }
    for name, (field, nd) in _DECIMALS.items():
        cols[name] = [None if np.isnan(x) else round(float(x), nd) for x in getattr(p, field)]
    cols["on_ground"] = [None if g < 0 else bool(g) for g in p.on_ground.tolist()]
    cols["callsign"] = p.callsign.tolist()
    cols["squawk"] = [None if s < 0 else f"{s:04d}" for s in p.squawk.tolist()]
    cols["source"] = [_NAMES.get(s, "unknown") for s in p.source.tolist()]
    cols["receivers"] = [[r for r in range(64) if (m >> r) & 1] for m in p.receivers.tolist()]
    return cols


@pytest.fixture(scope="module")
def afr_positions() -> PositionBatch:
    return replay_files([str(DATA / "traffic/full_flight_short.jsonl.gz")]).positions


def test_parquet_equals_reference_on_real_flight(
    afr_positions: PositionBatch, tmp_path: Path
) -> None:
    p = afr_positions
    assert len(p) > 8000
    out = tmp_path / "pos.parquet"
    w = PositionsWriter(out)
    for a in range(0, len(p), 3000):
        w.write(p.take(np.arange(a, min(a + 3000, len(p)))))
    w.close()
    table = pq.read_table(out)
    assert tuple(table.column_names) == POSITION_COLUMNS
    got = table.to_pydict()
    got["time"] = table["time"].cast("int64").to_pylist()
    want = reference_rows(p)
    for name in POSITION_COLUMNS:
        if name == "time":
            assert np.abs(np.array(got["time"]) - np.array(want["time"])).max() <= 1
        else:
            assert got[name] == want[name], name


def test_csv_equals_reference_on_real_flight(afr_positions: PositionBatch, tmp_path: Path) -> None:
    import csv

    out = tmp_path / "pos.csv"
    w = PositionsWriter(out)
    w.write(afr_positions)
    w.close()
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == POSITION_COLUMNS
    want = reference_rows(afr_positions)
    for j, name in enumerate(POSITION_COLUMNS[1:], start=1):
        text = [
            ";".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v)
            for v in want[name]
        ]
        assert [r[j] for r in rows[1:]] == text, name


def test_all_null_first_batch_then_values(afr_positions: PositionBatch, tmp_path: Path) -> None:
    # Issue 10 item 9: the first batch has every optional column unknown (as a Beast capture's
    # first frames can), the next batch has values: the file must hold both, typed.
    first = afr_positions.take(np.arange(0, 20))
    for name in ("altitude_baro_ft", "altitude_gnss_ft", "groundspeed_kt", "track_deg"):
        getattr(first, name)[:] = np.nan  # synthetic: unknown values
    first.vertical_rate_fpm[:] = np.nan
    first.on_ground[:] = -1
    first.callsign[:] = None
    first.squawk[:] = -1
    rest = afr_positions.take(np.arange(20, len(afr_positions)))
    out = tmp_path / "pos.parquet"
    w = PositionsWriter(out)
    w.write(first)
    w.write(rest)
    w.close()
    table = pq.read_table(out)
    assert table.num_rows == len(afr_positions)
    assert table["callsign"].null_count == 20 + sum(c is None for c in rest.callsign)
    assert table["altitude_baro_ft"].type == "double"


def test_parquet_bytes_equal_the_public_writers(
    afr_positions: PositionBatch, tmp_path: Path
) -> None:
    # The writer goes through ``pyarrow._parquet`` (no ``pyarrow.fs`` at start-up): the file must
    # be byte for byte what ``pyarrow.parquet.ParquetWriter`` writes with its defaults but for
    # the statistics (STATISTICS_COLUMNS), batches (one row group of both) included, and an
    # empty output what ``pyarrow.parquet.write_table`` writes. The public writer's batches
    # of values are its default 1,024 (ours WRITE_BATCH_ROWS): the same bytes.
    parts = [afr_positions.take(np.arange(0, 3000)), afr_positions.take(np.arange(3000, 8000))]
    ours, public = tmp_path / "ours.parquet", tmp_path / "public.parquet"
    w = PositionsWriter(ours)
    for part in parts:
        w.write(part)
    w.close()
    chosen = {"write_statistics": STATISTICS_COLUMNS, "use_dictionary": DICTIONARY_COLUMNS}
    with pq.ParquetWriter(public, positions_schema(), **chosen) as pw:  # type: ignore[arg-type]
        pw.write_table(pa.concat_tables([positions_table(part) for part in parts]), 8000)
    assert ours.read_bytes() == public.read_bytes()
    assert pq.ParquetFile(ours).metadata.num_row_groups == 1
    empty_ours, empty_public = tmp_path / "e1.parquet", tmp_path / "e2.parquet"
    PositionsWriter(empty_ours).close()
    pq.write_table(positions_schema().empty_table(), empty_public, **chosen)  # type: ignore[arg-type]
    assert empty_ours.read_bytes() == empty_public.read_bytes()


def test_row_groups_gather_steps_with_the_same_table(
    afr_positions: PositionBatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Steps are gathered into row groups of at least ROW_GROUP_ROWS rows (the last: the rest);
    # with ROW_GROUP_ROWS = 1 each step is its own row group, as before. The same table is
    # read back either way, and from the rows as one batch.
    steps = [afr_positions.take(np.arange(a, min(a + 1500, 8000))) for a in range(0, 8000, 1500)]
    groups: dict[int, list[int]] = {}
    tables = []
    for every in (1, 4000, ROW_GROUP_ROWS):
        monkeypatch.setattr(_outputs, "ROW_GROUP_ROWS", every)
        out = tmp_path / f"g{every}.parquet"
        w = PositionsWriter(out)
        for step in steps:
            w.write(step)
        w.close()
        meta = pq.ParquetFile(out).metadata
        groups[every] = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        tables.append(pq.read_table(out))
    assert groups == {1: [1500] * 5 + [500], 4000: [4500, 3500], ROW_GROUP_ROWS: [8000]}
    whole = positions_table(afr_positions.take(np.arange(0, 8000)))
    assert all(t.equals(whole) for t in tables)


def _written_columns(positions: PositionBatch, tmp_path: Path) -> list[Any]:
    """The first row group's column chunks of the writer's file, after checking that the
    table read back equals what the writer's defaults (statistics, dictionaries) give."""
    ours, full = tmp_path / "ours.parquet", tmp_path / "full.parquet"
    w = PositionsWriter(ours)
    w.write(positions)
    w.close()
    pq.write_table(positions_table(positions), full)
    assert pq.read_table(ours).equals(pq.read_table(full))
    group = pq.ParquetFile(ours).metadata.row_group(0)
    return [group.column(i) for i in range(group.num_columns)]


def test_parquet_statistics_all_but_the_text_columns(
    afr_positions: PositionBatch, tmp_path: Path
) -> None:
    # Min/max statistics for every column but the four text ones.
    columns = _written_columns(afr_positions, tmp_path)
    with_stats = {c.path_in_schema for c in columns if c.is_stats_set}
    every = {c.path_in_schema for c in columns}
    assert every - with_stats == {"icao24", "callsign", "squawk", "source"}
    assert with_stats == set(STATISTICS_COLUMNS)


def test_parquet_dictionary_all_but_the_addresses(
    afr_positions: PositionBatch, tmp_path: Path
) -> None:
    # A dictionary page for every column but icao24 (each address is in a step a few times
    # only).
    columns = _written_columns(afr_positions, tmp_path)
    with_dictionary = {c.path_in_schema for c in columns if c.has_dictionary_page}
    # Parquet has no dictionary for booleans: on_ground is asked for one, as by the defaults.
    assert {c.path_in_schema for c in columns} - with_dictionary == {"icao24", "on_ground"}
    assert with_dictionary == set(DICTIONARY_COLUMNS) - {"on_ground"}


def test_empty_output_is_a_typed_file(tmp_path: Path) -> None:
    out = tmp_path / "none.parquet"
    w = PositionsWriter(out)
    w.write(PositionBatch.empty(0))
    w.close()
    table = pq.read_table(out)
    assert table.num_rows == 0 and tuple(table.column_names) == POSITION_COLUMNS
    assert table["lat"].type == "double"


def test_rounding_matches_python_at_halfway_values() -> None:
    # Values whose scaled form is near .5, where np.round and round() can disagree.
    a = np.array([2.675, 0.125, 1.0000005, 49.0058325, -2.5, 0.5, 1.5, 12345.65, np.nan])
    for nd in (0, 1, 2, 6):
        got = round_half_even_like_python(a, nd)
        for x, g in zip(a.tolist(), got.tolist(), strict=True):
            if x == x:
                assert g == round(x, nd)


def test_unusual_callsigns_written_as_given(afr_positions: PositionBatch, tmp_path: Path) -> None:
    # Synthetic callsigns (real ones are A-Z, 0-9, space): the buffer-built strings must carry
    # what a per-value writer would, through the non-ASCII and control-byte fallbacks too.
    p = afr_positions.take(np.arange(0, 7))
    odd = ["ÆØÅ1", "A\x00B", "", None, "LONGER THAN 8", "SAS123 ", "\x7fX"]
    p.callsign[:] = np.array(odd, dtype=object)
    for rows in ([0, 1, 2, 3, 4, 5, 6], [2, 3, 4, 5], [3]):
        out = tmp_path / f"cs{len(rows)}.parquet"
        w = PositionsWriter(out)
        w.write(p.take(np.array(rows)))
        w.close()
        assert pq.read_table(out)["callsign"].to_pylist() == [odd[i] for i in rows]


def test_parquet_positions_do_not_import_pandas(tmp_path: Path) -> None:
    # pa.array() imports pandas when installed (0.35-0.4 CPU s of every replay); the writer
    # builds its columns from buffers instead.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from flyvakt.cli._outputs import PositionsWriter\n"
        "from flyvakt.runtime.replay import replay_files\n"
        f"p = replay_files([{str(DATA / 'traffic/full_flight_short.jsonl.gz')!r}]).positions\n"
        f"w = PositionsWriter({str(tmp_path / 'p.parquet')!r}); w.write(p); w.close()\n"
        "print(len(p), 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, pandas = out.stdout.split()
    assert int(n) > 8000 and pandas == "False"


def test_every_source_code_named(afr_positions: PositionBatch, tmp_path: Path) -> None:
    # Synthetic source codes on real rows: each known source by its name, any other "unknown".
    codes = [int(s) for s in Source] + [200, 255]
    p = afr_positions.take(np.arange(len(codes)))
    p.source[:] = np.array(codes, dtype=p.source.dtype)
    out = tmp_path / "src.parquet"
    w = PositionsWriter(out)
    w.write(p)
    w.write(p.take(np.arange(len(codes))[::-1]))
    w.close()
    want = [_NAMES.get(c, "unknown") for c in codes]
    assert pq.read_table(out)["source"].to_pylist() == want + want[::-1]
    assert want[-2:] == ["unknown", "unknown"] and len(set(want)) == len(Source)


def test_csv_times_as_iso_utc_ms_writes_them() -> None:
    # Synthetic times: random epochs, and whole seconds plus fractions at the rounding edges
    # (half a microsecond, a hair below the next millisecond or second), 1970 and before.
    from flyvakt.cli._outputs import iso_utc_ms_many
    from flyvakt.model.events import iso_utc_ms

    rng = np.random.default_rng(12)
    whole = rng.integers(-1_000_000, 1_800_000_000, 2_000).astype(np.float64)
    fractions = (0.0, 0.0005, 0.5, 0.9995, 0.999, 0.9999995, 0.0000005, 0.1234565, -1e-7)
    t = np.concatenate([rng.uniform(1.0e9, 1.8e9, 20_000), *(whole + f for f in fractions)])
    t = np.concatenate([t, np.nextafter(whole + 1, 0)])
    assert iso_utc_ms_many(t) == [iso_utc_ms(x) for x in t.tolist()]


def test_receiver_lists_one_set_and_many() -> None:
    # SYNTHETIC bit sets: all rows the same set (one receiver: no sort) and mixed sets give
    # each row's ids, ascending, as the per-value reference does.
    from flyvakt.cli._outputs import receiver_list_array

    rng = np.random.default_rng(2)
    for masks in (
        np.zeros(7, np.uint64),
        np.full(5, 0b1011, np.uint64),
        rng.integers(0, 1 << 12, 300).astype(np.uint64),
        np.zeros(0, np.uint64),
    ):
        want = [[r for r in range(64) if (m >> r) & 1] for m in masks.tolist()]
        assert receiver_list_array(masks).to_pylist() == want


def test_object_texts_as_arrow_makes_them() -> None:
    """The callsign column's Arrow strings, built from two joins, equal ``pa.array``'s: with
    and without missing values, empty texts, one text, none, and texts that take the general
    way (a NUL, a control byte, non-ASCII)."""
    import pyarrow as pa

    from flyvakt.cli._arrow_texts import object_texts

    rng = np.random.default_rng(3)
    names = [f"AFR{i:04d}" for i in range(300)]
    cases: list[list[str | None]] = [
        [names[i] for i in rng.integers(0, 300, 5000)],
        [None if i % 7 == 0 else names[i % 300] for i in range(5000)],
        ["", "A", None, "", "BB", None, "CCC"],
        [None, None],
        [None],
        [""],
        ["SAS123"],
        [],
        ["AB\0C", "D", None],
        ["AB\tC", "D"],
        ["ÆØÅ", "E", None],
        ["x" * 300, "", "y" * 70000],
    ]
    for case in cases:
        values = np.array(case, dtype=object)
        got = object_texts(values)
        assert got.equals(pa.array(values, type=pa.string(), from_pandas=True)), case[:5]
        assert got.to_pylist() == case
    # Unknown first and last, and a strided view (the column of a batch taken every other row)
    for case in ([None, "A", "BB"], ["A", "BB", None], [None, "", None, "C", "", None]):
        values = np.array(case, dtype=object)
        assert object_texts(values).to_pylist() == case
    every_other = np.array(["A", None, None, "BB", "C", "D"], dtype=object)[::2]
    assert object_texts(every_other).to_pylist() == ["A", None, "C"]


def test_object_texts_by_identity_equal_pa_array(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns whose cells share a few objects, grouped in runs (an aircraft's callsign on
    its rows): read by identity (the joins never called), the same array as ``pa.array``'s;
    the same text as distinct objects, unknown runs between, a column all unknown, strided
    views. Columns the identity path must not take (several lengths, a text too long, not
    printable) take the distinct objects' texts by the joins and Arrow's ``take``; rows in no
    order and mostly distinct objects take the joins over every row: the same array."""
    import pyarrow as pa

    from flyvakt.cli import _arrow_texts

    rng = np.random.default_rng(12)
    names = [f"SAS{i:04d}" for i in range(40)]
    copies = ["".join(list(t)) for t in names]  # equal texts, other objects
    grouped: list[str | None] = []
    for i in rng.integers(0, 40, 300).tolist():
        text = names[i] if i % 3 else copies[i]
        grouped += [None if j % 4 == 3 else text for j in range(int(rng.integers(2, 30)))]
    identity_cases: list[list[str | None]] = [
        grouped,
        [None] * 50 + ["AFR34ZG"] * 100 + [None] * 30,
        [*(["AFR34ZG"] * 64), *([None] * 3), *(["AFR34Z1"] * 64)],
        [None] * 40,
        ["ABCDEFGH"] * 30 + [None] * 3 + ["HGFEDCBA"] * 30,
    ]
    joins = _arrow_texts._joined_texts

    def no_joins(values: Any) -> Any:
        raise AssertionError("the joins were called")

    def check(case: list[str | None], values: Any) -> None:
        got = _arrow_texts.object_texts(values)
        assert got.equals(pa.array(values, type=pa.string(), from_pandas=True)), case[:5]
        assert got.to_pylist() == list(values)

    monkeypatch.setattr(_arrow_texts, "_joined_texts", no_joins)
    for case in identity_cases:
        check(case, np.array(case, dtype=object))
    strided = np.array(["AFR34ZG"] * 60 + [None] * 20 + ["AFR34ZG"] * 9, dtype=object)[::2]
    check(strided.tolist(), strided)
    monkeypatch.setattr(_arrow_texts, "_joined_texts", joins)
    for case in identity_cases:  # every other row: by identity or not, the same
        values = np.array(case, dtype=object)[::2]
        check(values.tolist(), values)
    # Grouped runs of texts the ``S`` table cannot hold (several lengths, as real traffic's
    # callsigns; longer than a word; not printable; non-ASCII; empty): the distinct objects'
    # texts joined once each (never a join over every row), then taken by row.
    joined_sizes: list[int] = []

    def joins_counted(values: Any) -> Any:
        joined_sizes.append(len(values))
        return joins(values)

    monkeypatch.setattr(_arrow_texts, "_joined_texts", joins_counted)
    short = [t[: 3 + i % 5] for i, t in enumerate(names)]  # 3-7 characters, one object each
    taken_cases: list[list[str | None]] = [
        [short[i] for i in range(40) for _ in range(20)],  # several lengths
        [None if j % 5 == 4 else short[i] for i in range(40) for j in range(20)],
        ["A" * 9] * 100,  # longer than one word
        ["AB\tCDEF"] * 100,
        ["ÆØÅ"] * 100,
        [""] * 50,
    ]
    for case in taken_cases:
        joined_sizes.clear()
        check(case, np.array(case, dtype=object))
        assert joined_sizes and max(joined_sizes) <= len({id(t) for t in case}), case[:3]
    other_cases: list[list[str | None]] = [
        [names[i] for i in rng.integers(0, 40, 400).tolist()],  # no runs
        [f"N{i:05d}" for i in range(400) for _ in range(3)],  # mostly distinct objects
    ]
    for case in other_cases:  # the joins over every row
        joined_sizes.clear()
        check(case, np.array(case, dtype=object))
        assert joined_sizes == [len(case)]


def test_unknown_texts_are_the_none_references() -> None:
    """Which rows positions out takes as unknown: None, not an empty text, nor a text "None",
    nor NaN (model/nones.py's not_none, negated)."""
    from flyvakt.model.nones import not_none

    values = np.array([None, "", "None", float("nan"), None, "A"], dtype=object)
    assert (~not_none(values)).tolist() == [True, False, False, False, True, False]
    assert (~not_none(values[::-2])).tolist() == [False, False, False]
    assert (~not_none(np.array([], dtype=object))).tolist() == []


def test_icao_codes_are_each_address_as_six_hex_digits() -> None:
    """icao_codes (two word look-ups) gives "%06x" of the address's 24 bits, every digit."""
    rng = np.random.default_rng(24)
    edges = [0, 1, 0xF, 0x10, 0xFFF, 0x1000, 0xABCDEF, 0xFFFFFF, 0x123456 | NON_ICAO]
    a = np.concatenate([np.array(edges), rng.integers(0, 1 << 25, 100_000)]).astype(np.uint32)
    codes = icao_codes(a)
    assert codes.shape == (len(a), 6) and codes.dtype == np.uint8 and codes.flags.c_contiguous
    want = "".join(f"{x & 0xFFFFFF:06x}" for x in a.tolist())
    assert codes.tobytes().decode("ascii") == want
    assert icao_texts(a)[-1] == ("~" if a[-1] & NON_ICAO else "") + f"{a[-1] & 0xFFFFFF:06x}"
    assert icao_codes(np.zeros(0, np.uint32)).shape == (0, 6)


def test_squawk_codes_are_the_last_four_digits_of_each_number() -> None:
    """squawk_codes gives "%04d" of each squawk's last four digits, with the remainder taken
    (a number of 10,000 or more in the batch) or not (every squawk below 10,000: the usual
    batch); unknown squawks (negative) give "0000", masked by the writer."""
    from flyvakt.cli._outputs import squawk_codes

    small = np.array([0, 7, 1000, 7700, 7777, 9999, -1], dtype=np.int16)
    large = np.array([0, 7, 1000, 7700, 7777, 9999, -1, 10000, 32767, 12345], dtype=np.int16)
    for squawks in (small, large, small[:0]):
        want = "".join(f"{max(int(s), 0) % 10000:04d}" for s in squawks.tolist())
        got = squawk_codes(squawks)
        assert got.shape == (len(squawks), 4)
        assert got.tobytes().decode("ascii") == want
