"""The ``flyvakt serve`` sub-command module (wired by src/flyvakt/cli/serve.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from flyvakt.serve import command


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flyvakt")
    command.register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_defaults_bind_to_localhost() -> None:
    args = _parse(["serve", "--db", "x.db"])
    assert (args.host, args.port, args.token, args.func) == ("127.0.0.1", 8090, None, command.run)


def test_run_serves_the_app(
    monkeypatch: pytest.MonkeyPatch, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, log_level: str) -> None:
        seen.update(app=app, host=host, port=port)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    args = _parse(["serve", "--db", str(store_path), "--host", "0.0.0.0", "--port", "9999"])
    assert command.run(args) == 0
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9999)
    assert seen["app"].state.flyvakt.token is None
    assert "without --token" in capsys.readouterr().err


def test_receiver_position_reaches_receiver_json_and_status(
    monkeypatch: pytest.MonkeyPatch, store_path: Path
) -> None:
    from starlette.testclient import TestClient

    seen: dict[str, Any] = {}
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app))
    argv = ["serve", "--db", str(store_path), "--receiver-lat", "43.63", "--receiver-lon", "1.37"]
    assert command.run(_parse(argv)) == 0
    with TestClient(seen["app"], base_url="http://127.0.0.1") as c:
        rx = c.get("/data/receiver.json").json()
        status = c.get("/api/status").json()
    assert (rx["lat"], rx["lon"]) == (43.63, 1.37)
    assert status["receivers"] == [{"lat": 43.63, "lon": 1.37}]


def test_receiver_position_needs_both_and_valid_degrees(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    with pytest.raises(SystemExit, match="give both --receiver-lat and --receiver-lon"):
        command.run(_parse(["serve", "--db", str(store_path), "--receiver-lat", "43.6"]))
    with pytest.raises(SystemExit):
        _parse(["serve", "--db", "x.db", "--receiver-lat", "95", "--receiver-lon", "1"])
    assert "'95' is not a number of degrees in ±90" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _parse(["serve", "--db", "x.db", "--receiver-lat", "1", "--receiver-lon", "nan"])


def test_no_receiver_position_means_no_rings(store_path: Path) -> None:
    from starlette.testclient import TestClient

    from flyvakt.serve.app import create_app

    with TestClient(create_app(str(store_path))) as c:
        assert c.get("/api/status").json()["receivers"] == []
        assert "lat" not in c.get("/data/receiver.json").json()
