"""A binary cache of tables built from package data (the airport table, its query cells):
one file per table and fingerprint, built on first use, read back in milliseconds after.

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

The file (``.cols``; until session 18 an ``.npz``, whose zip CRC-32 cost ~3.8 instructions a
byte and whose members were copied out in 256 KiB pieces): ``MAGIC``, the header's length
(8 bytes, little-endian), the header (JSON: each column's key, kind, dtype, shape, offset and
size, and the fingerprint), zeros to a 64-byte boundary, the data (each column at a 64-byte
offset, the whole zero-padded to a multiple of ``_BLOCK_BYTES``), then a 32-byte digest. It is
read with one ``readinto`` and the columns are views of that buffer. What the digest guards
against, and why it is as strong as the zip's CRC-32 for the damage a cache meets (see
:func:`_digest`):

- a cut file (a full disk, a crash before the data reached the disk): the length is checked
  against the header before anything else;
- a file of another table or data version: the fingerprint is in the name and in the header,
  and everything before the data (magic, header, padding) is inside the digest;
- changed bits anywhere (header, data, padding, digest): the data is read as little-endian
  64-bit words in rows of ``_BLOCK_BYTES``; the digest is a blake2b of the header, every row's
  sum and every column's sum (mod 2**64). A change confined to two words moves a row sum (two
  rows) or a column sum (one row, two columns), so every 1-, 2- and 3-bit error is caught at
  any distance in a file of any size, as is every burst of up to 64 bits. CRC-32 catches every
  burst of up to 32 bits and every 3-bit error only within ~11 KB (its Hamming distance is 4 up
  to 91,607 bits, 3 beyond: MB-sized files have 3-bit errors it misses). An undetected change
  needs four or more words whose changes cancel in a rectangle of rows and columns, or a
  change that the blake2b of the sums misses (2**-256 for a random one).

The two sums cost ~0.6 instructions a byte under callgrind, against CRC-32's ~3.8.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

CACHE_ENV = "FLYVAKT_CACHE_DIR"
_SEP = "\x1f"
MAGIC = b"flyvakt-columns 2\n"
SUFFIX = ".cols"
# Rows of the digest's sums: 512 64-bit words. Any two changed words differ in their row or
# their column, and with 4 KiB rows a 10 MB file has ~2,500 row sums and 512 column sums (~24 KB
# for blake2b, ~0.1 M instructions): the sums, not the hash, are the cost.
_BLOCK_BYTES = 4096
_ALIGN = 64  # each column's offset: NumPy's and the CPU's alignment for any dtype
_DIGEST_BYTES = 32
# A cache file of an older fingerprint (an upgrade, another venv) is removed once it has not been
# read for this long: 30 days keeps a second install that runs monthly from rebuilding each time,
# and bounds what upgrades leave behind (each airport table + cells is ~5-15 MB).
STALE_AFTER_S = 30 * 86_400.0
# Temporary files of a write that was killed: no write takes an hour.
TMP_STALE_S = 3_600.0


class TextColumn(Sequence[str]):
    """A text column read back lazily (``read_columns(..., lazy_text=True)``): item ``i`` is
    decoded alone, its bounds found on the first access by one vectorised scan of the blob for
    the separator (a UTF-8 multi-byte sequence never holds the byte 0x1F, so the bytes split
    exactly where the text does); the whole list is split only when asked (``tolist``,
    iteration, slices). The airport table's texts (~1.4 MB, ~170,000 strings) cost every
    process ~18 ms split at once, for the few airports a run names."""

    __slots__ = ("_blob", "_count", "_ends", "_list")

    def __init__(self, blob: bytes, count: int) -> None:
        self._blob = blob
        self._count = count
        self._ends: list[int] | None = None
        self._list: list[str] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if self._list is not None or isinstance(i, slice):
            return self.tolist()[i]
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError("text column index out of range")
        ends = self._ends
        if ends is None:
            sep = np.flatnonzero(np.frombuffer(self._blob, np.uint8) == ord(_SEP))
            if sep.size != self._count - 1:  # (the writer joined count texts by it)
                raise ValueError("a text column's separators do not match its count")
            ends = self._ends = [-1, *sep.tolist(), len(self._blob)]
        return self._blob[ends[i] + 1 : ends[i + 1]].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def tolist(self) -> list[str]:
        if self._list is None:
            self._list = self._blob.decode("utf-8").split(_SEP) if self._count else []
        return self._list


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
    digest = hashlib.sha256("\n".join(["2", name, *fingerprint]).encode()).hexdigest()[:16]
    return folder / f"{name}-{digest}{SUFFIX}"


def cached_columns(
    name: str,
    fingerprint: list[str],
    build: Callable[[], dict[str, Any]],
    valid: Callable[[dict[str, Any]], bool] | None = None,
    *,
    lazy_text: bool = False,
) -> dict[str, Any]:
    """The columns ``build()`` makes, read from the cache when there (and ``valid``, if given),
    else built and stored (replacing a file that was not). ``lazy_text``: text columns read
    back as :class:`TextColumn` (a built one stays a list)."""
    path = cache_path(name, fingerprint)
    if path is not None and path.exists():
        got = read_columns(path, fingerprint, lazy_text=lazy_text)
        if got is not None and (valid is None or valid(got)):
            _mark_used(path)
            return got
    cols = build()
    if path is not None and write_columns(path, cols, fingerprint):
        prune_stale(path.parent, name, keep=path, now_s=time.time())
    return cols


def _mark_used(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache is still a cache
        os.utime(path)


def prune_stale(folder: Path, name: str, keep: Path, now_s: float) -> list[Path]:
    """Remove ``name``'s cache files other than ``keep`` unused for STALE_AFTER_S, and temporary
    files of killed writes older than TMP_STALE_S; returns what was removed."""
    # ``.npz``: the format before session 18, pruned like any stale file.
    pattern = re.compile(rf"{re.escape(name)}-[0-9a-f]{{16}}(\.npz|\{SUFFIX}|.*\.tmp)")
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
            if age_s > (TMP_STALE_S if m.group(1).endswith(".tmp") else STALE_AFTER_S):
                f.unlink()
                removed.append(f)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def _digest(head: bytes, data: memoryview) -> bytes:
    """blake2b of the bytes before the data (magic, header, padding) and of the data's row and
    column sums (module docstring): the data is a whole number of ``_BLOCK_BYTES`` rows of
    little-endian 64-bit words."""
    words = np.frombuffer(data, "<u8").reshape(-1, _BLOCK_BYTES // 8)
    h = hashlib.blake2b(head, digest_size=_DIGEST_BYTES)
    h.update(words.sum(axis=1, dtype=np.uint64).tobytes())
    h.update(words.sum(axis=0, dtype=np.uint64).tobytes())
    return h.digest()


def read_columns(
    path: Path, fingerprint: list[str] | None = None, *, lazy_text: bool = False
) -> dict[str, Any] | None:
    """Columns from a cache file; None when it is unreadable (damaged, truncated) or was
    written for another fingerprint (when one is given). The arrays are views of one buffer
    read whole; a file with text columns has its arrays copied out, so that the texts' bytes
    are not kept alive by them. Text columns are lists of str, or with ``lazy_text``
    :class:`TextColumn` (its bytes checked by the digest, its separators counted on its
    first item)."""
    try:
        with open(path, "rb") as f:
            buf = bytearray(os.fstat(f.fileno()).st_size)
            if f.readinto(buf) != len(buf):
                return None
        start = len(MAGIC) + 8
        if len(buf) < start or buf[: len(MAGIC)] != MAGIC:
            return None
        n_header = int.from_bytes(buf[len(MAGIC) : start], "little")
        data_at = -(-(start + n_header) // _ALIGN) * _ALIGN
        if data_at > len(buf):
            return None
        header = bytes(buf[start : start + n_header])
        head = json.loads(header)
        n_data = int(head["data_bytes"])
        if n_data % _BLOCK_BYTES or len(buf) != data_at + n_data + _DIGEST_BYTES:
            return None  # cut short, or grown
        view = memoryview(buf)
        digest = _digest(bytes(view[:data_at]), view[data_at : data_at + n_data])
        if digest != bytes(view[data_at + n_data :]):
            return None  # changed bits
        if fingerprint is not None and head["fingerprint"] != fingerprint:
            return None
        columns = head["columns"]
        copy = any(kind == "text" for _, kind, *_ in columns)
        out: dict[str, Any] = {}
        for key, kind, dtype, shape, offset, nbytes, count in columns:
            if offset < 0 or offset + nbytes > n_data:
                return None
            if kind == "text":
                blob = bytes(view[data_at + offset : data_at + offset + nbytes])
                if lazy_text:
                    out[key] = TextColumn(blob, count)
                    continue
                out[key] = blob.decode("utf-8").split(_SEP) if count else []
                continue
            dt = np.dtype(dtype)
            n = int(np.prod(shape, dtype=np.int64))
            if n * dt.itemsize != nbytes:
                return None
            arr = np.frombuffer(buf, dt, n, data_at + offset).reshape(tuple(shape))
            out[key] = arr.copy() if copy else arr
        return out
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _layout(cols: dict[str, Any]) -> tuple[list[list[Any]], list[tuple[int, bytes]], int] | None:
    """Each column's header entry and bytes at its offset, and the data's padded size; None
    when a column cannot be stored (a text with U+001F, an object or structured array)."""
    entries: list[list[Any]] = []
    blobs: list[tuple[int, bytes]] = []
    offset = 0
    for key, col in cols.items():
        if isinstance(col, np.ndarray):
            if col.dtype.hasobject or col.dtype.names is not None:
                return None
            arr = np.ascontiguousarray(col).reshape(col.shape)  # (0-d stays 0-d)
            blob = arr.tobytes()
            entry = [key, "array", arr.dtype.str, list(arr.shape), offset, len(blob), 0]
        else:
            texts = [str(v) for v in col]
            if any(_SEP in t for t in texts):
                return None  # cannot be stored this way: stay uncached
            blob = _SEP.join(texts).encode("utf-8")
            entry = [key, "text", "|u1", [len(blob)], offset, len(blob), len(texts)]
        entries.append(entry)
        blobs.append((offset, blob))
        offset = -(-(offset + len(blob)) // _ALIGN) * _ALIGN
    n_data = max(_BLOCK_BYTES, -(-offset // _BLOCK_BYTES) * _BLOCK_BYTES)
    return entries, blobs, n_data


def encode_columns(cols: dict[str, Any], fingerprint: list[str]) -> bytes | None:
    """The bytes of a cache file holding ``cols`` (module docstring), or None when a column
    cannot be stored."""
    laid = _layout(cols)
    if laid is None:
        return None
    entries, blobs, n_data = laid
    header = json.dumps(
        {"fingerprint": fingerprint, "columns": entries, "data_bytes": n_data},
        separators=(",", ":"),
    ).encode()
    start = len(MAGIC) + 8
    data_at = -(-(start + len(header)) // _ALIGN) * _ALIGN
    out = bytearray(data_at + n_data + _DIGEST_BYTES)
    out[: len(MAGIC)] = MAGIC
    out[len(MAGIC) : start] = len(header).to_bytes(8, "little")
    out[start : start + len(header)] = header
    for offset, blob in blobs:
        out[data_at + offset : data_at + offset + len(blob)] = blob
    view = memoryview(out)
    out[data_at + n_data :] = _digest(bytes(view[:data_at]), view[data_at : data_at + n_data])
    return bytes(out)


def write_columns(path: Path, cols: dict[str, Any], fingerprint: list[str] | None = None) -> bool:
    """Store columns atomically (a temporary file renamed into place); False if not possible."""
    data = encode_columns(cols, [] if fingerprint is None else fingerprint)
    if data is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
