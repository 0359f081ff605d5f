"""From flown states to received frames: transponder schedules, coverage, faults.

Transmission schedules follow DO-260B / Annex 10 nominal rates (all scaled by
``Scenario.rate_scale``): airborne position 2/s alternating even/odd, airborne velocity 2/s,
identification every 5 s, operational status every 2.5 s, surface position 2/s when moving and
every 5 s when still, DF11 acquisition squitter ~1/s, and DF4/5/20/21 replies at
``interrogation_hz`` as if interrogated by a ground radar. Each transmission is jittered like a
real transponder's randomised squitter timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import FrameBatch, PositionBatch, Source
from flyvakt.sim import encode as E
from flyvakt.sim.flight import State, distance_nm, sample
from flyvakt.sim.scenario import Aircraft, Scenario

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]
# Squitter timing is randomised over +-0.1 s around the nominal period (DO-260B 2.2.3.3.1.3
# gives 0.4-0.6 s for positions); the same spread is used for every kind, for simplicity.
SQUITTER_JITTER_S = 0.1
# A surface aircraft below this speed is "still" and squitters its position at the low rate.
STILL_KT = 0.5
EMERGENCY_SQUAWKS = (7500, 7600, 7700)
# TC 28 emergency state per squawk (DO-260B 2.2.3.2.7.8.1.2): 1 general, 4 no communications,
# 5 unlawful interference.
EMERGENCY_STATE = {7700: 1, 7600: 4, 7500: 5}
# Signal level model: about -3 dBFS at 1 NM falling 20 dB per decade (free space), floored where
# a real receiver stops decoding.
SIGNAL_1NM_DBFS = -3.0
SIGNAL_FLOOR_DBFS = -45.0
REGION_SIGNAL_DBFS = -30.0  # region coverage has no distance: a typical weak-signal level

KIND_NAMES = (
    "airborne_pos",
    "surface_pos",
    "velocity",
    "ident",
    "opstatus",
    "emergency",
    "df11",
    "df4",
    "df5",
    "df20",
    "df21",
)


@dataclass
class SimResult:
    """Frames (time-ordered unless jitter was injected) and what the simulator did, counted."""

    frames: FrameBatch
    label: str
    kind: npt.NDArray[np.int8]  # index into KIND_NAMES, per frame
    truth: PositionBatch  # the simulated (pre-fault, post-spoofing) state behind each frame
    counts: dict[str, int] = field(default_factory=dict)
    receiver_names: list[str] = field(default_factory=list)


def _times(rng: np.random.Generator, t0: float, t1: float, period: float) -> F64:
    if t1 <= t0 or period <= 0:
        return np.zeros(0)
    base = np.arange(t0 + rng.uniform(0, period), t1, period)
    return base + rng.uniform(-SQUITTER_JITTER_S, SQUITTER_JITTER_S, base.shape) * min(1.0, period)


def point_in_polygon(lat: F64, lon: F64, poly: list[tuple[float, float]]) -> B:
    """Even-odd ray casting on lat/lon treated as plane coordinates (regions are small)."""
    inside = np.zeros(lat.shape, dtype=bool)
    n = len(poly)
    for i in range(n):
        y1, x1 = poly[i]
        y2, x2 = poly[(i + 1) % n]
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (lon < xint)
    return inside


def _spoof(sc: Scenario, t: F64, st: State, counts: dict[str, int]) -> None:
    """GNSS spoofing: positions in a window and box frozen at their first value, or displaced."""
    for sp in sc.faults.spoofing:
        lat_min, lat_max, lon_min, lon_max = sp.box
        m = (t >= sp.start_s) & (t <= sp.end_s) & (st.lat_deg >= lat_min)
        m &= (st.lat_deg <= lat_max) & (st.lon_deg >= lon_min) & (st.lon_deg <= lon_max)
        if not m.any():
            continue
        if sp.mode == "freeze":
            first = int(np.argmin(np.where(m, t, np.inf)))
            st.lat_deg[m], st.lon_deg[m] = st.lat_deg[first], st.lon_deg[first]
        else:
            st.lat_deg[m] += sp.offset_deg[0]
            st.lon_deg[m] += sp.offset_deg[1]
        counts["spoofed"] = counts.get("spoofed", 0) + int(m.sum())


def _aircraft_frames(
    sc: Scenario, ac: Aircraft, rng: np.random.Generator, counts: dict[str, int]
) -> tuple[F64, U8, U8, npt.NDArray[np.int8], State, npt.NDArray[np.int64]]:
    t0 = max(sc.start_s, min(ph.t0_s for ph in ac.phases))
    t1 = min(sc.end_s, max(ph.t1_s for ph in ac.phases))
    s = 1.0 / max(sc.rate_scale, 1e-9)
    periods = {
        "airborne_pos": 0.5,
        "surface_pos": 0.5,
        "velocity": 0.5,
        "ident": 5.0,
        "opstatus": 2.5,
        "emergency": 5.0,
        "df11": 1.0,
    }
    interr = 1.0 / max(sc.interrogation_hz, 1e-9) * 4  # four reply formats share the rate
    periods |= {"df4": interr, "df5": interr, "df20": interr, "df21": interr}
    times = {k: _times(rng, t0, t1, p * s) for k, p in periods.items()}
    kinds = np.concatenate([np.full(len(v), i, np.int8) for i, v in enumerate(times.values())])
    t = np.concatenate(list(times.values()))
    st = sample(ac.phases, t)
    _spoof(sc, t, st, counts)
    valid = ~np.isnan(st.lat_deg)
    k = {name: i for i, name in enumerate(KIND_NAMES)}
    moving = st.groundspeed_kt >= STILL_KT
    # per-kind keep rules: what a transponder in this state would actually transmit
    keep = valid.copy()
    keep &= ~((kinds == k["airborne_pos"]) & st.on_ground)
    keep &= ~((kinds == k["velocity"]) & st.on_ground)
    is_surf = kinds == k["surface_pos"]
    keep &= ~(is_surf & ~st.on_ground)
    idx_in_kind = np.zeros(len(t), dtype=np.int64)
    for i in range(len(KIND_NAMES)):
        sel = kinds == i
        idx_in_kind[sel] = np.arange(int(sel.sum()))
    keep &= ~(is_surf & ~moving & (idx_in_kind % 10 != 0))  # still: every 10th = 5 s
    squawk = ac.squawk_at(t)
    keep &= ~((kinds == k["emergency"]) & ~np.isin(squawk, EMERGENCY_SQUAWKS))
    # Even/odd CPR formats alternate with every transmission. A still aircraft keeps only every
    # 10th surface slot, so number the kept slots: counting all slots would make every kept one
    # even, and a parked aircraft would never form a pair (its position lost after ~10 min).
    slot = np.where(is_surf & ~moving, idx_in_kind // 10, idx_in_kind)
    odd = (slot % 2).astype(np.int64)

    n = len(t)
    payload = np.zeros((n, 14), dtype=np.uint8)
    nbytes = np.zeros(n, dtype=np.uint8)
    icao = np.full(n, ac.icao24, dtype=np.uint32)

    def put(kind: str, frames: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]], sel: B) -> None:
        payload[sel], nbytes[sel] = frames
        counts[kind] = counts.get(kind, 0) + int(sel.sum())

    def rows(kind: str) -> B:
        sel: B = keep & (kinds == k[kind])
        return sel

    ca = np.where(st.on_ground, 4, 5)
    m = rows("airborne_pos")
    put(
        "airborne_pos",
        E.df17(
            icao[m], E.me_airborne_position(st.lat_deg[m], st.lon_deg[m], st.altitude_ft[m], odd[m])
        ),
        m,
    )
    m = rows("surface_pos")
    put(
        "surface_pos",
        E.df17(
            icao[m],
            E.me_surface_position(
                st.lat_deg[m], st.lon_deg[m], st.groundspeed_kt[m], st.track_deg[m], odd[m]
            ),
            ca=4,
        ),
        m,
    )
    m = rows("velocity")
    put(
        "velocity",
        E.df17(
            icao[m], E.me_velocity(st.groundspeed_kt[m], st.track_deg[m], st.vertical_rate_fpm[m])
        ),
        m,
    )
    m = rows("ident")
    chars = E.callsign_chars([ac.callsign])[0]
    me = E.me_identification(
        np.full(int(m.sum()), ac.perf.category_tc),
        np.full(int(m.sum()), ac.perf.category_ca),
        np.full(int(m.sum()), chars, dtype=np.uint64),
    )
    put("ident", _with_ca(E.df17(icao[m], me), ca[m]), m)
    m = rows("opstatus")
    put("opstatus", _with_ca(E.df17(icao[m], E.me_operational_status(int(m.sum()))), ca[m]), m)
    m = rows("emergency")
    put(
        "emergency",
        E.df17(
            icao[m],
            E.me_emergency(
                squawk[m], np.vectorize(EMERGENCY_STATE.get, otypes=[np.int64])(squawk[m])
            ),
        ),
        m,
    )
    m = rows("df11")
    put("df11", _with_ca(E.df11(icao[m]), ca[m]), m)
    for df in (4, 20):
        m = rows(f"df{df}")
        mb = E.bds10_mb(int(m.sum())) if df == 20 else None
        put(
            f"df{df}",
            E.df_surveillance(df, icao[m], st.on_ground[m], alt_ft=st.altitude_ft[m], mb=mb),
            m,
        )
    for df in (5, 21):
        m = rows(f"df{df}")
        put(f"df{df}", E.df_surveillance(df, icao[m], st.on_ground[m], squawk=squawk[m]), m)
    return t[keep], payload[keep], nbytes[keep], kinds[keep], _take(st, keep), squawk[keep]


def _with_ca(
    frames: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]], ca: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Re-encode the capability field (4 on ground, 5 airborne) and fix the parity."""
    payload, nbytes = frames
    payload[:, 0] = (payload[:, 0] & 0xF8) | ca.astype(np.uint8)
    k = int(nbytes[0]) - 3 if len(nbytes) else 0
    if k:
        crc = E.crc24(payload[:, :k])
        for i in range(3):
            payload[:, k + i] = ((crc >> np.uint32(16 - 8 * i)) & np.uint32(0xFF)).astype(np.uint8)
    return payload, nbytes


