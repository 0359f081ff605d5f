"""Comm-B registers BDS 4,0 / 5,0 / 6,0 from DF20/21 MB fields, vectorised and stateless.

A Comm-B reply does not say which register it carries (the ground station asked for it). Like
rs1090 (``decode/bds/bds40.rs``, ``bds50.rs``, ``bds60.rs``), each register is tried on every
MB field and kept when its layout is consistent: a field whose status bit is 0 must be all
zeros, and values must be physically plausible (ranges below). A field may pass as more than
one register; :func:`decode_commb` reports each register's flag like rs1090 does, and
:func:`fill_observations` writes values only where exactly one of 4,0 / 5,0 / 6,0 fits (the
others are counted as ``commb_ambiguous``: abstaining beats guessing).

MB bit layouts (bit 1 = MSB of the 56-bit MB; ICAO Doc 9871)::

    4,0  1 MCP status | 2-13 MCP/FCU selected altitude x16 ft | 14 FMS status | 15-26 FMS
         selected altitude x16 ft | 27 baro status | 28-39 (baro setting - 800 hPa) x0.1 |
         40-47 reserved (0) | 48-51 modes | 52-53 reserved (0) | 54-56 target source
    5,0  1 status | 2 sign | 3-11 roll x45/256 deg | 12 status | 13 sign | 14-23 true track
         x90/512 deg | 24 status | 25-34 groundspeed x2 kt | 35 status | 36 sign | 37-45 track
         angle rate x8/256 deg/s | 46 status | 47-56 true airspeed x2 kt
    6,0  1 status | 2 sign | 3-12 magnetic heading x90/512 deg | 13 status | 14-23 IAS kt |
         24 status | 25-34 Mach x2.048/512 | 35 status | 36 sign | 37-45 baro vertical rate
         x32 ft/min | 46 status | 47 sign | 48-56 inertial vertical rate x32 ft/min
"""

from __future__ import annotations

import math
from collections.abc import Container
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from flyvakt.decode.adsb import me_bits
from flyvakt.model.addrindex import AddressIndex
from flyvakt.model.runs import first_of_run, last_of_run, order_by_key_time

__all__ = ["COMMB_COLUMNS", "CommB", "decode_commb"]

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]

# Plausibility limits, as rs1090 applies them (agreement with it is the test).
# Why 45,000 ft: above the ceiling of every airliner and business jet that reports EHS.
MAX_SELECTED_ALT_FT = 45000
# Why 8 ft: half the 16 ft step of the selected-altitude fields.
SELECTED_ALT_SLACK_FT = 8.0
# Why 50 deg: airliners bank at most ~30 deg in normal flight; 50 leaves room for upsets.
MAX_ROLL_DEG = 50.0
# Why 600 kt / 80-600 kt / 200 kt: subsonic transport speeds, and wind rarely exceeds 200 kt.
# (rs1090 0.7.0 reports TAS 504 kt on the pyModeS frames; older rs1090 capped TAS at 500.)
MAX_BDS50_GS_KT = 600
TAS_RANGE_KT = (80, 600)
MAX_GS_TAS_DIFF_KT = 200
# Why 7.5 deg/s: 2.5 times a standard-rate turn (3 deg/s); rs1090 0.7.0 keeps 7 and refuses
# 8 deg/s on the pyModeS frames (the exact bound is not in its documentation).
MAX_TRACK_RATE_DEG_S = 7.5
# Why 500 kt IAS, Mach 1: subsonic civil traffic; IAS > 250 kt below Mach 0.4 or IAS < 150 kt
# above Mach 0.5 cannot be flown (250 kt IAS at 10,000 ft is Mach 0.45).
MAX_IAS_KT = 500
# Why 6,000 ft/min: beyond what transport aircraft climb or descend in normal operations.
MAX_VRATE_FPM = 6000

COMMB_COLUMNS = (
    "selected_altitude_mcp_ft", "selected_altitude_fms_ft", "baro_setting_hpa",
    "roll_deg", "true_track_deg", "groundspeed_bds50_kt", "track_rate_deg_s", "tas_kt",
    "heading_magnetic_deg", "ias_kt", "mach", "vertical_rate_baro_fpm",
    "vertical_rate_inertial_fpm",
)  # fmt: skip


