"""Format detection: the kind of a file (see reader.KINDS) from its first bytes.

0x1a -> beast; ``*``/``@``/``%``/``<`` -> avr; ``MSG,`` -> sbs; ``PAR1`` -> parquet; ``{`` -> JSON
lines (jet1090 frames when most first objects have ``frame``, OpenSky REST responses when they
have ``time`` and ``states``, else state vectors) or one JSON document; ``[`` -> JSON state
vectors; otherwise CSV (frames when a cell is 14/28 hex digits, state vectors when the header
names icao24/latitude...). A majority of the first lines decides, so one damaged line does not
change the format.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flyvakt.sources._common import SourceFormatError, is_frame_hex

# Lines of a text file looked at by format detection: a majority of them decides.
SNIFF_LINES = 20
SNIFF_BYTES = 1 << 16  # enough for a header and a few lines of any text format


def sniff(head: bytes, name: str, hint: str | None = None) -> str:
    """Decide the kind (see KINDS) of a file from its first bytes and an optional format hint."""
    if hint in ("beast", "avr", "sbs", "parquet", "sv-csv", "sv-jsonl"):
        return hint
    if hint == "opensky":  # one response (maybe pretty-printed) or one per line
        return _sniff_json_lines(head.lstrip(b"\xef\xbb\xbf").lstrip(), hint)
    text_head = head.lstrip(b"\xef\xbb\xbf")
    stripped = text_head.lstrip()
    if not stripped:
        if hint is not None:
            return hint
        raise SourceFormatError(f"{name}: byte 0: empty input, format unknown")
    first = stripped[:1]
    if hint is None:
        if head[:1] == b"\x1a" or re.search(rb"\x1a[\x31-\x34]", head[:64]):
            return "beast"
        if first in (b"*", b"@", b"%", b"<"):
            return "avr"
        if stripped[:4] in (b"MSG,", b"SEL,", b"AIR,", b"STA,", b"CLK,") or stripped[:3] == b"ID,":
            return "sbs"
        if head[:4] == b"PAR1":
            return "parquet"
    if hint in (None, "json", "jsonl") and first in (b"{", b"["):
        if first == b"{":
            return _sniff_json_lines(stripped, hint)
        return "json"
    if hint in ("json", "jsonl"):
        return hint
    # CSV: frames when most of the first rows (a header aside) have a cell of 14/28 hex digits.
    text = text_head.decode("utf-8", "replace")
    rows = [r for r in text.splitlines()[:SNIFF_LINES] if r.strip()]
    with_frame = sum(
        any(is_frame_hex(c.strip().strip('"')) for c in _split_any(row)) for row in rows
    )
    if rows and with_frame * 2 >= len(rows) - 1:
        return "csv"
    if rows:
        header = {c.strip().strip('"').lower() for c in _split_any(rows[0])}
        from flyvakt.sources.statevec import STATE_VECTOR_KEYS

        if header & STATE_VECTOR_KEYS:
            return "sv-csv"
    if hint == "csv":
        return "csv"
    snippet = text.lstrip().split("\n", 1)[0][:40]
    raise SourceFormatError(f"{name}: line 1: unrecognised format: {snippet!r}")


def _split_any(row: str) -> list[str]:
    for d in (",", ";", "\t", "|"):
        if d in row:
            return row.split(d)
    return [row]


def _sniff_json_lines(stripped: bytes, hint: str | None) -> str:
    """Text starting with '{': jet1090 frames, state-vector lines or one JSON document.

    A majority of the first SNIFF_LINES lines decides, so one damaged line does not make a
    JSON-lines file look like a (broken) single document.
    """
    from flyvakt.sources.opensky import is_states_response
    from flyvakt.sources.statevec import is_trace

    lines = [ln for ln in stripped.split(b"\n")[:SNIFF_LINES] if ln.strip()]
    objs: list[dict[str, Any]] = []
    for ln in lines:
        try:
            obj = json.loads(ln)
        except ValueError:
            continue
        if isinstance(obj, dict):
            objs.append(obj)
    if len(objs) == 1 and len(lines) == 1:
        obj = objs[0]
        if is_states_response(obj):
            return "json"
        if "frame" in obj:
            return "jsonl"
        if is_trace(obj) or is_column_dict(obj):
            return "json"
        return "sv-jsonl" if hint == "jsonl" else "json"
    if not objs or len(objs) * 2 < len(lines):
        return "json"  # a multi-line document (or not JSON: the JSON reader will say where)
    if sum("frame" in o for o in objs) * 2 >= len(objs):
        return "jsonl"
    if sum(is_states_response(o) for o in objs) * 2 >= len(objs):
        return "opensky"
    if len(objs) == 1 and (is_trace(objs[0]) or is_column_dict(objs[0])):
        return "json"
    return "sv-jsonl"


def is_column_dict(obj: dict[str, Any]) -> bool:
    return bool(obj) and all(isinstance(v, dict) for v in obj.values())
