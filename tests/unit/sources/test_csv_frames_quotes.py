"""CSV of frames with quotes: a quoted field holding the delimiter, and quotes around every
field, read right and the same by the columnar (Arrow) path and line by line.

Before, the per-line path split on every comma: with ``"a, b"`` in some rows before the
frame column, the first rows (read line by line) lost their frames while the rest (read by
Arrow, which honours quotes) kept them.
"""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.sources.hexframes import CsvFrameParser
from flyvakt.sources.lines import LineParser

from .test_columnar_text import assert_same, parse

FRAMES = ("8d4840d6202cc371c32ce0576098", "02e18ca8f1d2ed")
ROWS = 300  # past the 20 rows read line by line at the start, so the columnar path reads too


class LineByLineCsv(CsvFrameParser):
    _fast = LineParser._fast


def _note(i: int) -> str:
    return '"a, b"' if i % 2 else '"ab"'


LAYOUTS = {
    "comma_before_frame": ("ts,note,hex", lambda t, h, i: f"{t},{_note(i)},{h}"),
    "comma_after_frame": ("ts,hex,note", lambda t, h, i: f"{t},{h},{_note(i)}"),
    "all_quoted": ('"ts","hex"', lambda t, h, i: f'"{t}","{h}"'),
    "all_quoted_comma": ('"ts","note","hex"', lambda t, h, i: f'"{t}",{_note(i)},"{h}"'),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_quoted_fields_read_right_both_ways(layout: str) -> None:
    header, row = LAYOUTS[layout]
    times = [1720248189.5 + 0.25 * i for i in range(ROWS)]
    hexes = [FRAMES[i % 2] for i in range(ROWS)]
    text = (
        header
        + "\n"
        + "".join(
            row(repr(t), h, i) + "\n" for i, (t, h) in enumerate(zip(times, hexes, strict=True))
        )
    )
    raw = text.encode()
    shipped = parse(CsvFrameParser, raw, 1 << 20, strict=True)
    batch, stats = shipped
    assert len(batch) == ROWS
    assert not stats.get("skipped")
    assert batch.time_s.tolist() == times
    assert [bytes(batch.payload[i, : batch.nbytes[i]]).hex() for i in range(ROWS)] == hexes
    assert_same(shipped, parse(LineByLineCsv, raw, 1 << 20, strict=True))
    assert_same(shipped, parse(CsvFrameParser, raw, 4096, strict=True))  # block edges
    assert np.all(batch.nbytes > 0)
