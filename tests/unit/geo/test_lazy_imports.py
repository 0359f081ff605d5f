"""What the world's parts import when they load (geo/tzload.py, geo/countries.py): the same
answers as before, without modules a run may not need (cffi's C parser; shapely until a point
needs the polygons). Each case runs in a fresh interpreter, as an import happens once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_ZONES = """
import json, sys
import numpy as np
if sys.argv[1] == "ours":
    from flyvakt.geo.tzload import timezone_finder_class
    finder = timezone_finder_class()(in_memory=True)
else:
    from timezonefinder import TimezoneFinder
    finder = TimezoneFinder(in_memory=True)
rng = np.random.default_rng(16)
lat = np.concatenate([rng.uniform(-89.9, 89.9, 3000), np.linspace(35.0, 72.0, 500)])
lon = np.concatenate([rng.uniform(-179.9, 179.9, 3000), np.linspace(-10.0, 40.0, 500)])
many = [str(z) for z in finder.timezone_names_at(lngs=lon, lats=lat)]
one = [str(finder.timezone_at(lat=float(a), lng=float(o))) for a, o in zip(lat[:300], lon[:300])]
print(json.dumps({"many": many, "one": one, "parser": "pycparser" in sys.modules}))
"""

_COUNTRIES = """
import json, sys
import numpy as np
from flyvakt.geo.countries import load_countries
c = load_countries()
inland = c.country_at(np.array([59.9, 48.85]), np.array([10.75, 2.35])).tolist()
before = "shapely" in sys.modules
# Strait of Gibraltar: a cell that only the polygons answer (two countries' seas meet there).
strait = c.country_at(np.array([35.97]), np.array([-5.6])).tolist()
print(json.dumps({"inland": inland, "before": before, "strait": strait,
                  "after": "shapely" in sys.modules}))
"""


def _run(script: str, arg: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", script, arg], capture_output=True, text=True, check=True
    )
    got: dict[str, object] = json.loads(out.stdout)
    return got


def test_time_zones_the_same_without_the_c_parser() -> None:
    pytest.importorskip("timezonefinder.inside_polygon_ext")  # the compiled backend
    ours, plain = _run(_ZONES, "ours"), _run(_ZONES, "plain")
    assert ours["many"] == plain["many"]
    assert ours["one"] == plain["one"]
    assert len(set(ours["many"])) > 100  # type: ignore[arg-type]  # land and sea zones
    assert plain["parser"] is True  # what the plain import costs
    assert ours["parser"] is False


def test_countries_load_without_shapely_until_a_point_needs_the_polygons() -> None:
    got = _run(_COUNTRIES, "")
    assert got["inland"] == ["NO", "FR"]
    assert got["before"] is False
    assert got["strait"] in (["ES"], ["MA"], ["GI"])
    assert got["after"] is True