@dataclass
class CommB:
    """Per MB field: which registers fit, and their values (NaN where absent or not fitting)."""

    bds40: B
    bds50: B
    bds60: B
    selected_altitude_mcp_ft: F64
    selected_altitude_fms_ft: F64
    baro_setting_hpa: F64
    roll_deg: F64
    true_track_deg: F64
    groundspeed_bds50_kt: F64
    track_rate_deg_s: F64
    tas_kt: F64
    heading_magnetic_deg: F64
    ias_kt: F64
    mach: F64
    vertical_rate_baro_fpm: F64
    vertical_rate_inertial_fpm: F64

    def unambiguous(self) -> B:
        """Rows where exactly one of the three registers fits."""
        n = self.bds40.astype(np.int8) + self.bds50.astype(np.int8) + self.bds60.astype(np.int8)
        return np.asarray(n == 1)


def _field(mb: U64, status_bit: int, first: int, length: int) -> tuple[B, B, F64]:
    """(consistent, present, raw value): status 0 needs an all-zero value, NaN if absent."""
    status = me_bits(mb, status_bit, 1) == 1
    raw = me_bits(mb, first, length)
    ok = status | (raw == 0)
    return ok, status, np.where(status, raw.astype(np.float64), np.nan)


def _signed(mb: U64, status_bit: int, length: int) -> tuple[B, B, F64]:
    """As :func:`_field` for sign + magnitude (two's complement over ``length + 1`` bits)."""
    status = me_bits(mb, status_bit, 1) == 1
    sign = me_bits(mb, status_bit + 1, 1)
    raw = me_bits(mb, status_bit + 2, length)
    ok = status | ((sign == 0) & (raw == 0))
    value = (raw - sign * (1 << length)).astype(np.float64)
    return ok, status, np.where(status, value, np.nan)


def _bds40(mb: U64) -> tuple[B, F64, F64, F64]:
    ok1, s1, mcp = _field(mb, 1, 2, 12)
    ok2, s2, fms = _field(mb, 14, 15, 12)
    ok3, _s3, baro = _field(mb, 27, 28, 12)
    mcp, fms = mcp * 16, fms * 16
    ok = ok1 & ok2 & ok3 & (me_bits(mb, 40, 8) == 0) & (me_bits(mb, 52, 2) == 0)
    ok &= ~s1 | (mcp <= MAX_SELECTED_ALT_FT)
    ok &= ~s2 | (fms <= MAX_SELECTED_ALT_FT)
    return ok, _hundreds(mcp), _hundreds(fms), baro * 0.1 + 800.0


def _hundreds(alt_ft: F64) -> F64:
    """Selected altitudes are set in hundreds of feet and sent in 16 ft steps (35,000 ft comes
    as 35,008): back to the hundred, as rs1090 reports them (half a step, 8 ft, of slack)."""
    return np.floor((alt_ft + SELECTED_ALT_SLACK_FT) / 100.0) * 100.0


def _bds50(mb: U64) -> tuple[B, F64, F64, F64, F64, F64]:
    ok_r, s_r, roll = _signed(mb, 1, 9)
    ok_t, _s_t, track = _signed(mb, 12, 10)
    ok_g, s_g, gs = _field(mb, 24, 25, 10)
    ok_rate, _s_rate, rate = _signed(mb, 35, 9)
    ok_tas, s_tas, tas = _field(mb, 46, 47, 10)
    roll, gs, tas = roll * 45.0 / 256.0, gs * 2.0, tas * 2.0
    track = np.mod(track * 90.0 / 512.0, 360.0)
    # All ones (511) in the rate's magnitude means "not available".
    rate = np.where(me_bits(mb, 37, 9) == 511, np.nan, rate * 8.0 / 256.0)
    ok = ok_r & ok_t & ok_g & ok_rate & ok_tas
    ok &= ~s_r | (np.abs(roll) <= MAX_ROLL_DEG)
    ok &= ~s_g | (gs <= MAX_BDS50_GS_KT)
    ok &= ~(np.abs(rate) > MAX_TRACK_RATE_DEG_S)  # NaN (absent) passes
    lo, hi = TAS_RANGE_KT
    bad_tas = (tas < lo) | (tas > hi) | (np.abs(gs - tas) > MAX_GS_TAS_DIFF_KT)
    ok &= ~(s_tas & s_g & bad_tas)
    return ok, roll, track, gs, rate, tas


def _vrate(mb: U64, status_bit: int) -> tuple[B, F64]:
    ok, status, v = _signed(mb, status_bit, 9)
    mag = me_bits(mb, status_bit + 2, 9)
    v = np.where(status & ((mag == 0) | (mag == 511)), 0.0, v * 32.0)  # all 0 / all 1: level
    ok &= ~status | (np.abs(v) <= MAX_VRATE_FPM)
    return ok, v


