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
