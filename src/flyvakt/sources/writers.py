"""Writers for simulated or re-exported frames: Beast binary, AVR text, jet1090 JSON lines."""

from __future__ import annotations

from typing import IO

import numpy as np

from flyvakt.model.batches import FrameBatch
from flyvakt.sources.beast import encode_beast

__all__ = ["encode_beast", "format_avr", "write_beast", "write_jsonl"]


def write_beast(fp: IO[bytes], batch: FrameBatch, *, epoch_s: float = 0.0) -> int:
    """Append ``batch`` to a binary file as Beast frames; returns bytes written.

    Counters are ``(time_s - epoch_s) * 12e6`` modulo 2**48 (use one ``epoch_s`` for a whole
    file; reading it back with ``base_time_s`` = first frame time restores the times).
    """
    data = encode_beast(batch, epoch_s=epoch_s)
    fp.write(data)
    return len(data)


def _hex_rows(batch: FrameBatch) -> list[str]:
    """Upper-case hex of every row (vectorised: one ``bytes.hex`` per batch, then slicing)."""
    n = len(batch)
    if n == 0:
        return []
    flat = batch.payload.tobytes().hex().upper()
    nb = batch.nbytes.astype(np.int64).tolist()
    return [flat[28 * i : 28 * i + 2 * k] for i, k in enumerate(nb)]


def format_avr(batch: FrameBatch, *, with_counter: bool = False, epoch_s: float = 0.0) -> str:
    """AVR text, one ``*HEX;`` line per frame (``@<12-hex counter>HEX;`` with ``with_counter``)."""
    rows = _hex_rows(batch)
    if not with_counter:
        return "".join(f"*{h};\n" for h in rows)
    t = np.nan_to_num(batch.time_s - epoch_s, nan=0.0)
    ticks = (np.round(t * 12e6).astype(np.int64) % (1 << 48)).tolist()
    return "".join(f"@{c:012X}{h};\n" for c, h in zip(ticks, rows, strict=True))


def write_jsonl(fp: IO[str], batch: FrameBatch) -> int:
    """jet1090-style JSON lines ``{"timestamp": t, "frame": "8d..."}``; returns lines written."""
    rows = _hex_rows(batch)
    times = batch.time_s.tolist()
    fp.write(
        "".join(
            f'{{"timestamp":{t!r},"frame":"{h.lower()}"}}\n'
            for t, h in zip(times, rows, strict=True)
        )
    )
    return len(rows)
