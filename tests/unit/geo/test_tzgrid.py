"""The exact time-zone grid (geo/tzgrid.py): every answer it gives is timezonefinder's."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from flyvakt.geo import World, get_world, tzgrid
from flyvakt.geo.tzgrid import TzGrid


@pytest.fixture(scope="module")
def tzf(world: World) -> Any:
    return world._tz_finder()


@pytest.fixture(scope="module")
def grid(world: World) -> TzGrid:
    g = world._tz_grid()
    assert g is not None, "the grid is used with timezonefinder 9 and a cache folder"
    return g


def _finder_names(tzf: Any, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> list[str]:
    return [str(z) if z else "UTC" for z in tzf.timezone_names_at(lngs=lons, lats=lats)]


def _sphere(rng: np.random.Generator, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n))), rng.uniform(-180.0, 180.0, n)


@pytest.mark.slow
def test_a_million_random_points_answer_as_timezonefinder(
    grid: TzGrid, tzf: Any, world: World
) -> None:
    rng = np.random.default_rng(20)
    lat_s, lon_s = _sphere(rng, 600_000)
    # and a dense box over Europe, where the recordings are, and the grid cells' own edges
    lat_e, lon_e = rng.uniform(34.0, 72.0, 400_000), rng.uniform(-25.0, 45.0, 400_000)
    lats, lons = np.concatenate([lat_s, lat_e]), np.concatenate([lon_s, lon_e])
    ids = grid.zone_ids(lats, lons)
    known = ids >= 0
    assert known.mean() > 0.5  # the grid answers most of them (else it is not worth it)
    want = tzf.timezone_ids_at(lngs=lons[known], lats=lats[known])
    assert np.array_equal(ids[known], want)
    # and through World.tz_many, grid and fallback together, on a slice
    assert world.tz_many(lats[:100_000], lons[:100_000]) == _finder_names(
        tzf, lats[:100_000], lons[:100_000]
    )


def _polygon_points(tzf: Any, rng: np.random.Generator) -> tuple[Any, Any]:
    """Vertices and edge midpoints of a sample of timezonefinder's own polygons, and points
    1e-7° and 1e-9° off them: on and beside zone borders."""
    pts = []
    for b in rng.choice(tzf.nr_of_polygons, 150, replace=False).tolist():
        xy = np.asarray(tzf.coords_of(b), np.float64) / 1e7  # (2, n): lng, lat
        if xy.shape[1] > 100:
            xy = xy[:, rng.choice(xy.shape[1], 100, replace=False)]
        mid = (xy + np.roll(xy, 1, axis=1)) / 2
        pts.extend([xy, mid])
    base = np.concatenate(pts, axis=1)
    out = [base]
    for d in (1e-7, 1e-9):
        for dx, dy in ((d, 0), (-d, 0), (0, d), (0, -d)):
            out.append(base + np.array([[dx], [dy]]))
    lng_lat = np.concatenate(out, axis=1)
    lng = np.clip(lng_lat[0], -180.0, 180.0)
    lat = np.clip(lng_lat[1], -90.0, 90.0)
    return lat, lng


@pytest.mark.slow
def test_points_on_and_near_zone_borders_poles_and_antimeridian(
    grid: TzGrid, tzf: Any, world: World
) -> None:
    rng = np.random.default_rng(7)
    lat_b, lon_b = _polygon_points(tzf, rng)
    # grid lines (where the index changes) and a hair either side of them
    k = rng.integers(0, 8 * 180 + 1, 20_000) / 8.0 - 90.0
    m = rng.integers(0, 8 * 360 + 1, 20_000) / 8.0 - 180.0
    lat_g = np.concatenate([k, np.nextafter(k, 91.0), np.nextafter(k, -91.0)])
    lon_g = np.concatenate([m, np.nextafter(m, 181.0), np.nextafter(m, -181.0)])
    lat_g, lon_g = np.clip(lat_g, -90, 90), np.clip(lon_g, -180, 180)
    # the poles and their caps, and the antimeridian from both sides
    ring = np.linspace(-180.0, 180.0, 721)
    lat_p = np.concatenate([np.full(721, 90.0), np.full(721, -90.0), np.full(721, 89.9999)])
    lon_p = np.concatenate([ring, ring, ring])
    band = np.linspace(-90.0, 90.0, 3_601)
    edge = [180.0, -180.0, np.nextafter(180.0, 0.0), np.nextafter(-180.0, 0.0), 179.99, -179.99]
    lat_a = np.tile(band, len(edge))
    lon_a = np.repeat(edge, band.size)
    lats = np.concatenate([lat_b, lat_g, lat_p, lat_a])
    lons = np.concatenate([lon_b, lon_g, lon_p, lon_a])
    assert lats.size > 100_000
    known = grid.zone_ids(lats, lons) >= 0
    assert known.sum() > 10_000 and not known.all()  # both paths are taken
    assert world.tz_many(lats, lons) == _finder_names(tzf, lats, lons)


def test_every_point_lies_in_its_h3_cells_widened_box(tzf: Any) -> None:
    """The grid's one geometric premise (module docstring): an H3 cell's points lie in the
    box its vertices span, widened by MARGIN_DEG (on either side of the antimeridian)."""
    h3 = importlib.import_module("h3.api.numpy_int")
    from timezonefinder.configs import SHORTCUT_H3_RES

    rng = np.random.default_rng(3)
    lats, lons = _sphere(rng, 20_000)
    lats = np.concatenate([lats, rng.uniform(-85, 85, 2_000), np.full(200, 90.0)])
    lons = np.concatenate([lons, np.full(2_000, 180.0), rng.uniform(-180, 180, 200)])
    cells = np.array(
        [h3.latlng_to_cell(a, o, SHORTCUT_H3_RES) for a, o in zip(lats, lons, strict=True)],
        np.uint64,
    )
    uniq, back = np.unique(cells, return_inverse=True)
    boxes, owner = tzgrid.cell_boxes(uniq)
    inside = np.zeros(lats.size, bool)
    for b, o in zip(boxes, owner, strict=True):
        mine = back == o
        inside[mine] |= (
            (lats[mine] >= b[0])
            & (lats[mine] <= b[1])
            & (lons[mine] >= b[2])
            & (lons[mine] <= b[3])
        )
    assert inside.all()


def test_two_levels_read_back_the_fine_grid() -> None:
    rng = np.random.default_rng(5)
    fine = np.full((tzgrid.ROWS, tzgrid.COLS), -1, np.int16)
    fine[:400] = 3  # whole 1° cells of one zone
    fine[400:410, 5:13] = rng.integers(-1, 9, (10, 8)).astype(np.int16)  # a mixed block
    coarse, blocks = tzgrid.two_level(fine)
    g = TzGrid(coarse, blocks, [f"Z{k}" for k in range(9)])
    i, j = np.meshgrid(np.arange(395, 415), np.arange(0, 20), indexing="ij")
    lats = (i.ravel() + 0.5) / tzgrid.PER_DEG - 90.0
    lons = (j.ravel() + 0.5) / tzgrid.PER_DEG - 180.0
    assert np.array_equal(g.zone_ids(lats, lons), fine[i.ravel(), j.ravel()])
    assert blocks.shape[0] >= 1 and (coarse[: 50 * 360] == 3).all()


def test_refusals_stay_as_they_were(world: World) -> None:
    for lat, lon in ((np.nan, 10.0), (10.0, np.inf), (91.0, 0.0), (0.0, -180.5)):
        with pytest.raises(ValueError):
            world.tz_at(lat, lon)
        with pytest.raises(ValueError):
            world.tz_many(np.array([59.9, lat]), np.array([10.7, lon]))


def test_with_and_without_the_grid(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    lats, lons = _sphere(rng, 30_000)
    with_grid = world.tz_many(lats, lons)
    monkeypatch.setattr(World, "_tz_grid", lambda self: None)
    assert world.tz_many(lats, lons) == with_grid
    assert with_grid[:3] == [world.tz_at(a, o) for a, o in zip(lats[:3], lons[:3], strict=True)]


def _small_columns() -> dict[str, Any]:
    coarse = np.full(180 * 360, -1, np.int32)
    coarse[149 * 360 + 190] = 0  # the 1° cell of 59.x N 10.x E
    return {"coarse": coarse, "blocks": np.zeros((0, 64), np.int16), "names": ["Europe/Oslo"]}


def test_cache_off_missing_or_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYVAKT_CACHE_DIR", "off")
    assert tzgrid.load_grid(lambda: None) is None  # no cache: no build, plain lookups
    monkeypatch.setenv("FLYVAKT_CACHE_DIR", str(tmp_path / "new" / "dir"))
    built: list[int] = []

    def build(_tzf: Any) -> dict[str, Any]:
        built.append(1)
        return _small_columns()

    monkeypatch.setattr(tzgrid, "build_columns", build)
    g = tzgrid.load_grid(lambda: None)
    assert g is not None and built == [1]
    assert g.zone_ids(np.array([59.9, 0.0]), np.array([10.7, 0.0])).tolist() == [0, -1]
    assert tzgrid.load_grid(lambda: None) is not None and built == [1]  # read back
    (f,) = (tmp_path / "new" / "dir").iterdir()
    f.write_bytes(f.read_bytes()[:-5])  # a cut file is rebuilt
    assert tzgrid.load_grid(lambda: None) is not None and built == [1, 1]
    monkeypatch.setattr(tzgrid, "usable_version", lambda v: False)
    assert tzgrid.load_grid(lambda: None) is None  # another timezonefinder: no grid


def test_usable_versions() -> None:
    assert tzgrid.usable_version("9.0.0") and tzgrid.usable_version("9.3.1")
    assert not tzgrid.usable_version("10.0.0") and not tzgrid.usable_version("8.1.0")


def test_tz_at_with_and_without_the_grid(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(12)
    lats, lons = _sphere(rng, 3_000)
    lats = np.concatenate([lats, [90.0, -90.0, 0.0, 66.0, 66.0]])
    lons = np.concatenate([lons, [0.0, 180.0, -180.0, -179.5, 179.5]])
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    with_grid = [world.tz_at(a, o) for a, o in pairs]
    monkeypatch.setattr(World, "_tz_grid", lambda self: None)
    assert [world.tz_at(a, o) for a, o in pairs] == with_grid


def test_a_grid_whose_names_are_not_the_finders_is_dropped(grid: TzGrid) -> None:
    w = World()
    w._tzgrid = TzGrid(grid.coarse, grid.blocks, ["Wrong/Zone"] * len(grid.name_list))
    w._tzgrid_tried = True
    unknown = np.flatnonzero(grid.zone_ids(np.full(360, 50.3), np.arange(-179.5, 180.0)) < 0)
    assert unknown.size  # a point the grid does not know makes the finder load
    lats = np.array([50.3, 59.9])
    lons = np.array([float(np.arange(-179.5, 180.0)[unknown[0]]), 10.7])
    got = w.tz_many(lats, lons)
    assert w._tzgrid is None and "Wrong/Zone" not in got
    assert got == [get_world().tz_at(a, o) for a, o in zip(lats, lons, strict=True)]


def test_points_the_grid_knows_need_no_timezonefinder(grid: TzGrid) -> None:
    assert grid.zone_id(59.9, 10.7) >= 0  # Oslo: the cache is there (the fixture loaded it)
    code = (
        "import sys, numpy as np; from flyvakt.geo import get_world; w = get_world();"
        "print(w.tz_at(59.9, 10.7), w.tz_many(np.array([59.9]), np.array([10.7]))[0],"
        " 'timezonefinder' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Europe/Oslo", "Europe/Oslo", "False"]
