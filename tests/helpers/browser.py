"""Find a Chromium for the browser tests, and install Debian's when there is none.

Issue 10 item 11: the README's test command (`.venv/bin/python -m pytest`) must pass on a fresh
Debian machine, where only `.ci/run` used to install the browser. Order: ``$FLYVAKT_CHROMIUM``,
then ``chromium`` / ``chromium-browser`` / ``google-chrome`` on ``PATH``, then Debian's
``chromium`` package installed with apt-get (root only; the package registry is the one network
access allowed at install time). Playwright's own browser download is never used: it is not a
package registry and does not work offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

__all__ = ["ensure_chromium", "find_chromium"]

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(path: str | None = None, names: Sequence[str] = NAMES) -> str | None:
    env = os.environ.get("FLYVAKT_CHROMIUM")
    if env and os.access(env, os.X_OK):
        return env
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def ensure_chromium() -> str:
    """A Chromium executable, installing Debian's package first if none is found."""
    found = find_chromium()
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, timeout=1200
        )
        found = find_chromium()
        if found:
            return found
    raise AssertionError(
        "no Chromium found: apt-get install chromium (or set FLYVAKT_CHROMIUM=/path/to/chrome)"
    )
