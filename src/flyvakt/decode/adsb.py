"""ADS-B extended squitter (DF17, DF18 CF 0/1/6) ME field decoding, over whole arrays.

The 56-bit ME field (frame bits 33-88) is handled as one uint64 per frame; ME bit 1 is the
most significant of the 56. ``me_bits(me, first, length)`` reads ME bits first..first+length-1.

ME bits 1-5 are the type code (TC). Layouts (DO-260B 2.2.3.2, ME bit numbers):

Identification, TC 1-4::

    1-5 TC | 6-8 CA (emitter category) | 9-56 eight 6-bit characters

Surface position, TC 5-8::

    1-5 TC | 6-12 MOV | 13 S (track valid) | 14-20 TRK (360/128 deg) | 21 T | 22 F (odd)
    | 23-39 CPR lat | 40-56 CPR lon

Airborne position, TC 9-18 (baro altitude) and 20-22 (GNSS height)::

    1-5 TC | 6-7 SS | 8 NIC-B | 9-20 ALT (AC12) | 21 T | 22 F (odd) | 23-39 CPR lat
    | 40-56 CPR lon

Airborne velocity, TC 19::

    1-5 TC | 6-8 ST | 9 IC | 10 IFR | 11-13 NACv
    ST 1/2 (ground speed; ST 2 supersonic, units of 4 kt):
        14 Dew (1 = west) | 15-24 Vew + 1 | 25 Dns (1 = south) | 26-35 Vns + 1
    ST 3/4 (air speed; ST 4 supersonic, units of 4 kt):
        14 heading valid | 15-24 HDG (360/1024 deg) | 25 IAS/TAS | 26-35 AS + 1
    36 VrSrc (0 GNSS, 1 baro) | 37 Svr (1 = down) | 38-46 VR + 1 (64 ft/min) | 47-48 reserved
    | 49 SDif (1 = GNSS below baro) | 50-56 dAlt + 1 (25 ft)

Aircraft status, TC 28 ST 1 (emergency/priority)::

    1-5 TC | 6-8 ST | 9-11 emergency state | 12-24 Mode A code (ID13 layout) | 25-56 reserved

Target state and status, TC 29 ST 1 (version 2)::

    1-5 TC | 6-7 ST | 8 SIL-sup | 9 sel. alt. type | 10-20 sel. alt. | 21-29 baro setting
    | 30 hdg status | 31 hdg sign | 32-39 heading | 40-43 NACp | 44 NIC-baro | 45-46 SIL ...

Operational status, TC 31 (ST 0 airborne, 1 surface)::

    1-5 TC | 6-8 ST | 9-24 capability class | 25-40 operational mode | 41-43 version
    | 44 NIC supplement-A | 45-48 NACp | ...
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flyvakt.decode.tables import (
    AC12_ALTITUDE_FT,
    CALLSIGN_ASCII,
    ID13_SQUAWK,
    MOVEMENT_KT,
    category_code,
)
from flyvakt.model.batches import ObservationBatch

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def me_bits(me: U64, first: int, length: int) -> I64:
    """ME bits ``first``..``first+length-1`` (1-based, ME bit 1 = MSB of 56) as int64."""
    shift = np.uint64(56 - first - length + 1)
    return ((me >> shift) & np.uint64((1 << length) - 1)).astype(np.int64)


def me_field(payload: npt.NDArray[np.uint8]) -> U64:
    """Bytes 4-10 of each (n, 14) long frame as a 56-bit big-endian unsigned integer."""
    buf = np.zeros((payload.shape[0], 8), dtype=np.uint8)
    buf[:, 1:] = payload[:, 4:11]
    return buf.view(">u8").ravel().astype(np.uint64)


def callsigns(me: U64) -> npt.NDArray[np.object_]:
    """Callsigns of identification ME fields, trailing spaces removed (object array of str)."""
    shifts = np.arange(42, -1, -6, dtype=np.uint64)  # char 1 at ME bits 9-14 ... char 8 at 51-56
    codes = (me[:, None] >> shifts[None, :]) & np.uint64(0x3F)
    ascii_ = np.ascontiguousarray(CALLSIGN_ASCII[codes.astype(np.intp)])
    raw = ascii_.view("S8").ravel()
    return np.array([s.decode("ascii").rstrip(" ") for s in raw.tolist()], dtype=object)


def decode_me(out: ObservationBatch, rows: npt.NDArray[np.intp], me: U64) -> dict[str, int]:
    """Fill ``out`` at ``rows`` from the ME fields ``me`` (same order). Returns counters."""
    tc = me_bits(me, 1, 5)
    out.tc[rows] = tc
    counts: dict[str, int] = {}

    # --- identification, TC 1-4 -----------------------------------------------------------
    sel = (tc >= 1) & (tc <= 4)
    if sel.any():
        r = rows[sel]
        out.category[r] = category_code(tc[sel], me_bits(me[sel], 6, 3))
        out.callsign[r] = callsigns(me[sel])

    # --- positions (CPR fields, left for the tracker to resolve) ----------------------------
    surface = (tc >= 5) & (tc <= 8)
    baro = (tc >= 9) & (tc <= 18)
    gnss = (tc >= 20) & (tc <= 22)
    pos = surface | baro | gnss
    if pos.any():
        r = rows[pos]
        mp = me[pos]
        out.cpr_odd[r] = me_bits(mp, 22, 1)
        out.cpr_lat[r] = me_bits(mp, 23, 17)
        out.cpr_lon[r] = me_bits(mp, 40, 17)
        out.cpr_surface[r] = surface[pos]
        out.on_ground[r] = surface[pos].astype(np.int8)
    if surface.any():
        r = rows[surface]
        ms = me[surface]
        out.groundspeed_kt[r] = MOVEMENT_KT[me_bits(ms, 6, 7)]
        track = me_bits(ms, 14, 7) * (360.0 / 128.0)
        out.track_deg[r] = np.where(me_bits(ms, 13, 1) == 1, track, np.nan)
    if baro.any():
        out.altitude_baro_ft[rows[baro]] = AC12_ALTITUDE_FT[me_bits(me[baro], 9, 12)]
    if gnss.any():
        out.altitude_gnss_ft[rows[gnss]] = AC12_ALTITUDE_FT[me_bits(me[gnss], 9, 12)]

    # --- airborne velocity, TC 19 -------------------------------------------------------------
    vel = tc == 19
    if vel.any():
        _velocity(out, rows[vel], me[vel])

    # --- aircraft status, TC 28 subtype 1 -----------------------------------------------------
    st3 = me_bits(me, 6, 3)
    status = (tc == 28) & (st3 == 1)
    if status.any():
        r = rows[status]
        out.emergency[r] = me_bits(me[status], 9, 3)
        code = me_bits(me[status], 12, 13)
        out.squawk[r] = np.where(code == 0, -1, ID13_SQUAWK[code])

    # --- target state and status, TC 29 subtype 1: NACp only has a column ----------------------
    target = (tc == 29) & (me_bits(me, 6, 2) == 1)
    if target.any():
        out.nac_p[rows[target]] = me_bits(me[target], 40, 4)

    # --- operational status, TC 31 subtypes 0 (airborne) and 1 (surface) -----------------------
    opstat = (tc == 31) & (st3 <= 1)
    if opstat.any():
        r = rows[opstat]
        mo = me[opstat]
        version = me_bits(mo, 41, 3)
        known = version <= 2  # 3-7 are reserved: the rest of the layout is not known
        out.adsb_version[r] = np.where(known, version, -1)
        v12 = known & (version >= 1)  # version 0 has no NIC supplement / NACp here
        out.nic_supplement[r] = np.where(v12, me_bits(mo, 44, 1), -1)
        out.nac_p[r] = np.where(v12, me_bits(mo, 45, 4), -1)

    handled = sel | pos | vel | status | target | opstat
    counts["adsb_no_column"] = int((~handled).sum())
    return counts


def _velocity(out: ObservationBatch, r: npt.NDArray[np.intp], mv: U64) -> None:
    st = me_bits(mv, 6, 3)
    scale = np.where((st == 2) | (st == 4), 4.0, 1.0)  # supersonic subtypes count 4 kt units
    ground = (st == 1) | (st == 2)
    air = (st == 3) | (st == 4)

    vew_raw = me_bits(mv, 15, 10)
    vns_raw = me_bits(mv, 26, 10)
    valid_gs = ground & (vew_raw > 0) & (vns_raw > 0)
    vew = np.where(me_bits(mv, 14, 1) == 1, -1.0, 1.0) * (vew_raw - 1) * scale
    vns = np.where(me_bits(mv, 25, 1) == 1, -1.0, 1.0) * (vns_raw - 1) * scale
    gs = np.hypot(vew, vns)
    trk = np.mod(np.degrees(np.arctan2(vew, vns)), 360.0)
    out.groundspeed_kt[r] = np.where(valid_gs, gs, np.nan)
    out.track_deg[r] = np.where(valid_gs, trk, np.nan)

    hdg_valid = air & (me_bits(mv, 14, 1) == 1)
    out.heading_deg[r] = np.where(hdg_valid, me_bits(mv, 15, 10) * (360.0 / 1024.0), np.nan)
    as_raw = me_bits(mv, 26, 10)
    out.airspeed_kt[r] = np.where(air & (as_raw > 0), (as_raw - 1) * scale, np.nan)

    vr_raw = me_bits(mv, 38, 9)
    vr = np.where(me_bits(mv, 37, 1) == 1, -64.0, 64.0) * (vr_raw - 1)
    out.vertical_rate_fpm[r] = np.where((ground | air) & (vr_raw > 0), vr, np.nan)
    out.on_ground[r] = 0  # airborne velocity is only broadcast in the air
