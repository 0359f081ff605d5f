"""The binary cache of AirportCells (geo/cells.py cached_cells): read back, it is the index
built from the real airport table, bit for bit; a damaged, foreign or stale file is rebuilt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.geo import World
from flyvakt.geo import cells as cells_mod
from flyvakt.geo.airports import Airports
from flyvakt.geo.cache import CACHE_ENV, write_columns
from flyvakt.geo.cells import AirportCells, cached_cells, fingerprint

# The radii a replay asks (the prepass's FIELD_NM + margin, the detector's 10 NM) and a wide one.
RADII = (5.01, 10.0, 30.0)


def _rows(ap: Airports) -> np.ndarray:
    return np.sort(ap._grid((True, True, False))[0])


def assert_same_cells(a: AirportCells, b: AirportCells) -> None:
    for name in ("keys", "offsets", "cands", "top_ft", "_table"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.limit == b.limit and a.radius_nm == b.radius_nm


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    calls: list[float] = []
    real = cells_mod._index

    def counted(ap: Airports, rows: np.ndarray, radius_nm: float) -> dict[str, np.ndarray]:
        calls.append(radius_nm)
        return real(ap, rows, radius_nm)

    monkeypatch.setattr(cells_mod, "_index", counted)
    return calls


@pytest.mark.parametrize("radius_nm", RADII)
def test_cached_cells_equal_the_rebuilt_ones(
    radius_nm: float, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ap = world.airports
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    rows = _rows(ap)
    direct = AirportCells(ap, rows, radius_nm)
    builds = _count_builds(monkeypatch)
    first = cached_cells(ap, rows, radius_nm)  # builds and writes
    second = cached_cells(ap, rows, radius_nm)  # reads back
    assert builds == [radius_nm]
    assert len(list(tmp_path.glob("airport-cells-*.cols"))) == 1
    assert len(second.keys) > 10_000 and len(second.cands) > len(second.keys)
    assert_same_cells(direct, first)
    assert_same_cells(direct, second)
    lats, lons = ap.lat_deg[rows[::97]] + 0.03, ap.lon_deg[rows[::97]] - 0.02
    cell = second.cells(lats, lons)
    assert np.array_equal(cell, direct.cells(lats, lons)) and (cell >= 0).all()
    got, want = second.nearest(lats, lons, cell), direct.nearest(lats, lons, cell)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def _damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside a column: the digest no longer matches
    path.write_bytes(bytes(data))


def _damage_foreign(path: Path) -> None:
    # A whole, readable file that is not a well-formed index: an airport row out of range.
    bad = {"keys": np.array([5], np.int64), "offsets": np.array([0, 1], np.int64),
           "cands": np.array([10**9], np.int64), "top_ft": np.array([0.0])}  # fmt: skip
    assert write_columns(path, bad)


def _damage_missing_column(path: Path) -> None:
    assert write_columns(path, {"keys": np.array([5], np.int64)})


@pytest.mark.parametrize(
    "damage", [_damage_truncate, _damage_flip, _damage_foreign, _damage_missing_column]
)
def test_damaged_cells_cache_is_rebuilt(
    damage: object, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ap = world.airports
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    rows = _rows(ap)
    good = cached_cells(ap, rows, 5.01)
    (path,) = tmp_path.glob("airport-cells-*.cols")
    whole = path.read_bytes()
    damage(path)  # type: ignore[operator]
    assert path.read_bytes() != whole
    builds = _count_builds(monkeypatch)
    again = cached_cells(ap, rows, 5.01)
    assert builds == [5.01]  # not trusted: built again
    assert_same_cells(good, again)
    assert path.read_bytes() == whole  # and replaced by a complete file


def test_changed_table_or_radius_is_another_file(world: World) -> None:
    ap = world.airports
    rows = _rows(ap)
    base = fingerprint(ap, rows, 5.01)
    assert fingerprint(ap, rows, 5.01) == base
    assert fingerprint(ap, rows, 5.0) != base
    assert fingerprint(ap, rows[1:], 5.01) != base
    moved = Airports.__new__(Airports)
    moved.__dict__.update(ap.__dict__)
    moved._columns_digest = None  # another table: its digest is its own (taken once per table)
    moved.elevation_ft = ap.elevation_ft.copy()
    moved.elevation_ft[rows[0]] += 1.0  # one airport's elevation: top_ft would change
    assert fingerprint(moved, rows, 5.01) != base
    same = Airports.__new__(Airports)
    same.__dict__.update(ap.__dict__)
    same._columns_digest = None
    same.lat_deg = ap.lat_deg.copy()  # equal values in another array: the same fingerprint
    assert fingerprint(same, rows, 5.01) == base
    assert same.columns_digest() is same.columns_digest()  # hashed once


def test_cells_cache_off(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ap = world.airports
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.chdir(tmp_path)
    builds = _count_builds(monkeypatch)
    cached_cells(ap, _rows(ap), 5.01)
    cached_cells(ap, _rows(ap), 5.01)
    assert builds == [5.01, 5.01] and not list(tmp_path.iterdir())
