"""AircraftState keeps its rarely used fields in a part made on first use (``rare``): each such
field still reads and writes as an attribute of the state, reads back exactly what was written,
and the checkpoint holds every field in one flat map, in the order of the class that held them
all (so checkpoints written before the split load, and the same state gives the same bytes)."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import msgpack
import pytest

from flyvakt.checkpoint import _dec, _enc
from flyvakt.detect.state import AircraftState, Fix, Rare
from flyvakt.model import AirportRef, Event

FX = Fix(100.0, 48.0, 2.0, 1500.0, 140.0, -700.0, False, "AFR34ZG", 1000, 1450.0)
AP = AirportRef(
    "LFPG", "CDG", "Paris Charles de Gaulle", "FR", "Europe/Paris", 49.0097, 2.5479, 392.0
)
EV = Event("landing", "39e68b", 90.0, airport=AP)

# A value other than the default for each field kept in the rare part.
OTHER: dict[str, Any] = {
    "flip_prev": FX, "flip_count": 3, "flip_max_gs": 61.5, "flip_votes": 4, "flip_against": 1,
    "flip_strong": True, "flip_fixes": (FX,), "flip_why": "ground flag", "low_airport": AP,
    "low_why": "not low", "emergency_since": 120.0, "pending_country": "BE", "pending_ref": FX,
    "pending_fix": FX, "pending_cross": FX, "landing_before_lost": EV, "lift_flagged": True,
    "lift_short": True,
}  # fmt: skip
RARE = [f.name for f in fields(Rare)]


def test_every_field_is_named_once_in_the_checkpoint_order() -> None:
    own = [f.name for f in fields(AircraftState) if f.name != "rare"]
    assert sorted(AircraftState.FIELDS) == sorted(own + RARE)
    assert len(set(AircraftState.FIELDS)) == len(AircraftState.FIELDS)
    assert sorted(OTHER) == sorted(RARE)


@pytest.mark.parametrize("name", RARE)
def test_a_rare_field_reads_its_default_until_written(name: str) -> None:
    st = AircraftState(1)
    default = getattr(Rare(), name)
    got = getattr(st, name)
    assert got == default or (math.isnan(got) and math.isnan(default))
    setattr(st, name, default)  # the default written: nothing made
    assert st.rare is None
    setattr(st, name, OTHER[name])
    assert st.rare is not None
    assert getattr(st, name) is OTHER[name]
    setattr(st, name, default)
    assert getattr(st, name) == default or math.isnan(default)
    assert st == AircraftState(1)  # compared by value, whether the part exists or not


def test_a_value_equal_to_the_default_but_of_another_type_or_nan_is_kept() -> None:
    st = AircraftState(1)
    st.flip_max_gs = math.nan  # the default is 0.0: a NaN is a value
    assert math.isnan(st.flip_max_gs)
    st = AircraftState(1)
    st.flip_max_gs = 0  # type: ignore[assignment]  # an int read back as an int
    assert type(st.flip_max_gs) is int
    st = AircraftState(1)
    st.emergency_since = math.nan  # the default: nothing made
    assert st.rare is None


def _flat(st: AircraftState) -> dict[str, Any]:
    doc: dict[str, Any] = _enc(st)
    return doc


def test_the_checkpoint_map_is_flat_and_in_the_old_order() -> None:
    st = AircraftState(0x39E68B, FX, FX, False, recent=[FX])
    for name, v in OTHER.items():
        setattr(st, name, v)
    doc = _flat(st)
    assert list(doc) == ["@", *AircraftState.FIELDS]
    back = _dec(msgpack.unpackb(msgpack.packb(doc, use_bin_type=True), raw=False))
    assert msgpack.packb(_flat(back)) == msgpack.packb(doc)  # NaN != NaN: as bytes
    assert all(getattr(back, n) == v for n, v in OTHER.items())
    plain = AircraftState(0x39E68B, FX, FX, False, recent=[FX])
    assert list(_flat(plain)) == list(doc)  # no part made: the same keys
    assert _dec(_flat(plain)).rare is None


def test_a_map_without_some_fields_loads_with_their_defaults() -> None:
    doc = _flat(AircraftState(7, FX, FX, True))
    for name in ("alt_t", "lift_short", "emergency_since"):
        del doc[name]
    st = _dec(doc)
    assert math.isnan(st.alt_t) and st.lift_short is False and math.isnan(st.emergency_since)
    assert st.rare is None
