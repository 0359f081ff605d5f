"""Map reference layers from package data: airports and place labels (no I/O beyond the package).

- Airports: large and medium airports of ``flyvakt.geo`` (airportsdata + OurAirports types),
  as GeoJSON points with ICAO, IATA, name and type.
- Runways: centre lines of 14,016 open runways (OurAirports, public domain, 2022-10 snapshot;
  ``data/geo/runways.tsv.gz``, built by ``scripts/build_runways.py``), served per bounding box.
- Places: the principal city of every IANA time zone, from tzdata's ``zone.tab`` (its
  coordinates). Most capitals are among them (Oslo, Moscow, Pyongyang, Beijing, ...); some are
  not (Washington, Canberra, Ottawa): the label layer says "cities", not "capitals".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flyvakt.geo.zonetab import zone_tab_rows, zone_tab_text

__all__ = ["airports_geojson", "parse_zone_tab", "places", "runways_geojson"]

# Why large and medium only: small airfields (~20 k) would bury the map in labels; the
# detector names small fields in events, and the event list shows those.
MAP_AIRPORT_TYPES = ("large_airport", "medium_airport")
_COORD = re.compile(r"^([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?$")


def _dms(sign: str, deg: str, minute: str, sec: str | None) -> float:
    value = int(deg) + int(minute) / 60 + (int(sec) / 3600 if sec else 0.0)
    return -value if sign == "-" else value


def parse_zone_tab(text: str) -> list[dict[str, Any]]:
    """``zone.tab`` lines (``KP<TAB>+3901+12545<TAB>Asia/Pyongyang``) → name, lat, lon, tz."""
    out: list[dict[str, Any]] = []
    for _country, coords, tz in zone_tab_rows(text):
        m = _COORD.match(coords)
        if m is None:
            continue
        lat = _dms(m[1], m[2], m[3], m[4])
        lon = _dms(m[5], m[6], m[7], m[8])
        name = tz.rsplit("/", 1)[-1].replace("_", " ")
        out.append({"name": name, "lat": round(lat, 4), "lon": round(lon, 4), "tz": tz})
    return out


@lru_cache(maxsize=1)
def places() -> list[dict[str, Any]]:
    """Principal cities of the IANA zones (tzdata package); empty if tzdata is missing."""
    return parse_zone_tab(zone_tab_text())


@lru_cache(maxsize=1)
def airports_geojson() -> dict[str, Any]:
    """Large and medium airports as a GeoJSON FeatureCollection, plus ``places``."""
    from flyvakt.geo import get_world
    from flyvakt.geo.airports import TYPES

    ap = get_world().airports
    wanted = {TYPES.index(t) for t in MAP_AIRPORT_TYPES}
    features = []
    for i in range(len(ap)):
        code = int(ap.type_code[i])
        if code not in wanted:
            continue
        ref = ap.ref(i)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(ref.lon_deg, 5), round(ref.lat_deg, 5)],
                },
                "properties": {
                    "icao": ref.icao,
                    "iata": ref.iata or None,
                    "name": ref.name,
                    "type": TYPES[code],
                    "runway_ft": int(ap.runway_ft[i]) or None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "places": places()}


# Why 2,000: a zoom-12 view holds a few dozen runways; a box with thousands is a client asking
# for the world, which the map never needs (it asks from zoom 12 only).
MAX_RUNWAYS = 2000
_RUNWAY_COLS = (
    "airport",
    "le",
    "he",
    "le_lat",
    "le_lon",
    "he_lat",
    "he_lon",
    "width_ft",
    "length_ft",
    "surface",
)


def _runways() -> tuple[list[list[str]], Any]:
    """The packaged runway table: text rows and an (n, 4) float array of end coordinates."""
    from flyvakt.geo.runways import runway_table

    return runway_table()


def runways_geojson(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """Runways with an end inside the box (longitudes -180..180, west may exceed east across
    the antimeridian) as GeoJSON LineStrings, at most ``MAX_RUNWAYS``."""
    import numpy as np

    rows, c = _runways()
    lat_ok = ((c[:, 0] >= south) & (c[:, 0] <= north)) | ((c[:, 2] >= south) & (c[:, 2] <= north))

    def lon_in(x: Any) -> Any:
        return (x >= west) & (x <= east) if west <= east else (x >= west) | (x <= east)

    hit = np.flatnonzero(lat_ok & (lon_in(c[:, 1]) | lon_in(c[:, 3])))[:MAX_RUNWAYS]
    features = []
    for i in hit:
        r = dict(zip(_RUNWAY_COLS, rows[int(i)], strict=True))
        la1, lo1, la2, lo2 = (float(x) for x in c[int(i)])
        props: dict[str, Any] = {k: r[k] for k in ("airport", "le", "he", "surface")}
        for k in ("width_ft", "length_ft"):
            props[k] = int(r[k]) if r[k].isdigit() else None
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[lo1, la1], [lo2, la2]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}
