"""Profile plots (altitude / ground speed against time, events marked): ``flyvakt plot`` and
``/api/plot/{icao24}.png``. Real data: AFR34ZG LFPG -> LFBO (tests/data/traffic, MIT).

"Non-blank" is checked by colour: the data lines are matplotlib's first colour, the takeoff
mark green and the landing mark red; a PNG without them would be a plot of nothing.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient
from tests.unit.serve.servedata import AFR, AFR_HEX

from flyvakt.cli.main import main
from flyvakt.serve import create_app

image = pytest.importorskip("matplotlib.image", reason="plots need matplotlib (flyvakt[plots])")
colors = pytest.importorskip("matplotlib.colors")


def _pixels(png: bytes, colour: str) -> int:
    """How many pixels are (nearly) ``colour``."""
    rgb = image.imread(io.BytesIO(png), format="png")[:, :, :3]
    want = np.array(colors.to_rgb(colour))
    return int((np.abs(rgb - want).max(axis=2) < 0.15).sum())


def _check_profile(png: bytes) -> None:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.imread(io.BytesIO(png), format="png").shape[:2] == (600, 1000)
    assert _pixels(png, "tab:blue") > 2000  # altitude and speed lines
    assert _pixels(png, "tab:green") > 100  # takeoff LFPG
    assert _pixels(png, "tab:red") > 100  # landing LFBO


def test_cli_plot_from_a_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "afr.png"
    assert main(["plot", "--icao24", AFR_HEX, str(AFR), "-o", str(out)]) == 0
    _check_profile(out.read_bytes())
    assert "8311 positions, 2 events" in capsys.readouterr().err


def test_cli_plot_from_the_store(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "afr.png"
    assert main(["plot", "--icao24", AFR_HEX, "--db", str(store_path), "-o", str(out)]) == 0
    _check_profile(out.read_bytes())


def test_cli_plot_refuses_what_it_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.png"
    assert main(["plot", "--icao24", "abcdef", str(AFR), "-o", str(out)]) == 1
    assert main(["plot", "--icao24", AFR_HEX, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no positions of abcdef" in err and "give recordings or --db" in err
    assert not out.exists()


def test_api_plot(store_path: Path) -> None:
    client = TestClient(create_app(str(store_path)))
    r = client.get(f"/api/plot/{AFR_HEX}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    _check_profile(r.content)
    # Before the takeoff: no takeoff mark, no landing mark.
    early = client.get(f"/api/plot/{AFR_HEX}.png", params={"to": "2024-07-06T06:55:00Z"})
    assert early.status_code == 200 and _pixels(early.content, "tab:red") < 20
    assert client.get("/api/plot/abcdef.png").status_code == 404
    assert client.get("/api/plot/nothex.png").status_code == 400
    doc = client.get("/api/openapi.json").json()
    assert "image/png" in str(doc["paths"]["/api/plot/{icao24}.png"])


def test_gaps_break_the_lines() -> None:
    from flyvakt.plot import _broken

    t = np.array([0.0, 10.0, 20.0, 620.0, 630.0])
    tt, yy = _broken(t, t * 2, 60.0)
    assert np.isnan(tt[3]) and np.isnan(yy[3]) and len(tt) == 6
