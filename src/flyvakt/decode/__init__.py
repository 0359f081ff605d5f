"""Vectorised, stateless Mode S / ADS-B decoding: ``decode_batch(FrameBatch)``.

Public constants (used by the simulator's encoders): the CRC-24 function and table, the
callsign alphabet, the AC13/AC12 altitude and ID13 squawk tables, the surface movement table
and the emitter category mapping.
"""

from flyvakt.decode.core import DF11_MAX_SYNDROME, DecodeStats, decode_batch, decode_indexed
from flyvakt.decode.crc import CRC24_TABLE, GENERATOR, crc24, parity_field, syndrome
from flyvakt.decode.tables import (
    AC12_ALTITUDE_FT,
    AC13_ALTITUDE_FT,
    CALLSIGN_ALPHABET,
    CATEGORY_SETS,
    ID13_SQUAWK,
    MOVEMENT_KT,
    ac12_to_ac13,
    category_code,
    category_label,
    gillham_altitude_ft,
)

__all__ = [
    "AC12_ALTITUDE_FT",
    "AC13_ALTITUDE_FT",
    "CALLSIGN_ALPHABET",
    "CATEGORY_SETS",
    "CRC24_TABLE",
    "DF11_MAX_SYNDROME",
    "GENERATOR",
    "ID13_SQUAWK",
    "MOVEMENT_KT",
    "DecodeStats",
    "ac12_to_ac13",
    "category_code",
    "category_label",
    "crc24",
    "decode_batch",
    "decode_indexed",
    "gillham_altitude_ft",
    "parity_field",
    "syndrome",
]
