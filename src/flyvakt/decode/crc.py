"""Mode S CRC-24 (ICAO Annex 10 Vol. IV, 3.1.2.3.3), vectorised over frame batches.

Every Mode S downlink frame ends in a 24-bit parity field. The parity is the remainder of the
polynomial division of the preceding bits (32 for a 56-bit frame, 88 for a 112-bit frame) by

    G(x) = x^24 + x^23 + x^22 + ... (generator 0x1FFF409, written 0xFFF409 without the x^24 term)

computed MSB first, zero initial register, no final XOR. The parity field then carries:

+------------------------+--------------------------------------------------------------+
| DF                     | 24-bit parity field                                          |
+========================+==============================================================+
| 11 (all-call reply)    | PI = CRC xor (IC/CL interrogator code in the low 7 bits)     |
| 17, 18 (ext. squitter) | PI = CRC (remainder 0 when intact)                           |
| 0, 4, 5, 16, 20, 21    | AP = CRC xor 24-bit aircraft address (address recovered)     |
+------------------------+--------------------------------------------------------------+

``crc24`` is table driven: one 256-entry table lookup per byte column, done for every frame at
once, so a batch of 1 M long frames costs 11 array lookups (and 4 for short frames);
with the 16-bit table (:data:`CRC24_TABLE16`) two bytes go per lookup: 6 and 2.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

GENERATOR = 0xFFF409
"""CRC-24 generator without its x^24 term (Annex 10: 1111 1111 1111 0100 0000 1001)."""


def _make_table() -> npt.NDArray[np.uint32]:
    table = np.zeros(256, dtype=np.uint32)
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1000000 | GENERATOR
        table[byte] = crc & 0xFFFFFF
    return table


CRC24_TABLE: npt.NDArray[np.uint32] = _make_table()
"""CRC-24 of each single byte value placed in the top 8 bits of the register."""


def _make_table16() -> npt.NDArray[np.uint32]:
    # Two bytes per step: T16[hi << 8 | lo] = register after feeding hi then lo from zero.
    # 65,536 x 4 bytes = 256 KiB (fits L2) and halves the passes over the batch.
    hi = np.arange(1 << 16, dtype=np.uint32) >> np.uint32(8)
    lo = np.arange(1 << 16, dtype=np.uint32) & np.uint32(0xFF)
    after_hi = CRC24_TABLE[hi]
    index = (after_hi >> np.uint32(16)) ^ lo
    table: npt.NDArray[np.uint32] = (
        (after_hi << np.uint32(8)) & np.uint32(0xFFFFFF)
    ) ^ CRC24_TABLE[index]
    return table


CRC24_TABLE16: npt.NDArray[np.uint32] = _make_table16()
"""CRC-24 register after feeding a 16-bit value (big-endian) into a zero register."""


def crc24(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint32]:
    """CRC-24 of each row of ``data`` (shape (n, k), every column used), as uint32 < 2**24.

    This is the parity an encoder appends: for a DF17 frame ``crc24(frame[:, :11])`` is the PI
    field, and for DF4/20 the AP field is ``crc24(frame[:, :k-3]) ^ address``. Over a whole
    frame with its correct DF17 parity appended, the result is 0.

    >>> import numpy as np
    >>> frame = np.frombuffer(bytes.fromhex("8D406B902015A678D4D220AA4BDA"), np.uint8)[None, :]
    >>> hex(int(crc24(frame[:, :11])[0])), int(crc24(frame)[0])
    ('0xaa4bda', 0)
    """
    arr = np.asarray(data, dtype=np.uint8)
    if arr.ndim != 2:
        raise ValueError(f"crc24 expects a 2-D (n, k) uint8 array, got shape {arr.shape}")
    n, k = arr.shape
    crc = np.zeros(n, dtype=np.uint32)
    cols = np.ascontiguousarray(arr.T).astype(np.uint32)  # one contiguous row per byte
    mask = np.uint32(0xFFFFFF)
    j = 0
    while j + 1 < k:  # two bytes per step: the register's low byte moves to the top
        word = (cols[j] << np.uint32(8)) | cols[j + 1]
        crc = ((crc << np.uint32(16)) & mask) ^ CRC24_TABLE16[(crc >> np.uint32(8)) ^ word]
        j += 2
    if j < k:
        crc = ((crc << np.uint32(8)) & mask) ^ CRC24_TABLE[(crc >> np.uint32(16)) ^ cols[j]]
    return crc


def parity_field(payload: npt.NDArray[np.uint8], nbytes: int) -> npt.NDArray[np.uint32]:
    """The last three bytes of each ``nbytes``-long frame (the AP/PI field) as uint32."""
    p = payload[:, nbytes - 3 : nbytes].astype(np.uint32)
    return (p[:, 0] << np.uint32(16)) | (p[:, 1] << np.uint32(8)) | p[:, 2]


def _byte_shares(nbytes: int) -> list[npt.NDArray[np.uint32]]:
    """Per byte position of an ``nbytes``-long frame, each byte value's share of the syndrome:
    a data byte's CRC-24 followed by the zero bytes after it; a parity byte, itself in place."""
    data = nbytes - 3
    values = np.arange(256, dtype=np.uint32)
    mask = np.uint32(0xFFFFFF)
    shares = []
    for i in range(nbytes):
        if i < data:
            crc = CRC24_TABLE[values]
            for _ in range(data - 1 - i):  # the zero bytes after it
                crc = ((crc << np.uint32(8)) & mask) ^ CRC24_TABLE[crc >> np.uint32(16)]
        else:
            crc = values << np.uint32(8 * (nbytes - 1 - i))
        shares.append(crc)
    return shares


