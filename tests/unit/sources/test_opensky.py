"""OpenSky REST ``/states/all`` responses as input: one document or a poll series, sniffed.

Data: ``opensky/states_edge_cases.json`` (synthetic, written from OpenSky's documented field
list) and ``opensky/states_lszh_polls.jsonl.gz`` (synthetic framing of the real OpenSky state
vectors of two LSZH flights; see tests/data/PROVENANCE.md).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import ObservationBatch, Source
from flyvakt.sources import FileReader
from flyvakt.sources.opensky import category_code
from flyvakt.sources.reader import SourceFormatError

DATA = Path(__file__).resolve().parents[2] / "data" / "opensky"
EDGE = DATA / "states_edge_cases.json"
POLLS = DATA / "states_lszh_polls.jsonl.gz"


def _read(url: str, fmt: str | None = None) -> tuple[FileReader, ObservationBatch]:
    r = FileReader(url, fmt)
    parts = [b for b in r if isinstance(b, ObservationBatch)]
    return r, ObservationBatch.concat(parts)


def test_one_response_columns_and_units() -> None:
    r, b = _read(str(EDGE))
    assert r.kind == "json"
    assert [f"{i:06x}" for i in b.icao24] == ["393322", "3c6444", "4ca7b5", "a0b1c2"]
    # Skipped, each for its reason: a non-hex address, a 4-value state, no time at all.
    assert r.stats.skipped == {"bad_icao24": 1, "opensky_bad_state": 1, "bad_timestamp": 1}
    afr = 0
    assert b.time_s[afr] == 1720248598  # timed at time_position, not last_contact
    assert b.lat_deg[afr] == 43.6293 and b.lon_deg[afr] == 1.3638
    assert b.altitude_baro_ft[afr] == pytest.approx(500.0)  # 152.4 m
    assert b.altitude_gnss_ft[afr] == pytest.approx(600.0)  # 182.88 m
    assert b.groundspeed_kt[afr] == pytest.approx(140.0, abs=0.01)  # 72.02 m/s
    assert b.vertical_rate_fpm[afr] == pytest.approx(-767.7, abs=0.1)  # -3.9 m/s
    assert b.track_deg[afr] == 143.1
    assert b.callsign[afr] == "AFR34ZG" and b.squawk[afr] == 1000
    assert b.on_ground.tolist() == [0, 0, 0, 1]
    # No position time: timed at last_contact, and no position.
    assert b.time_s[1] == 1720248590 and np.isnan(b.lat_deg[1]) and b.callsign[1] is None
    # extended=1 categories 6, 4, 2 are A5, A3, A1; none given is unknown.
    assert b.category.tolist() == [5, -1, 3, 1]
    assert b.squawk.tolist() == [1000, -1, 7700, 1200]
    assert (b.address_checked).all()


def test_category_numbers() -> None:
    assert [category_code(c) for c in (0, 1, 2, 8, 9, 15, 16, 20, 21, None, True)] == [
        -1, -1, 1, 7, 9, 15, 17, 21, -1, -1, -1,
    ]  # fmt: skip


def test_mlat_position_keeps_its_source() -> None:
    _, b = _read(str(EDGE))
    assert b.source[2] == Source.MLAT
    # position_source 0: ADS-B, ranked as such by the tracker's source priority.
    assert b.source[[0, 1, 3]].tolist() == [Source.ADSB] * 3


def test_poll_series_is_sniffed_and_streamed() -> None:
    r, b = _read(str(POLLS))
    assert r.kind == "opensky"
    assert r.stats.lines == 207 and len(b) == 156 and not r.stats.skipped
    assert sorted({f"{i:06x}" for i in b.icao24}) == ["3946e4", "3c664e"]
    for icao in np.unique(b.icao24):
        t = b.time_s[b.icao24 == icao]
        assert (np.diff(t) >= 0).all()
        with_pos = t[np.isfinite(b.lat_deg[b.icao24 == icao])]
        assert len(np.unique(with_pos)) == len(with_pos)  # each position time once
    # The DLH4TR approach ends near LSZH (47.46 N, 8.55 E) below 2,000 ft.
    dlh = b.icao24 == 0x3C664E
    last = np.flatnonzero(dlh & np.isfinite(b.lat_deg))[-1]
    assert abs(b.lat_deg[last] - 47.46) < 0.05 and abs(b.lon_deg[last] - 8.55) < 0.05
    assert b.altitude_baro_ft[last] < 2000


def test_poll_series_from_stdin_and_with_format(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, want = _read(str(POLLS))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(POLLS.read_bytes())))
    r, got = _read("-")
    assert r.kind == "opensky" and np.array_equal(got.time_s, want.time_s)
    odd = tmp_path / "polls.txt"  # an extension that says nothing
    odd.write_bytes(gzip.decompress(POLLS.read_bytes()))
    r, got = _read(str(odd), "opensky")
    assert r.kind == "opensky" and len(got) == len(want)


def test_repeated_states_are_not_repeated_positions(tmp_path: Path) -> None:
    """OpenSky repeats a state for 15 s after its position: a position is read once."""
    state = json.loads(EDGE.read_text())["states"][0]
    polls = []
    for now, t_pos, t_last in ((100, 98, 99), (105, 98, 104), (110, 98, 104), (115, 114, 115)):
        s = list(state)
        s[3], s[4] = t_pos, t_last
        polls.append({"time": now, "states": [s]})
    path = tmp_path / "polls.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in polls))
    r, b = _read(str(path))
    assert r.kind == "opensky"
    assert b.time_s.tolist() == [98.0, 104.0, 114.0]
    assert np.isfinite(b.lat_deg).tolist() == [True, False, True]
    assert r.stats.skipped == {"opensky_repeated_state": 1}


def test_damaged_line_is_counted_and_skipped(tmp_path: Path) -> None:
    lines = gzip.decompress(POLLS.read_bytes()).decode().splitlines()
    lines[50] = lines[50][:40]  # cut mid-line
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join(lines) + "\n")
    r, b = _read(str(path))
    assert r.stats.skipped == {"opensky_bad_line": 1}
    assert "line 51: not an OpenSky states response" in r.stats.bad_lines[0]
    assert 150 <= len(b) < 156


def test_empty_response_and_not_a_response(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('{"time": 1720248600, "states": null}')
    r, b = _read(str(empty), "opensky")  # nobody in the box: a valid, empty answer
    assert r.kind == "json" and len(b) == 0 and not r.stats.skipped
    other = tmp_path / "other.json"
    other.write_text('{"time": 1, "flights": []}')
    with pytest.raises(SourceFormatError, match=r"other\.json: byte 0: JSON is not state vectors"):
        _read(str(other))
