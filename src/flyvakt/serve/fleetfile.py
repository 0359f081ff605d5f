"""Edit one fleet in a fleets file without touching the rest of it.

``PUT /api/fleets/{id}`` used to re-write the whole file from the parsed registry, which lost
the ``[[alerts]]`` rules, every other table the registry does not model, and every comment.
:func:`put_fleet_text` splices the one ``[[fleet]]`` block instead (or appends it), then
re-parses the result and checks that everything but that fleet is unchanged before the file
is replaced (atomically: a crash leaves the old file or the new one, never half of each).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["FLEET_ID", "FleetEditError", "put_fleet_text", "write_fleet"]

# Fleet ids appear in URLs, file names of exports and TOML: letters, digits, '.', '_', '-',
# starting with a letter or digit, at most 64 characters, and never '..'.
FLEET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]\s]+)\s*\]\]?\s*(#.*)?$")


class FleetEditError(ValueError):
    """The id is not acceptable, or the file cannot be edited safely."""


def check_fleet_id(fleet_id: str) -> str:
    if not FLEET_ID.fullmatch(fleet_id) or ".." in fleet_id:
        raise FleetEditError(
            f"fleet id {fleet_id!r}: use letters, digits, '.', '_' or '-' (at most 64, no '..')"
        )
    return fleet_id


def _headers(lines: list[str]) -> list[tuple[int, str, bool]]:
    """(line index, table name, is array-of-tables) of each table header outside strings."""
    out = []
    in_multiline: str | None = None
    for i, line in enumerate(lines):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_multiline = quote
        if in_multiline is not None:
            continue
        m = _HEADER.match(line)
        if m:
            out.append((i, m.group(2), m.group(1) == "[["))
    return out


def _block(lines: list[str], heads: list[tuple[int, str, bool]], begin: int) -> tuple[int, int]:
    """Lines [begin, end) of the [[fleet]] table starting at ``begin`` with its sub-tables."""
    end = len(lines)
    for i, name, _ in heads:
        if i > begin and not name.startswith("fleet."):
            end = i
            break
    while end > begin + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1  # comments and blank lines before the next table belong to it
    return begin, end


def put_fleet_text(text: str, fleet_id: str, fleet_toml: dict[str, Any]) -> str:
    """``text`` with fleet ``fleet_id`` replaced by (or, if absent, appended as) ``fleet_toml``."""
    import tomli_w

    check_fleet_id(fleet_id)
    try:
        old = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FleetEditError(f"fleets file: not valid TOML ({exc}); fix it by hand") from None
    fleet_toml = {k: v for k, v in fleet_toml.items() if v not in ([], {}, None)}
    block = tomli_w.dumps({"fleet": [fleet_toml]}).rstrip("\n") + "\n"
    if not block.startswith("[[fleet]]"):
        raise FleetEditError("fleet: cannot be written as a [[fleet]] table")
    fleets = old.get("fleet", [])
    ids = [f.get("id") for f in fleets if isinstance(f, dict)]
    lines = text.splitlines(keepends=True)
    heads = _headers(lines)
    starts = [h for h in heads if h[1] == "fleet" and h[2]]
    if len(starts) != len(fleets):
        raise FleetEditError("fleets file: [[fleet]] tables written inline; edit it by hand")
    if fleet_id in ids:
        begin, end = _block(lines, heads, starts[ids.index(fleet_id)][0])
        new_text = "".join(lines[:begin]) + block + "".join(lines[end:])
    elif starts:  # after the last fleet, before what follows it (e.g. [[alerts]])
        _, end = _block(lines, heads, starts[-1][0])
        new_text = "".join(lines[:end]) + "\n" + block + "\n" + "".join(lines[end:])
    else:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        new_text = text + sep + block
    _check(old, tomllib.loads(new_text), fleet_id, fleet_toml)
    return new_text


def _check(old: dict[str, Any], new: dict[str, Any], fleet_id: str, fleet: dict[str, Any]) -> None:
    """Everything but fleet ``fleet_id`` is as it was, and that fleet is as asked."""

    def others(doc: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        rest = {k: v for k, v in doc.items() if k != "fleet"}
        return rest, [f for f in doc.get("fleet", []) if f.get("id") != fleet_id]

    got = [f for f in new.get("fleet", []) if f.get("id") == fleet_id]
    if others(old) != others(new) or got != [tomllib.loads(_dump(fleet))["fleet"][0]]:
        raise FleetEditError("fleets file: could not edit it safely; nothing was changed")


def _dump(fleet: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps({"fleet": [fleet]})


def write_fleet(path: str | Path, fleet_id: str, fleet_toml: dict[str, Any]) -> None:
    """Replace or add one fleet in the file at ``path``, atomically."""
    p = Path(path)
    text = p.read_text(encoding="utf-8") if p.exists() else ""
    new_text = put_fleet_text(text, fleet_id, fleet_toml)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new_text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
