"""What the world's parts import when they load (geo/countries.py): the same answers as
before, without modules a run may not need (shapely until a point needs the polygons). Each
case runs in a fresh interpreter, as an import happens once."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_countries_load_without_shapely_until_a_point_needs_the_polygons() -> None:
    got = _run(_COUNTRIES, "")
    assert got["inland"] == ["NO", "FR"]
    assert got["before"] is False
    assert got["strait"] in (["ES"], ["MA"], ["GI"])
    assert got["after"] is True