def _take(st: State, m: B) -> State:
    return State(
        st.lat_deg[m],
        st.lon_deg[m],
        st.altitude_ft[m],
        st.groundspeed_kt[m],
        st.track_deg[m],
        st.vertical_rate_fpm[m],
        st.on_ground[m],
    )


def _coverage(sc: Scenario, st: State) -> tuple[npt.NDArray[np.bool_], F64]:
    """Which receivers (columns: receivers then regions) hear each frame, and at what level."""
    n = len(st.lat_deg)
    cols = len(sc.receivers) + len(sc.coverage)
    heard = np.zeros((n, cols), dtype=bool)
    level = np.full((n, cols), np.nan)
    alt = np.maximum(st.altitude_ft, 0.0)
    for j, rx in enumerate(sc.receivers):
        d = distance_nm(rx.lat_deg, rx.lon_deg, st.lat_deg, st.lon_deg)
        # radio horizon in NM for antennas at h1 and h2 feet: 1.23 (sqrt h1 + sqrt h2)
        horizon = 1.23 * (np.sqrt(alt) + np.sqrt(max(rx.altitude_ft, 0.0)))
        heard[:, j] = d <= np.minimum(rx.range_nm, horizon)
        level[:, j] = np.maximum(
            SIGNAL_1NM_DBFS - 20 * np.log10(np.maximum(d, 1.0)), SIGNAL_FLOOR_DBFS
        )
    for j, reg in enumerate(sc.coverage, start=len(sc.receivers)):
        inside = point_in_polygon(st.lat_deg, st.lon_deg, reg.polygon)
        heard[:, j] = inside & (st.altitude_ft >= reg.min_altitude_ft)
        level[:, j] = REGION_SIGNAL_DBFS
    return heard, level