def _bds60(mb: U64) -> tuple[B, F64, F64, F64, F64, F64]:
    ok_h, _s_h, hdg = _signed(mb, 1, 10)
    ok_i, s_i, ias = _field(mb, 13, 14, 10)
    ok_m, s_m, mach = _field(mb, 24, 25, 10)
    ok_b, baro = _vrate(mb, 35)
    ok_n, inertial = _vrate(mb, 46)
    hdg = np.mod(hdg * 90.0 / 512.0, 360.0)
    mach = mach * 2.048 / 512.0
    ok = ok_h & ok_i & ok_m & ok_b & ok_n
    ok &= ~s_i | ((ias > 0) & (ias <= MAX_IAS_KT))
    ok &= ~s_m | ((mach > 0) & (mach <= 1.0))
    ok &= ~(s_i & s_m & (((ias > 250) & (mach < 0.4)) | ((ias < 150) & (mach > 0.5))))
    return ok, hdg, ias, mach, baro, inertial


def decode_commb(mb: U64) -> CommB:
    """Every register's fit and values for 56-bit MB fields (``adsb.me_field`` of DF20/21)."""
    mb = np.asarray(mb, dtype=np.uint64)
    nonzero = mb != 0  # an all-zero MB carries nothing (rs1090 reports no register)
    ok40, mcp, fms, baro = _bds40(mb)
    ok50, roll, track, gs, rate, tas = _bds50(mb)
    ok60, hdg, ias, mach, vr_baro, vr_inertial = _bds60(mb)
    ok40, ok50, ok60 = ok40 & nonzero, ok50 & nonzero, ok60 & nonzero

    def keep(ok: B, v: F64) -> F64:
        return np.where(ok, v, np.nan)

    return CommB(
        ok40, ok50, ok60,
        keep(ok40, mcp), keep(ok40, fms), keep(ok40, baro),
        keep(ok50, roll), keep(ok50, track), keep(ok50, gs), keep(ok50, rate), keep(ok50, tas),
        keep(ok60, hdg), keep(ok60, ias), keep(ok60, mach), keep(ok60, vr_baro),
        keep(ok60, vr_inertial),
    )  # fmt: skip


assert tuple(f.name for f in fields(CommB))[3:] == COMMB_COLUMNS


# readsb aircraft.json key -> our Comm-B column, and whether readsb writes it as an integer.
READSB_COMMB_KEYS: tuple[tuple[str, str, bool], ...] = (
    ("nav_altitude_mcp", "selected_altitude_mcp_ft", True),
    ("nav_altitude_fms", "selected_altitude_fms_ft", True),
    ("nav_qnh", "baro_setting_hpa", False),
    ("roll", "roll_deg", False),
    ("tas", "tas_kt", True),
    ("mag_heading", "heading_magnetic_deg", False),
    ("ias", "ias_kt", True),
    ("mach", "mach", False),
)
# Why 60 s: readsb stops showing a Comm-B value about a minute after the last reply carrying it
# (ground radars interrogate every 4-12 s, so a minute is several missed replies).
COMMB_MAX_AGE_S = 60.0
# Why 10 minutes / 20,000: addresses from DF20/21 parity include noise that never becomes an
# aircraft; entries silent that long are dropped once the table holds this many.
COMMB_FORGET_S = 600.0
COMMB_MAX_ENTRIES = 20_000
# Why 60 s: above COMMB_MAX_ENTRIES a prune rebuilds the whole table; doing it at most once a
# minute of data time (not every batch) keeps its cost flat at 50,000 aircraft, and values are
# filtered by COMMB_MAX_AGE_S when read, so a later prune changes no output.
COMMB_PRUNE_EVERY_S = 60.0
_NKEYS = len(READSB_COMMB_KEYS)