@functools.cache
def _word_shares(nbytes: int) -> tuple[npt.NDArray[np.uint32], ...]:
    """Per 16-bit word ``k`` of an ``nbytes``-long frame (bytes 2k and 2k + 1, little-endian as
    NumPy reads ``<u2``; a byte past the frame's end is ignored), each word's share of the
    syndrome. 256 KiB per table (fits L2): 7 tables for long frames, 4 for short ones, built on
    first use (~3 ms)."""
    byte = _byte_shares(nbytes)
    words = np.arange(1 << 16, dtype=np.uint32)
    tables = []
    for k in range((nbytes + 1) // 2):
        share = byte[2 * k][words & np.uint32(0xFF)]
        if 2 * k + 1 < nbytes:
            share = share ^ byte[2 * k + 1][words >> np.uint32(8)]
        tables.append(share)
    return tuple(tables)


def syndrome_of_rows(
    payload: npt.NDArray[np.uint8], rows: npt.NDArray[np.intp], nbytes: int
) -> npt.NDArray[np.uint32]:
    """:func:`syndrome` of the frames at ``rows`` of ``payload`` (all ``nbytes`` long).

    The syndrome is linear over GF(2) in the frame's bits (zero initial register, no final
    XOR; the parity bytes enter as themselves), so it is the XOR of each 16-bit word's share:
    7 table lookups per long frame and 4 per short one, where the register walk took 6 steps
    of 6 array operations each, after a boolean gather of whole rows. Measured on 1 M frames of
    bench_e2e's corpus, both lengths: 40 -> 17 ms (median of 9 alternating, load ~5); the same
    values (tests/unit/decode/test_syndrome.py)."""
    tables = _word_shares(nbytes)
    p = np.ascontiguousarray(payload, dtype=np.uint8)
    if p.shape[1] < 2 * len(tables):  # a byte past the end to make the last word whole
        p = np.pad(p, ((0, 0), (0, 2 * len(tables) - p.shape[1])))
    words = p[:, : 2 * len(tables)].view("<u2").take(rows, axis=0)
    out = tables[0].take(words[:, 0])
    for k in range(1, len(tables)):
        out ^= tables[k].take(words[:, k])
    return out


def syndrome(payload: npt.NDArray[np.uint8], nbytes: int) -> npt.NDArray[np.uint32]:
    """CRC of the data bits XOR the transmitted parity, for frames all ``nbytes`` long.

    0 for an intact DF17/18, the interrogator code for DF11, the aircraft address for
    DF0/4/5/16/20/21 (address/parity overlay).
    """
    return syndrome_of_rows(payload, np.arange(len(payload)), nbytes)
