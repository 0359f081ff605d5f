"""Issue 10 item 11: the browser tests find a Chromium wherever Debian (or the user) put it,
instead of requiring /usr/bin/chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.browser import ensure_chromium, find_chromium


def test_found_under_another_name_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYVAKT_CHROMIUM", raising=False)
    real = ensure_chromium()
    (tmp_path / "chromium-browser").symlink_to(real)
    assert find_chromium(path=str(tmp_path)) == str(tmp_path / "chromium-browser")
    assert find_chromium(path=str(tmp_path / "empty")) is None


def test_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "my-chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("FLYVAKT_CHROMIUM", str(exe))
    assert find_chromium() == str(exe)
    assert os.access(find_chromium() or "", os.X_OK)