def simulate(sc: Scenario, seed: int | None = None) -> SimResult:
    """Run a scenario: frames as the receiver network would have recorded them."""
    rng = np.random.default_rng(sc.seed if seed is None else seed)
    counts: dict[str, int] = {}
    parts: list[FrameBatch] = []
    kinds: list[npt.NDArray[np.int8]] = []
    truths: list[PositionBatch] = []
    for ac in sc.aircraft:
        if not ac.phases:
            continue
        t, payload, nbytes, kind, st, squawk = _aircraft_frames(sc, ac, rng, counts)
        heard, level = _coverage(sc, st)
        counts["not_covered"] = counts.get("not_covered", 0) + int((~heard.any(axis=1)).sum())
        if sc.faults.duplicates:
            row, col = np.nonzero(heard)
        else:  # the strongest receiver only
            row = np.nonzero(heard.any(axis=1))[0]
            col = np.argmax(np.where(heard, level, -np.inf), axis=1)[row]
        fb = FrameBatch(
            t[row],
            payload[row],
            nbytes[row],
            level[row, col].astype(np.float32),
            (col + 1).astype(np.uint16),
        )
        counts["duplicates"] = counts.get("duplicates", 0) + len(row) - len(np.unique(row))
        parts.append(fb)
        kinds.append(kind[row])
        truth = PositionBatch.empty(len(row))
        truth.time_s[:], truth.icao24[:] = t[row], ac.icao24
        truth.lat_deg[:], truth.lon_deg[:] = st.lat_deg[row], st.lon_deg[row]
        truth.altitude_baro_ft[:], truth.groundspeed_kt[:] = (
            st.altitude_ft[row],
            st.groundspeed_kt[row],
        )
        truth.track_deg[:], truth.vertical_rate_fpm[:] = (
            st.track_deg[row],
            st.vertical_rate_fpm[row],
        )
        truth.on_ground[:] = st.on_ground[row]
        truth.callsign[:], truth.squawk[:] = ac.callsign, squawk[row]
        truth.source[:] = Source.ADSB
        truths.append(truth)
    frames = FrameBatch.concat(parts)
    order = np.argsort(frames.time_s, kind="stable")
    frames = frames.take(order)
    kind_all = np.concatenate(kinds)[order] if kinds else np.zeros(0, np.int8)
    truth_all = PositionBatch.concat(truths).take(order)
    _inject_faults(sc, frames, rng, counts)
    counts["frames"] = len(frames)
    names = [r.name for r in sc.receivers] + [c.name for c in sc.coverage]
    return SimResult(frames, sc.label, kind_all, truth_all, counts, names)


def _inject_faults(
    sc: Scenario, fb: FrameBatch, rng: np.random.Generator, counts: dict[str, int]
) -> None:
    n = len(fb)
    if sc.faults.bit_error_rate > 0 and n:
        hit = np.nonzero(rng.random(n) < sc.faults.bit_error_rate)[0]
        bit = (rng.random(len(hit)) * fb.nbytes[hit].astype(np.float64) * 8).astype(np.int64)
        fb.payload[hit, bit // 8] ^= np.uint8(0x80) >> (bit % 8).astype(np.uint8)
        counts["bit_errors"] = len(hit)
    if sc.faults.jitter_s > 0 and n:
        fb.time_s += rng.normal(0.0, sc.faults.jitter_s, n)
        counts["out_of_order"] = int((np.diff(fb.time_s) < 0).sum())
