"""A binary cache of tables built from package data (the airport table, its query cells):
one ``.npz`` per table and fingerprint, built on first use, read back in milliseconds after.

Where: ``$FLYVAKT_CACHE_DIR``, else ``$XDG_CACHE_HOME/flyvakt``, else ``~/.cache/flyvakt``;
``FLYVAKT_CACHE_DIR=off`` turns the cache off. The fingerprint names what the table was built
from (package versions, file sizes, checksums), so an upgrade builds a new file and never reads
a stale one. The files an upgrade leaves behind are removed when a new one of the same table is
written, once nothing has read them for STALE_AFTER_S (a read marks a file used, so two installed
versions sharing the folder keep both). A cache that cannot be written (read-only home) or read
(damaged file) only costs speed: the table is built from the package data as before, and a
damaged file is replaced.

Columns are NumPy arrays (stored as they are) or lists of str (stored as one UTF-8 blob joined
by U+001F, which no airport name or zone contains; checked when written). Nothing is pickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV = "FLYVAKT_CACHE_DIR"
_SEP = "\x1f"
_TEXT = "__text__"  # prefix of a text column's key in the .npz
# A cache file of an older fingerprint (an upgrade, another venv) is removed once it has not been
# read for this long: 30 days keeps a second install that runs monthly from rebuilding each time,
# and bounds what upgrades leave behind (each airport table + cells is ~5-15 MB).
STALE_AFTER_S = 30 * 86_400.0
# Temporary files of a write that was killed: no write takes an hour.
TMP_STALE_S = 3_600.0


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when the cache is turned off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "flyvakt"


def cache_path(name: str, fingerprint: list[str]) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256("\n".join(["1", name, *fingerprint]).encode()).hexdigest()[:16]
    return folder / f"{name}-{digest}.npz"


def cached_columns(
    name: str,
    fingerprint: list[str],
    build: Callable[[], dict[str, Any]],
    valid: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """The columns ``build()`` makes, read from the cache when there (and ``valid``, if given),
    else built and stored (replacing a file that was not)."""
    path = cache_path(name, fingerprint)
    if path is not None and path.exists():
        got = read_columns(path)
        if got is not None and (valid is None or valid(got)):
            _mark_used(path)
            return got
    cols = build()
    if path is not None and write_columns(path, cols):
        prune_stale(path.parent, name, keep=path, now_s=time.time())
    return cols


def _mark_used(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache is still a cache
        os.utime(path)


def prune_stale(folder: Path, name: str, keep: Path, now_s: float) -> list[Path]:
    """Remove ``name``'s cache files other than ``keep`` unused for STALE_AFTER_S, and temporary
    files of killed writes older than TMP_STALE_S; returns what was removed."""
    pattern = re.compile(rf"{re.escape(name)}-[0-9a-f]{{16}}(\.npz|.*\.tmp)")
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for f in entries:
        m = pattern.fullmatch(f.name)
        if m is None or f == keep:
            continue
        try:
            age_s = now_s - f.stat().st_mtime
            if age_s > (STALE_AFTER_S if m.group(1) == ".npz" else TMP_STALE_S):
                f.unlink()
                removed.append(f)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def read_columns(path: Path) -> dict[str, Any] | None:
    """Columns from a cache file; None when it is unreadable (damaged, truncated)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            out: dict[str, Any] = {}
            for key in z.files:
                arr = z[key]
                if key.startswith(_TEXT):
                    text = arr.tobytes().decode("utf-8")
                    n = int(z[f"__count__{key[len(_TEXT) :]}"])
                    out[key[len(_TEXT) :]] = text.split(_SEP) if n else []
                elif not key.startswith("__count__"):
                    out[key] = arr
            return out
    except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile):
        return None


def write_columns(path: Path, cols: dict[str, Any]) -> bool:
    """Store columns atomically (a temporary file renamed into place); False if not possible."""
    arrays: dict[str, np.ndarray] = {}
    for key, col in cols.items():
        if isinstance(col, np.ndarray):
            arrays[key] = col
            continue
        texts = [str(v) for v in col]
        if any(_SEP in t for t in texts):
            return False  # cannot be stored this way: stay uncached
        arrays[_TEXT + key] = np.frombuffer(_SEP.join(texts).encode("utf-8"), np.uint8)
        arrays[f"__count__{key}"] = np.array(len(texts))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
