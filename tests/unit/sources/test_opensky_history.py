"""OpenSky history through pyopensky: ``flyvakt.from_opensky`` / ``flyvakt.read_opensky``.

Never the network. The recorded answer is tests/data/opensky/trino_history.parquet: REAL
OpenSky state vectors (traffic's noisy_takeoff AFR181L 3946e4 and noisy_landing DLH4TR 3c664e
at LSZH) in a SYNTHETIC pyopensky ``Trino.history()`` layout (make_trino_history.py says which
columns are filled in). It is loaded as pyopensky loads its own cached answers.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flyvakt
from flyvakt.model import Source
from flyvakt.sources import SourceFormatError
from flyvakt.sources.opensky_history import HISTORY_COLUMNS

DATA = Path(__file__).resolve().parents[2] / "data"
HISTORY = DATA / "opensky" / "trino_history.parquet"
TAKEOFF = DATA / "traffic" / "noisy_takeoff.json.gz"
HAVE_PYOPENSKY = importlib.util.find_spec("pyopensky") is not None


def _recorded() -> pd.DataFrame:
    """As pyopensky reads a cached answer (pyopensky/trino.py, ``Trino.query``)."""
    return pd.read_parquet(HISTORY).convert_dtypes(dtype_backend="pyarrow")


class RecordedTrino:
    """Stands in for ``pyopensky.trino.Trino``: answers ``history`` with the recording."""

    def __init__(self, answer: pd.DataFrame | None) -> None:
        self.answer = answer
        self.calls: list[tuple[Any, ...]] = []

    def history(self, start: Any, stop: Any = None, **query: Any) -> pd.DataFrame | None:
        self.calls.append((start, stop, query))
        return self.answer


def test_positions_are_timed_when_opensky_heard_them_and_read_once() -> None:
    df = _recorded()
    pos = flyvakt.from_opensky(df).to_pandas()
    assert sorted(pos["icao24"].unique()) == ["3946e4", "3c664e"]
    # The history table does not say which positions were MLAT: all are state vectors.
    assert set(pos["source"]) == {Source.STATE_VECTOR.name.lower()}
    for icao, fixes in pos.groupby("icao24"):
        rows = df[df["icao24"] == icao]
        heard = rows["lastposupdate"].dropna().astype("float64")
        t = fixes["time"].map(pd.Timestamp.timestamp).to_numpy()
        # Each fix at one of OpenSky's position times, none twice (snapshots repeat them).
        assert np.isin(np.round(t, 3), np.round(heard.unique(), 3)).all()
        assert len(np.unique(t)) == len(t)
        assert len(t) > 0.9 * heard.nunique()  # the tracker keeps nearly all
        assert len(t) < len(rows)
        # Units: metres -> ft, from the same row.
        first = rows[rows["lastposupdate"].astype("float64").round(3) == round(t[0], 3)].iloc[0]
        got = fixes.iloc[0]
        assert (got["lat"], got["lon"]) == pytest.approx((first["lat"], first["lon"]))
        assert got["altitude_baro_ft"] == pytest.approx(first["baroaltitude"] / 0.3048, abs=0.01)


def test_same_track_as_the_traffic_sample_read_directly() -> None:
    """The same real state vectors read from traffic's JSON (timed at ``timestamp``): the same
    places, the same altitudes, so the layout and units were mapped right."""
    pos = flyvakt.from_opensky(_recorded()).to_pandas()
    mine = pos[pos["icao24"] == "3946e4"]
    direct = flyvakt.read(str(TAKEOFF)).to_pandas()
    # The direct read repeats a position at every snapshot: match each fix to the first
    # snapshot at or after the time OpenSky heard it, at the same place.
    direct = direct.rename(columns={"time": "time_direct"})
    direct["time"] = direct["time_direct"]
    merged = pd.merge_asof(
        mine.sort_values("time"), direct.sort_values("time"), on="time", by=["lat", "lon"],
        direction="forward", tolerance=pd.Timedelta("40s"), suffixes=("", "_direct"),
    ).dropna(subset=["time_direct"])  # fmt: skip
    assert len(merged) > 0.9 * len(mine)
    assert np.allclose(merged["altitude_baro_ft"], merged["altitude_baro_ft_direct"], atol=0.01,
                       equal_nan=True)  # fmt: skip


def test_events_from_opensky_history() -> None:
    events = flyvakt.events(flyvakt.from_opensky(_recorded())).to_pandas()
    got = {(e.icao24, e.type, e.airport) for e in events.itertuples()}
    assert ("3946e4", "takeoff", "LSZH") in got
    assert ("3c664e", "landing", "LSZH") in got


def test_read_opensky_asks_trino_and_tracks_the_answer() -> None:
    trino = RecordedTrino(_recorded())
    pos = flyvakt.read_opensky(
        "2019-11-11 17:30", "2019-11-11 18:30", trino=trino, icao24=["3946e4", "3c664e"]
    )
    assert trino.calls == [
        ("2019-11-11 17:30", "2019-11-11 18:30", {"icao24": ["3946e4", "3c664e"]})
    ]
    assert len(pos) == len(flyvakt.from_opensky(_recorded()))
    assert len(flyvakt.read_opensky("2019-11-11", trino=RecordedTrino(None))) == 0


def test_a_table_without_time_or_address_is_refused() -> None:
    with pytest.raises(SourceFormatError, match="not an OpenSky history table: no time"):
        flyvakt.from_opensky(_recorded().drop(columns=["time"]))


@pytest.mark.skipif(not HAVE_PYOPENSKY, reason="pyopensky is not installed (flyvakt[opensky])")
def test_recorded_columns_are_pyopenskys() -> None:
    from pyopensky.schema import StateVectorsData4

    names = [c.name for c in StateVectorsData4.__table__.columns]
    assert list(_recorded().columns) == names
    assert set(HISTORY_COLUMNS) <= set(names)


@pytest.mark.skipif(not HAVE_PYOPENSKY, reason="pyopensky is not installed (flyvakt[opensky])")
def test_through_pyopenskys_own_history(tmp_path: Path) -> None:
    """pyopensky's real ``Trino.history`` builds its SQL from our call; only its ``query``
    (the network) answers with the recording. In a subprocess with its own HOME: pyopensky
    writes a settings file there when imported."""
    script = textwrap.dedent(
        f"""
        import pandas as pd
        import flyvakt
        from pyopensky.trino import Trino

        seen = []
        def query(self, stmt, cached=True, compress=False):
            seen.append(str(stmt.compile(compile_kwargs={{"literal_binds": True}})))
            return pd.read_parquet({str(HISTORY)!r}).convert_dtypes(dtype_backend="pyarrow")

        Trino.query = query
        pos = flyvakt.read_opensky("2019-11-11 17:30", "2019-11-11 18:30", icao24="3946e4",
                                   trino=Trino())
        assert "state_vectors_data4" in seen[0] and "3946e4" in seen[0], seen
        print(len(pos))
        """
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) == len(flyvakt.from_opensky(_recorded()))
