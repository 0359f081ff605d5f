"""evidence.flagged_blind_not_air, which lets calm.calm_ground leave the vote uncast for a fix
flagged on the ground without an altitude of either kind (session 16), is held to
:func:`~flyvakt.detect.evidence.vote` itself: on random rings and fixes (NaN speeds and rates,
speeds and rates at the thresholds, fixes with and without altitudes before, near the field and
2.5 NM or more from it, the phase on the ground, unknown or in the air), and on the real taxi
fixes of recordings, wherever it says "not for the air" the vote is surface or none; and where
no altitude is carried it says so exactly when the vote does."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

from flyvakt.detect import calm as Calm
from flyvakt.detect import rules as R
from flyvakt.detect.calm import remember
from flyvakt.detect.evidence import carried_alt, flagged_blind_not_air, vote
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.geo import get_world
from flyvakt.model import AirportRef
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"


def _field() -> AirportRef:
    world = get_world()
    i = world.airports.index_of("KWVI")
    assert i is not None
    return world.airport_ref(i)


# Speeds and rates around the vote's thresholds, and missing ones.
GS = [math.nan, 0.0, 3.0, 12.0, R.TAXI_MAX_KT, 55.0, 140.0, R.ROLL_MAX_KT, R.ROLL_MAX_KT + 0.5]
VR = [math.nan, 0.0, -2000.0, -R.AIR_VR_FPM, 300.0, R.AIR_VR_FPM - 1, R.AIR_VR_FPM, 3000.0]


def test_blind_flagged_vote_side_on_random_rings() -> None:
    field = _field()
    rng = random.Random(16)
    said, exact, carried_seen = 0, 0, 0
    for _case in range(400):
        st = AircraftState(0xA81C98, ground=rng.choice([True, True, None, False]))
        t = 1000.0
        # Up to 40 fixes before: moving or still, some with a pressure or GNSS altitude (at
        # the field's level or high above it), with and without speeds.
        for _ in range(rng.randrange(0, 40)):
            t += rng.choice([0.5, 1.0, 2.0, 5.0, 12.0, 40.0])
            kind = rng.choice("nnnnbbgH")
            alt = {"b": field.elevation_ft + 10.0, "H": field.elevation_ft + 3000.0}.get(kind)
            remember(st, Fix(
                t, field.lat_deg + rng.uniform(-0.05, 0.05), field.lon_deg, math.nan if alt is None
                else alt, rng.choice(GS), rng.choice(VR), rng.random() < 0.8, None, 1200,
                field.elevation_ft + 20.0 if kind == "g" else math.nan,
            ))  # fmt: skip
        off = rng.choice([0.0, 0.001, 0.01, 0.03, 0.05, 0.2])  # 0 to 12 NM north of the field
        dt = rng.choice([0.0, 1.0, 3.0, 20.0, 31.0])
        fx = Fix(t + dt, field.lat_deg + off, field.lon_deg, math.nan, rng.choice(GS),
                 rng.choice(VR), True, None, 1200)  # fmt: skip
        before = carried_alt(fx, st)
        ok = flagged_blind_not_air(fx, st)
        for ref in (math.nan, field.elevation_ft - 15.0):
            v = vote(fx, st, field, ref)
            if ok:
                assert v.value >= 0, (fx, v)
            if before is None:
                assert ok == (v.value >= 0), (fx, v)  # exact where nothing is carried
        said += ok
        exact += before is None
        carried_seen += before is not None
    assert said > 100 and exact > 100 and carried_seen > 20  # every branch was taken


def test_blind_flagged_vote_side_on_real_taxi_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    # calm_ground asks only at the aircraft's own field (st.field_icao), before the vote, with
    # the fix's altitudes already checked: the vote cast there, with or without a reference.
    world = get_world()
    plain = Calm.flagged_blind_not_air
    asked: list[bool] = []

    def checked(fx: Fix, st: AircraftState) -> bool:
        ok = plain(fx, st)
        i = world.airports.index_of(st.field_icao or "")
        assert i is not None
        field = world.airport_ref(i)
        for ref in (math.nan, st.ref_baro_ft):
            v = vote(fx, st, field, ref)  # no side effect: flagged, alt_t filled above
            if ok:
                assert v.value >= 0, (fx, v)
        asked.append(ok)
        return ok

    monkeypatch.setattr(Calm, "flagged_blind_not_air", checked)
    # Resampled state vectors taxiing at LSZH (fixes without altitude, none carried: 58 taken)
    # and ADS-B with a ground flag (an altitude carried from the fix before: not taken).
    files: list[Any] = ["traffic/noisy_ground.json.gz", "traffic/noisy_takeoff.json.gz",
                        "traffic/full_flight_short.jsonl.gz"]  # fmt: skip
    for name in files:
        replay_files([str(DATA / name)], batch_size=512)
    assert sum(asked) > 40 and len(asked) - sum(asked) > 100, (sum(asked), len(asked))
