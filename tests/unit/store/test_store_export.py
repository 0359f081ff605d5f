"""Exports of real stored tracks (kiwi.json.gz) parse back and split at coverage gaps."""

from __future__ import annotations

import argparse
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from flyvakt.cli import export as cli_export
from flyvakt.model.batches import PositionBatch
from flyvakt.model.events import AirportRef, Event, iso_utc
from flyvakt.store import StoreReader, StoreWriter
from flyvakt.store.export import (
    TABLE_COLUMNS,
    segments,
    to_csv,
    to_geojson,
    to_kml,
    write_parquet,
)

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"
NZCH = AirportRef("NZCH", "CHC", "Christchurch", "NZ", "Pacific/Auckland", -43.49, 172.53, 123)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, kiwi: PositionBatch) -> Path:
    path = tmp_path_factory.mktemp("export") / "s.db"
    w = StoreWriter(path)
    w.offer(kiwi)
    takeoff = float(kiwi.time_s[np.flatnonzero(kiwi.on_ground == 0)[0]])
    w.offer([Event("takeoff", "c820d1", takeoff, airport=NZCH, lat=-43.49, lon=172.53)])
    w.close()
    return path


@pytest.fixture(scope="module")
def track(store: Path) -> PositionBatch:
    with StoreReader(store) as r:
        return r.track("c820d1")


def _n_gaps(track: PositionBatch, gap_s: float = 60.0) -> int:
    return int((np.diff(track.time_s) > gap_s).sum())


def test_segments_split_at_gaps(track: PositionBatch) -> None:
    segs = segments(track)
    assert _n_gaps(track) > 0
    assert len(segs) == _n_gaps(track) + 1
    assert sum(len(s) for s in segs) == len(track)
    for s in segs:
        assert (np.diff(s.time_s) <= 60.0).all()


def test_geojson_parses_and_never_bridges_a_gap(track: PositionBatch, store: Path) -> None:
    with StoreReader(store) as r:
        events = r.events()
    doc = json.loads(json.dumps(to_geojson(track, events)))
    assert doc["type"] == "FeatureCollection"
    tracks = [f for f in doc["features"] if f["properties"]["kind"] == "track"]
    points = [f for f in doc["features"] if f["properties"]["kind"] == "event"]
    assert len(tracks) == _n_gaps(track) + 1
    assert [p["properties"]["type"] for p in points] == ["takeoff"]
    by_time = dict(zip(track.time_s.tolist(), track.lon_deg.tolist(), strict=True))
    assert tracks[0]["properties"]["icao24"] == "c820d1"
    # consecutive segments: the end of one and the start of the next are > 60 s apart
    ends = [f["properties"]["end"] for f in tracks]
    starts = [f["properties"]["start"] for f in tracks]
    assert all(e < s for e, s in zip(ends[:-1], starts[1:], strict=True))
    line = next(f for f in tracks if f["geometry"]["type"] == "LineString")
    lon, lat, alt_m = line["geometry"]["coordinates"][0]
    assert -44 < lat < -39 and lon in {round(v, 6) for v in by_time.values()}
    assert alt_m >= 0


def test_geojson_loads_in_shapely_with_one_dimensionality_per_geometry(
    track: PositionBatch,
) -> None:
    from shapely.geometry import shape

    # SYNTHETIC change of the real track: one fix loses its altitude (as a Mode S reply without
    # altitude does), which used to give a LineString mixing 2-D and 3-D positions.
    holed = track.take(np.arange(len(track)))
    holed.altitude_baro_ft[5] = np.nan
    holed.altitude_gnss_ft[5] = np.nan
    for batch in (track, holed):
        doc = json.loads(json.dumps(to_geojson(batch)))
        for f in doc["features"]:
            geom = shape(f["geometry"])  # raises on mixed dimensionality
            assert geom.is_valid
            dims = (
                {len(c) for c in f["geometry"]["coordinates"]}
                if geom.geom_type == "LineString"
                else {len(f["geometry"]["coordinates"])}
            )
            assert len(dims) == 1
    hole_t = float(holed.time_s[5])
    seg = next(g for g in segments(holed) if g.time_s[0] <= hole_t <= g.time_s[-1])
    feats = json.loads(json.dumps(to_geojson(holed)))["features"]
    geom = next(
        f["geometry"]
        for f in feats
        if f["properties"]["start"] == iso_utc(float(seg.time_s[0]))
        and f["properties"]["n_points"] == len(seg)
    )
    assert all(len(c) == 2 for c in geom["coordinates"])  # the holed segment is 2-D throughout
    assert not shape(geom).has_z