class CommBLatest:
    """The newest Comm-B value of each readsb key per aircraft.

    Fed from DF20/21 replies only (a few per aircraft per radar sweep), apart from the tracker:
    only registers that are the sole fit of their reply (:meth:`CommB.unambiguous`) count.
    Columnar (one row per address, one column per key) so a batch is applied with array
    operations: at 50,000 aircraft a dict per address cost as much as decoding and tracking.
    ``values`` and ``dirty`` give the dict/set view (checkpoints, tests).
    """

    def __init__(self) -> None:
        self._index = AddressIndex()
        self._n = 0  # rows in use; the arrays below have room for more (doubling)
        self._addr = np.zeros(0, np.uint32)  # per row
        self._value = np.zeros((0, _NKEYS))  # per row and key
        self._time = np.zeros((0, _NKEYS))  # -inf: no value for that key
        self._dirty = np.zeros(0, np.bool_)  # a value newer than the last drain()
        self.newest_s = -math.inf
        self.pruned_s = -math.inf  # data time of the last prune

    def __len__(self) -> int:
        return self._n

    def _resize(self, n: int, capacity: int) -> None:
        """Keep the first ``n`` rows in arrays of ``capacity`` rows."""
        addr = np.zeros(capacity, np.uint32)
        value = np.full((capacity, _NKEYS), np.nan)
        time = np.full((capacity, _NKEYS), -np.inf)
        dirty = np.zeros(capacity, np.bool_)
        addr[:n], value[:n], time[:n], dirty[:n] = (
            self._addr[:n], self._value[:n], self._time[:n], self._dirty[:n]
        )  # fmt: skip
        self._addr, self._value, self._time, self._dirty = addr, value, time, dirty

    def _rows_for(
        self, icao24: npt.NDArray[np.uint32], rows: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.int64]:
        """Rows of these (unique) addresses, adding rows for new ones; ``rows``: their
        lookup, if the caller has it (-1 for new ones)."""
        rows = self._index.lookup(icao24) if rows is None else rows.copy()
        new = np.flatnonzero(rows < 0)
        if new.size:
            n = self._n
            if n + new.size > self._addr.size:
                self._resize(n, max(1024, 2 * (n + new.size)))
            rows[new] = np.arange(n, n + new.size)
            self._index.insert(icao24[new], rows[new])
            self._addr[rows[new]] = icao24[new]
            self._n = n + new.size
        return rows

    def update(self, icao24: npt.NDArray[np.uint32], time_s: F64, mb: U64) -> None:
        if icao24.size == 0:
            return
        c = decode_commb(mb)
        one = c.unambiguous()
        by_key = order_by_key_time(icao24, time_s)  # once; each field takes its rows from it
        # Each aircraft's row, looked up once for all fields, and the rows of new aircraft
        # with a value for any field added at once (one insert per batch, not per field).
        sorted_icao = icao24[by_key]
        first = first_of_run(sorted_icao)
        run = np.cumsum(first) - 1  # per row in ``by_key`` order: its aircraft
        run_rows = self._index.lookup(sorted_icao[first])
        has_k = [one & np.isfinite(getattr(c, column)) for _, column, _ in READSB_COMMB_KEYS]
        ac_any = run[np.flatnonzero(np.logical_or.reduce(has_k)[by_key])]
        ac_any = ac_any[first_of_run(ac_any)]  # ``run`` ascends in ``by_key`` order
        if ac_any.size:
            run_rows[ac_any] = self._rows_for(sorted_icao[first][ac_any], run_rows[ac_any])
        for k, (_, column, _) in enumerate(READSB_COMMB_KEYS):
            v = getattr(c, column)
            at = np.flatnonzero(has_k[k][by_key])  # by (address, time), as sorting these alone
            if at.size == 0:
                continue
            newest = last_of_run(run[at])
            last = by_key[at[newest]]  # newest row per aircraft
            rows = run_rows[run[at[newest]]]
            t = time_s[last]
            # The key's column as a strided view: ``a[rows, k]`` is a two-index fancy lookup
            # (NumPy's general path), several times the instructions of a one-index gather of
            # ``a[:, k]``, over ~40,000 aircraft per batch at 50,000 (issue 12's sweep).
            time_k, value_k = self._time[:, k], self._value[:, k]
            old = time_k[rows]
            newer = np.isneginf(old) | (old <= t)
            rows = rows[newer]
            value_k[rows] = v[last[newer]]
            time_k[rows] = t[newer]
            self._dirty[rows] = True
        self.newest_s = max(self.newest_s, float(np.nanmax(time_s)))
        if len(self) > COMMB_MAX_ENTRIES and self.newest_s - self.pruned_s >= COMMB_PRUNE_EVERY_S:
            self.pruned_s = self.newest_s
            cut = self.newest_s - COMMB_FORGET_S
            keep = np.flatnonzero(self._time[: self._n].max(axis=1) >= cut)
            n = keep.size
            self._addr[:n], self._value[:n] = self._addr[keep], self._value[keep]
            self._time[:n], self._dirty[:n] = self._time[keep], self._dirty[keep]
            self._value[n:], self._time[n:], self._dirty[n:] = np.nan, -np.inf, False
            self._n = n
            self._index = AddressIndex(self._addr[:n], np.arange(n, dtype=np.int64))

    def _slot(self, row: int) -> dict[str, tuple[float, float]]:
        return {
            key: (float(self._value[row, k]), float(self._time[row, k]))
            for k, (key, _, _) in enumerate(READSB_COMMB_KEYS)
            if self._time[row, k] > -math.inf
        }

    def readsb_fields(self, icao24: int, now_s: float) -> dict[str, float | int]:
        """readsb's keys for this aircraft with values at most COMMB_MAX_AGE_S old at now_s."""
        row = int(self._index.lookup(np.array([icao24], np.uint32))[0])
        return readsb_values(self._slot(row) if row >= 0 else {}, now_s)

    def drain(self, known: Container[int]) -> list[tuple[int, str, float, float]]:
        """``(icao24, key, value, time_s)`` of the values changed since the last drain, for the
        store; only addresses in ``known`` (the tracker's aircraft: DF20/21 parity addresses
        include noise that never becomes one). Their next reply brings the others back."""
        addr, key, value, t = self.drain_columns(known)
        names = [name for name, _, _ in READSB_COMMB_KEYS]
        return list(
            zip(
                addr.tolist(),
                [names[k] for k in key.tolist()],
                value.tolist(),
                t.tolist(),
                strict=True,
            )
        )

    def drain_columns(
        self, known: Container[int]
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], F64, F64]:
        """:meth:`drain` as columns (address, index into READSB_COMMB_KEYS, value, time_s), in
        the same order: by address, then key. Array operations over the dirty rows (the
        per-row dicts took ~0.3 s at 19,000 aircraft, inside the live step)."""
        dirty = np.flatnonzero(self._dirty[: self._n])
        self._dirty[:] = False
        rows = dirty[np.argsort(self._addr[dirty], kind="stable")]
        addrs = self._addr[rows]
        many = getattr(known, "contains_many", None)  # the tracker's rows: one search for all
        if many is not None:
            rows = rows[many(addrs)]
        else:
            rows = rows[np.fromiter((a in known for a in addrs.tolist()), np.bool_, rows.size)]
        have = self._time[rows] > -np.inf  # (row, key), row-major: by address, then key
        r, k = np.nonzero(have)
        at = rows[r]
        return self._addr[at], k.astype(np.int64), self._value[at, k], self._time[at, k]

    @property
    def values(self) -> dict[int, dict[str, tuple[float, float]]]:
        """Address -> readsb key -> (value, time_s) (a copy)."""
        return {a: self._slot(r) for r, a in enumerate(self._addr[: self._n].tolist())}

    @values.setter
    def values(self, values: dict[int, dict[str, tuple[float, float]]]) -> None:
        keys = [key for key, _, _ in READSB_COMMB_KEYS]
        n = self._n = len(values)
        self._resize(0, n)
        self._addr[:] = np.fromiter(values.keys(), np.uint32, n)
        for r, slot in enumerate(values.values()):
            for key, (value, t) in slot.items():
                self._value[r, keys.index(key)] = value
                self._time[r, keys.index(key)] = t
        self._index = AddressIndex(self._addr, np.arange(n, dtype=np.int64))

    @property
    def dirty(self) -> set[int]:
        """Addresses with a value newer than the last drain()."""
        return set(self._addr[: self._n][self._dirty[: self._n]].tolist())

    @dirty.setter
    def dirty(self, addresses: set[int]) -> None:
        wanted = np.fromiter(addresses, np.uint32, len(addresses))
        self._dirty[:] = False
        self._dirty[: self._n] = np.isin(self._addr[: self._n], wanted)


def readsb_values(slot: dict[str, tuple[float, float]], now_s: float) -> dict[str, float | int]:
    """readsb's Comm-B keys from ``slot`` (key -> (value, time_s)), as readsb writes them
    (integers where it does), keeping values heard in the COMMB_MAX_AGE_S up to ``now_s``."""
    out: dict[str, float | int] = {}
    for key, _, whole in READSB_COMMB_KEYS:
        got = slot.get(key)
        if got is not None and 0.0 <= now_s - got[1] <= COMMB_MAX_AGE_S:
            out[key] = round(got[0]) if whole else round(got[0], 3)
    return out
