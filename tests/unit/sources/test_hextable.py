"""Hex text -> frame bytes for whole columns (sources/hextable.py) against Python's own
``bytes.fromhex``, row by row: every byte value in every position of a row, both cases of the
letters, and rows of other lengths. Real frames (the bundled AFR34ZG recording) and labelled
synthetic rows (every character 0..255 put into one position of a real frame)."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np

from flyvakt.sources.hextable import MODE_S_HEX, WITH_MODE_AC, all_hex, hex_pairs, hex_rows

from .test_columnar_text import afr_frames

HEX = frozenset(string.hexdigits)


def _expected(rows: list[bytes], allowed: tuple[int, ...]) -> tuple[list[bytes | None], list[int]]:
    """Each row's bytes (None when not a frame) and its byte count, by Python per row."""
    out: list[bytes | None] = []
    nbytes = []
    for r in rows:
        text = r.decode("latin-1")
        fits = len(r) in allowed
        nbytes.append(len(r) // 2 if fits else 0)
        out.append(bytes.fromhex(text) if fits and set(text) <= HEX else None)
    return out, nbytes


def _check(rows: list[bytes], allowed: tuple[int, ...]) -> None:
    data = np.frombuffer(b"".join(rows), dtype=np.uint8)
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    payload, nbytes, ok = hex_rows(data, starts, lengths, allowed)
    want, want_n = _expected(rows, allowed)
    assert ok.tolist() == [w is not None for w in want]
    assert nbytes.tolist() == want_n
    for i, w in enumerate(want):
        if w is not None:
            assert payload[i, : len(w)].tobytes() == w
            assert not payload[i, len(w) :].any()


def test_real_frames_both_cases(data: Path) -> None:
    frames = afr_frames(data)
    hexes = [frames.hex(i).encode() for i in range(0, len(frames), 7)]
    mixed = [h.upper() if k % 3 == 0 else h for k, h in enumerate(hexes)]
    _check(mixed, MODE_S_HEX)
    assert any(c in b"ABCDEF" for h in mixed for c in h)  # the upper-case rows are there


def test_every_character_in_every_position_synthetic(data: Path) -> None:
    """SYNTHETIC: a real DF17 frame with each byte value 0..255 put at each of its 28
    positions (and of its first 14 digits, as a 56-bit frame): only hex digits give a frame,
    the rest are not ``ok``."""
    frames = afr_frames(data)
    long = next(frames.hex(i) for i in range(len(frames)) if len(frames.hex(i)) == 28).encode()
    short = long[:14]  # the recording holds 112-bit frames only
    rows = []
    for base in (long, short):
        for pos in range(len(base)):
            for c in range(256):
                rows.append(base[:pos] + bytes([c]) + base[pos + 1 :])
    _check(rows, MODE_S_HEX)


def test_other_lengths_and_mode_ac() -> None:
    rows = [b"7700", b"", b"abc", b"8d4ca2d158c901a0c0b8a05f3e8a", b"0123456789abcd", b"12345"]
    _check(rows, MODE_S_HEX)
    _check(rows, WITH_MODE_AC)


def test_all_hex_says_which_rows_are_hex_and_none_when_all_are() -> None:
    text = b"4CA2D64ca2d64CA2G6~1234a"
    data = np.frombuffer(text, dtype=np.uint8)
    starts = np.arange(0, len(text), 6, dtype=np.int64)
    value = hex_pairs(data, starts, 6)
    assert all_hex(value[:2]) is None  # both cases of hex digits
    assert value[0].tolist() == value[1].tolist() == [0x4C, 0xA2, 0xD6]
    good = all_hex(value)
    assert good is not None and good.tolist() == [True, True, False, False]
    assert all_hex(value[:0]) is None
