"""Synthetic load corpus: many aircraft over Europe, the real downlink-format mix, vectorised.

SYNTHETIC: frames are built by the encoder, not recorded. The mix follows what a busy
receiver sees (about 1/3 DF11 all-call, 1/3 DF17 extended squitter, the rest DF0/4/5/20/21
surveillance replies); each aircraft flies a straight line at constant speed and vertical rate
over the short time span the corpus covers (n_frames at ~6 frames/s per aircraft).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import FrameBatch
from flyvakt.sim import encode as E

# Downlink-format shares (DF11, DF17, DF0, DF4, DF5, DF20, DF21): one third each for DF11 and
# DF17 as observed on busy European receivers; the surveillance replies share the rest.
DF_MIX = {11: 1 / 3, 17: 1 / 3, 0: 0.06, 4: 0.09, 5: 0.07, 20: 0.07, 21: 0.0467}
# Within DF17: positions and velocities at 2/s each, identification 0.2/s, status 0.4/s.
ME_MIX = {"pos": 0.43, "vel": 0.43, "ident": 0.05, "status": 0.09}
# Frames per second one aircraft contributes to a receiver (sets the corpus time span).
FRAMES_PER_AIRCRAFT_S = 6.0
SURFACE_SHARE = 0.05  # aircraft on the ground at airports
EUROPE = (36.0, 70.0, -10.0, 30.0)  # lat_min, lat_max, lon_min, lon_max
LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


def _callsigns(rng: np.random.Generator, n: int) -> list[str]:
    pre = LETTERS[rng.integers(0, 26, (n, 3))]
    num = rng.integers(1, 9999, n)
    return [bytes(p).decode() + str(int(k)) for p, k in zip(pre, num, strict=True)]


def generate_corpus(
    n_aircraft: int = 5000, n_frames: int = 1_000_000, seed: int = 0, start_s: float = 1.7e9
) -> FrameBatch:
    """``n_frames`` frames from ``n_aircraft`` aircraft, time-ordered, deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    icao = rng.choice(np.arange(0x380000, 0x500000, dtype=np.uint32), n_aircraft, replace=False)
    lat0 = rng.uniform(EUROPE[0], EUROPE[1], n_aircraft)
    lon0 = rng.uniform(EUROPE[2], EUROPE[3], n_aircraft)
    ground = rng.random(n_aircraft) < SURFACE_SHARE
    hdg = rng.uniform(0, 360, n_aircraft)
    gs = np.where(ground, rng.uniform(0, 25, n_aircraft), rng.uniform(220, 490, n_aircraft))
    alt0 = np.where(ground, 0.0, rng.uniform(3000, 41000, n_aircraft))
    vr = np.where(ground, 0.0, rng.choice([0.0, 0.0, 1800.0, -1800.0], n_aircraft))
    squawk = rng.integers(0, 8, (n_aircraft, 4)) @ np.array([1000, 100, 10, 1])
    chars = E.callsign_chars(_callsigns(rng, n_aircraft))

    span_s = n_frames / (n_aircraft * FRAMES_PER_AIRCRAFT_S)
    t = np.sort(rng.uniform(0.0, span_s, n_frames))
    a = rng.integers(0, n_aircraft, n_frames)
    dt_h = t / 3600.0
    rad = np.radians(hdg[a])
    lat = lat0[a] + gs[a] * dt_h * np.cos(rad) / 60.0
    lon = lon0[a] + gs[a] * dt_h * np.sin(rad) / (60.0 * np.cos(np.radians(lat0[a])))
    alt = np.clip(alt0[a] + vr[a] * t / 60.0, -1000, 45000)
    on_ground = ground[a]
    odd = rng.integers(0, 2, n_frames)

    dfs = np.array(list(DF_MIX))
    p = np.array(list(DF_MIX.values()))
    df = dfs[rng.choice(len(dfs), n_frames, p=p / p.sum())]
    me_kind = rng.choice(len(ME_MIX), n_frames, p=np.array(list(ME_MIX.values())))

    payload = np.zeros((n_frames, 14), dtype=np.uint8)
    nbytes = np.zeros(n_frames, dtype=np.uint8)

    def put(sel: npt.NDArray[np.bool_], frames: tuple[npt.NDArray[np.uint8], ...]) -> None:
        payload[sel], nbytes[sel] = frames[0], frames[1]

    ca = np.where(on_ground, 4, 5)
    for c in (4, 5):
        m = (df == 11) & (ca == c)
        put(m, E.df11(icao[a[m]], ca=c))
    ext = df == 17
    m = ext & (me_kind == 0) & ~on_ground
    put(m, E.df17(icao[a[m]], E.me_airborne_position(lat[m], lon[m], alt[m], odd[m])))
    m = ext & (me_kind == 0) & on_ground
    put(
        m, E.df17(icao[a[m]], E.me_surface_position(lat[m], lon[m], gs[a[m]], hdg[a[m]], odd[m]), 4)
    )
    m = ext & (me_kind == 1) & ~on_ground
    put(m, E.df17(icao[a[m]], E.me_velocity(gs[a[m]], hdg[a[m]], vr[a[m]])))
    m = ext & (me_kind == 1) & on_ground  # no airborne velocity on the ground: send status
    put(m, E.df17(icao[a[m]], E.me_operational_status(int(m.sum())), 4))
    m = ext & (me_kind == 2)
    k = int(m.sum())
    put(m, E.df17(icao[a[m]], E.me_identification(np.full(k, 4), np.full(k, 3), chars[a[m]])))
    m = ext & (me_kind == 3)
    put(m, E.df17(icao[a[m]], E.me_operational_status(int(m.sum()))))
    m = df == 0
    put(m, E.df0(icao[a[m]], on_ground[m], alt[m]))
    for d in (4, 20):
        m = df == d
        mb = E.bds10_mb(int(m.sum())) if d == 20 else None
        put(m, E.df_surveillance(d, icao[a[m]], on_ground[m], alt_ft=alt[m], mb=mb))
    for d in (5, 21):
        m = df == d
        put(m, E.df_surveillance(d, icao[a[m]], on_ground[m], squawk=squawk[a[m]]))
    signal = rng.uniform(-35.0, -3.0, n_frames).astype(np.float32)
    receiver = rng.integers(1, 5, n_frames).astype(np.uint16)
    return FrameBatch(start_s + t, payload, nbytes, signal, receiver)
