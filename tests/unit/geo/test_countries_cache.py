"""The borders' grids from the binary cache (geo/countries.py, geo/cache.py): the same arrays
as the package file's, and a damaged or foreign cache file is rebuilt, never used."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from flyvakt.geo import countries as countries_mod
from flyvakt.geo.cache import CACHE_ENV, write_columns
from flyvakt.geo.countries import Countries, grid_columns, grids_fingerprint, load_countries

_ARRAYS = ("grid", "sub", "_sea_owner", "_land_owner")


def _blob() -> bytes:
    return resources.files("flyvakt").joinpath("data/geo/countries.npz").read_bytes()


def assert_same(a: Countries, b: Countries) -> None:
    assert a.codes == b.codes and a.grid_deg == b.grid_deg
    for name in _ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y), name


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    real = countries_mod.grid_columns

    def counting(blob: bytes) -> dict[str, object]:
        builds.append(1)
        return real(blob)

    monkeypatch.setattr(countries_mod, "grid_columns", counting)
    return builds


def test_cached_grids_equal_the_package_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    direct = Countries(_blob())
    first = load_countries()  # builds and stores
    builds = _count_builds(monkeypatch)
    second = load_countries()  # reads
    assert builds == [] and len(list(tmp_path.glob("countries-*.cols"))) == 1
    assert_same(first, direct)
    assert_same(second, direct)
    lats, lons = np.array([59.9, 48.85, 35.97, 45.0]), np.array([10.75, 2.35, -5.6, -30.0])
    assert second.country_at(lats, lons).tolist() == direct.country_at(lats, lons).tolist()


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-4096])


def _foreign(path: Path) -> None:  # whole and of this fingerprint, but not the grids
    cols = grid_columns(_blob())
    cols["grid"] = cols["grid"].astype(np.int64)
    assert write_columns(path, cols, grids_fingerprint(_blob()))


@pytest.mark.parametrize("damage", [_flip, _truncate, _foreign])
def test_damaged_grids_cache_is_rebuilt(
    damage: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    load_countries()
    (path,) = tmp_path.glob("countries-*.cols")
    whole = path.read_bytes()
    damage(path)  # type: ignore[operator]
    assert path.read_bytes() != whole
    builds = _count_builds(monkeypatch)
    again = load_countries()
    assert builds == [1]  # not trusted: built again
    assert_same(again, Countries(_blob()))
    assert path.read_bytes() == whole  # and replaced by a complete file