def test_kml_parses_with_times_and_absolute_altitude(track: PositionBatch) -> None:
    root = ET.fromstring(
        to_kml(
            track,
            [
                {
                    "icao24": "c820d1",
                    "lat": -43.5,
                    "lon": 172.5,
                    "type": "landing",
                    "time": "2019-10-16T03:00:00Z",
                    "altitude_baro_ft": None,
                }
            ],
        )
    )
    folders = root.findall(f"{KML}Document/{KML}Folder")
    assert [f.findtext(f"{KML}name") for f in folders] == ["c820d1"]
    lines = folders[0].findall(f".//{GX}Track")
    marks = folders[0].findall(f"{KML}Placemark")
    pieces = [m for m in marks if (m.findtext(f"{KML}name") or "").startswith("c820d1 ")]
    assert len(pieces) == _n_gaps(track) + 1  # one piece of track per segment
    assert len(marks) - len(pieces) == 1  # the event
    assert all(ls.findtext(f"{KML}altitudeMode") == "absolute" for ls in lines)
    coords = [c.text.split() for c in lines[-1].findall(f"{GX}coord")]
    whens = [w.text for w in lines[-1].findall(f"{KML}when")]
    assert all(len(c) == 3 for c in coords)
    # One time per fix, in order: Google Earth's time slider plays the track.
    assert len(whens) == len(coords) > 1
    assert whens == sorted(whens) and all(w.endswith("Z") for w in whens)
    assert sum(len(ls.findall(f"{KML}when")) for ls in lines) == len(track)
    event = next(m for m in marks if m not in pieces)
    assert event.findtext(f"{KML}TimeStamp/{KML}when") == "2019-10-16T03:00:00Z"
    alts = [float(c[2]) for c in coords]
    assert max(alts) > 1000  # metres: the flight climbs above FL180
    assert max(alts) < 26100 * 0.3048 + 1


def test_csv_has_replay_columns_and_iso_times(track: PositionBatch) -> None:
    buf = io.StringIO()
    to_csv(track, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0]) == TABLE_COLUMNS
    assert len(rows) == len(track)
    assert rows[0]["icao24"] == "c820d1"
    assert rows[0]["time"].startswith("2021-05-1") and rows[0]["time"].endswith("Z")
    assert rows[0]["altitude_gnss_ft"] == ""  # unknown stays empty, not "nan"
    assert rows[0]["thinned"] == ""  # no store counts given: unknown


def test_parquet_roundtrip(track: PositionBatch, tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    write_parquet(track, out)
    table = pq.read_table(out)
    assert table.column_names == list(TABLE_COLUMNS)
    times = table["time"].cast("int64").to_numpy() / 1e6
    assert np.allclose(times, track.time_s, atol=1e-6)
    assert table["icao24"][0].as_py() == "c820d1"
    assert table["callsign"][0].as_py() == "ANZ4376"


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli_export.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_icao24_and_window(store: Path, track: PositionBatch, tmp_path: Path) -> None:
    out = tmp_path / "a.geojson"
    t_from = "2021-05-15T00:20:00Z"
    rc = _cli(
        [
            "export",
            "--db",
            str(store),
            "--icao24",
            "C820D1",
            "--from",
            t_from,
            "--format",
            "geojson",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    doc = json.loads(out.read_text())
    assert all(f["properties"]["start"] >= "2021-05-15T00:20:00Z" for f in doc["features"])
    assert doc["features"]


def test_cli_fleet_from_fleets_file(store: Path, tmp_path: Path) -> None:
    fleets = tmp_path / "fleets.toml"
    fleets.write_text('[[fleet]]\nid = "anz"\n[[fleet.member]]\nicao24 = "c820d1"\n')
    out = tmp_path / "a.csv"
    rc = _cli(
        [
            "export",
            "--db",
            str(store),
            "--fleet",
            "anz",
            "--fleets",
            str(fleets),
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    assert out.read_text().count("c820d1") > 100
    assert _cli(["export", "--db", str(store), "--fleet", "anz", "--format", "kml"]) == 2
    assert (
        _cli(
            [
                "export",
                "--db",
                str(store),
                "--fleet",
                "nope",
                "--fleets",
                str(fleets),
                "--format",
                "kml",
            ]
        )
        == 2
    )


def test_cli_bad_inputs(store: Path, tmp_path: Path) -> None:
    assert (
        _cli(["export", "--db", str(tmp_path / "x.db"), "--icao24", "c820d1", "--format", "csv"])
        == 2
    )
    with pytest.raises(SystemExit) as refused:  # argparse refuses it: one line, exit 2
        _cli(["export", "--db", str(store), "--icao24", "zzz", "--format", "csv"])
    assert refused.value.code == 2
    assert (
        _cli(
            [
                "export",
                "--db",
                str(store),
                "--icao24",
                "c820d1",
                "--from",
                "yesterday",
                "--format",
                "csv",
            ]
        )
        == 2
    )
