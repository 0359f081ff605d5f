"""The columnar per-aircraft state table, keyed by the 24-bit ICAO address.

One row per aircraft, one NumPy column per field. Every tracked field carries three columns,
as readsb does: the value, the time it was last updated (``*_t``) and the source that gave it
(``*_src``, a :class:`flyvakt.model.Source`). Freshness is derived from ``*_t`` and the caller's
"now", never stored.

The table is plain data (arrays + an address index) so it can be checkpointed with
:meth:`StateTable.to_arrays` / :meth:`StateTable.from_arrays`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from flyvakt.model import ObservationBatch
from flyvakt.model.addrindex import AddressIndex
from flyvakt.model.runs import Runs, runs_by_key

I64 = npt.NDArray[np.int64]
_MAX_KEY = int(np.iinfo(np.uint32).max)  # addresses are uint32 (24 bits + flag bits)

# Fields copied from observations into the table (value columns), with their dtype and the
# "unknown" fill value. Positions are handled separately (they need CPR and plausibility).
TRACKED_FIELDS: dict[str, tuple[Any, Any]] = {
    name: ObservationBatch._defaults[name]
    for name in (
        "altitude_baro_ft", "altitude_gnss_ft", "groundspeed_kt", "track_deg", "airspeed_kt",
        "heading_deg", "vertical_rate_fpm", "on_ground", "squawk", "callsign", "category",
        "emergency", "adsb_version", "nic_supplement", "nac_p",
    )
}  # fmt: skip

# Other per-aircraft columns: (dtype, fill).
META_COLUMNS: dict[str, tuple[Any, Any]] = {
    "icao24": (np.uint32, 0),
    "first_seen_s": (np.float64, np.nan),
    "last_seen_s": (np.float64, np.nan),
    "confirmed_s": (np.float64, -np.inf),  # last CRC-verified message (DF11/17/18, decoded)
    "messages": (np.int64, 0),
    "lat_deg": (np.float64, np.nan),
    "lon_deg": (np.float64, np.nan),
    "pos_t": (np.float64, -np.inf),
    "pos_src": (np.uint8, 0),
    "pos_surface": (np.bool_, False),
    # The position is a first fix (no reference) not yet confirmed by an independent global
    # decode (flyvakt.track.plausible, "First fixes"): its fixes are held, not output.
    "pos_provisional": (np.bool_, False),
    # The provisional first fix's two frames: their times are in cand_dep0_t / cand_dep1_t
    # (unused while provisional), their raw CPR latitudes here, so frames of a recording
    # without timestamps (every frame at one instant) are still told apart.
    "prov_key0": (np.float64, np.nan),
    "prov_key1": (np.float64, np.nan),
    "pos_rejects": (np.int32, 0),  # consecutive rejected fixes since the last accepted one
    "cand_lat": (np.float64, np.nan),  # last rejected fix, a candidate for a position reset
    "cand_lon": (np.float64, np.nan),
    "cand_t": (np.float64, -np.inf),
    # Frames (by time) that every fix of the current run of rejects leans on; NaN once none is
    # shared by all (flyvakt.track.plausible: a reset needs independent evidence).
    "cand_dep0_t": (np.float64, np.nan),
    "cand_dep1_t": (np.float64, np.nan),
    # Last even (0) and odd (1) CPR message, for global pairing across batches.
    "cpr0_lat": (np.float64, np.nan),
    "cpr0_lon": (np.float64, np.nan),
    "cpr0_t": (np.float64, -np.inf),
    "cpr0_surface": (np.bool_, False),
    "cpr1_lat": (np.float64, np.nan),
    "cpr1_lon": (np.float64, np.nan),
    "cpr1_t": (np.float64, -np.inf),
    "cpr1_surface": (np.bool_, False),
}


def _all_columns() -> dict[str, tuple[Any, Any]]:
    cols = dict(META_COLUMNS)
    for name, spec in TRACKED_FIELDS.items():
        cols[name] = spec
        cols[f"{name}_t"] = (np.float64, -np.inf)
        cols[f"{name}_src"] = (np.uint8, 0)
    return cols


COLUMNS = _all_columns()


@dataclass
class StateTable:
    """Rows of aircraft state. ``rows`` maps address → row (a view of ``index``); freed rows
    are reused.

    The address → row map is the :class:`AddressIndex` (a hash table in arrays) alone, no
    Python dict beside it: keeping a dict in step cost an insert per new aircraft and a delete
    per forgotten one, interpreted (~12 ms per 1 M frames at 50,000 aircraft, issue 12's sweep)."""

    capacity: int = 1024
    cols: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    free: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # reused from the end
    used: int = 0  # high-water mark of rows ever handed out
    index: AddressIndex = field(default_factory=AddressIndex, repr=False, compare=False)
    # Per row, the order in which its aircraft arrived (-1: row not in use), for
    # :meth:`live_rows`; derived, not checkpointed (a restored table arrives by address).
    arrival: I64 = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    arrived: int = 0  # aircraft ever added: the next arrival number

    def __post_init__(self) -> None:
        if not self.cols:
            self.cols = {
                name: _filled(self.capacity, dt, fill) for name, (dt, fill) in COLUMNS.items()
            }
        if len(self.arrival) < self.capacity:
            self.arrival = np.concatenate(
                [self.arrival, np.full(self.capacity - len(self.arrival), -1, np.int64)]
            )

    def __len__(self) -> int:
        return len(self.index)

    @property
    def rows(self) -> RowMap:
        """Address → row, read from the index (a view: it follows the table)."""
        return RowMap(self)

    def row_of(self, icao24: int) -> int | None:
        a = int(icao24)
        if not 0 <= a <= _MAX_KEY:
            return None
        r = int(self.lookup(np.array([a], np.uint32))[0])
        return r if r >= 0 else None

    def lookup(self, icaos: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """Row index of each address, -1 for an aircraft not in the table (one vectorised
        search for the whole batch, not a dict lookup per address)."""
        return self.index.lookup(icaos)

    def indexed_rows(self) -> npt.NDArray[np.int64]:
        """The rows in use, in no particular order (:meth:`live_rows` is in arrival order):
        read from the index's arrays."""
        return self.index.rows_in_use()

    def rows_for(
        self,
        icaos: npt.NDArray[np.uint32],
        first_seen: npt.NDArray[np.float64],
        known: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.int64]:
        """Row index for each (unique) address, creating rows for new aircraft; ``known``:
        :meth:`lookup` of ``icaos`` if the caller has it."""
        out = self.lookup(icaos) if known is None else known.copy()
        new = np.flatnonzero(out < 0)
        if new.size:
            out[new] = self._new_rows(icaos[new], first_seen[new])
        return out

    def _new_rows(
        self, icaos: npt.NDArray[np.uint32], first_seen: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.int64]:
        """Rows for many new aircraft at once: one fill per column, not per aircraft."""
        k = len(icaos)
        reuse = min(k, len(self.free))
        cut = len(self.free) - reuse
        taken = self.free[cut:][::-1]  # as popped one by one
        self.free = self.free[:cut]
        fresh = k - reuse
        if self.used + fresh > self.capacity:
            self._grow(self.used + fresh)
        rows = np.concatenate([taken, np.arange(self.used, self.used + fresh, dtype=np.int64)])
        self.used += fresh
        # Every row not in use holds the fill values: rows never handed out since _filled,
        # freed rows since drop_many (which clears many at once, per sweep, not per step).
        self.cols["icao24"][rows] = icaos
        self.cols["first_seen_s"][rows] = first_seen
        self.arrival[rows] = np.arange(self.arrived, self.arrived + k, dtype=np.int64)
        self.arrived += k
        self.index.insert(icaos, rows)
        return rows

    def _grow(self, need: int) -> None:
        """Double the capacity until ``need`` rows fit, copying every column once: the first
        batches of a 50,000-aircraft start bring ~30,000 new aircraft at once, and a copy per
        doubling (five of them, ~60 columns each) cost more than the rows' own set-up."""
        new_cap = self.capacity
        while new_cap < need:
            new_cap *= 2
        for name, (_dt, fill) in COLUMNS.items():
            old = self.cols[name]
            col = np.empty(new_cap, dtype=old.dtype)
            col[: self.capacity] = old
            col[self.capacity :] = fill
            self.cols[name] = col
        arrival = np.full(new_cap, -1, np.int64)
        arrival[: self.capacity] = self.arrival[: self.capacity]
        self.arrival = arrival
        self.capacity = new_cap

    def drop(self, icao24: int) -> None:
        self.drop_many([int(icao24)])

    def drop_many(self, icaos: list[int]) -> None:
        """Forget these aircraft (unknown addresses are ignored); their rows are reused."""
        a = np.asarray(icaos, np.uint32)
        if a.size == 0:
            return
        # The rows by one search of the index, not a lookup per address (an expiry sweep at
        # 50,000 aircraft forgets tens of thousands at once); each address once, in the order
        # given (the free list's order decides which rows are reused first).
        _, first = np.unique(a, return_index=True)
        a = a[np.sort(first)] if first.size < a.size else a
        found = self.lookup(a)
        hit = found >= 0
        a, rows = a[hit], found[hit]
        if rows.size:
            for name, (_dt, fill) in COLUMNS.items():
                self.cols[name][rows] = fill
            self.arrival[rows] = -1
            self.free = np.concatenate([self.free, rows])
            self.index.remove(a)

    def live_rows(self) -> npt.NDArray[np.int64]:
        """The rows in use, in the order their aircraft arrived."""
        rows = self.indexed_rows()
        return rows[np.argsort(self.arrival[rows], kind="stable")]

    def snapshot(self, icao24: int) -> dict[str, Any]:
        """All columns of one aircraft as Python values (for the API and tests)."""
        r = self.rows[int(icao24)]
        return {name: _py(col[r]) for name, col in self.cols.items()}

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Live rows only, ordered by address: a canonical, serialisable form."""
        live = self.live_rows()
        order = np.argsort(self.cols["icao24"][live], kind="stable")
        sel = live[order]
        return {name: col[sel].copy() for name, col in self.cols.items()}

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> StateTable:
        n = len(arrays["icao24"])
        cap = max(1024, 1 << max(n - 1, 1).bit_length())
        table = cls(capacity=cap)
        for name, col in arrays.items():
            table.cols[name][:n] = col
        table.used = n
        table.index = AddressIndex(arrays["icao24"], np.arange(n, dtype=np.int64))
        table.arrival[:n] = np.arange(n, dtype=np.int64)  # as the restored rows: by address
        table.arrived = n
        return table


class RowMap(Mapping[int, int]):
    """A read-only address → row view of a :class:`StateTable` (its index), iterated in
    arrival order as the dict it replaces was. One address costs a search of the index: for
    many, :meth:`contains_many` (one search for all)."""

    def __init__(self, table: StateTable) -> None:
        self._table = table

    def __getitem__(self, icao24: int) -> int:
        r = self._table.row_of(icao24)
        if r is None:
            raise KeyError(icao24)
        return r

    def __contains__(self, icao24: object) -> bool:
        return isinstance(icao24, int | np.integer) and self._table.row_of(int(icao24)) is not None

    def __iter__(self) -> Iterator[int]:
        t = self._table
        return iter(t.cols["icao24"][t.live_rows()].tolist())

    def __len__(self) -> int:
        return len(self._table)

    def contains_many(self, icaos: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
        """Whether each address has a row (one vectorised search)."""
        return np.asarray(self._table.lookup(icaos) >= 0, dtype=np.bool_)


class Keyed(NamedTuple):
    """A sorted batch's runs (one per aircraft) and each aircraft's table row (-1: none).

    The tracker asks both several times per step (silences, confirmation, parity addresses,
    rows): found once and passed on while neither the batch nor the table's rows change,
    they cost one address search per step, not four (a search per aircraft of the batch)."""

    runs: Runs
    known: npt.NDArray[np.int64]

    @classmethod
    def of(cls, table: StateTable, o: ObservationBatch) -> Keyed:
        runs = runs_by_key(o.icao24)
        return cls(runs, table.lookup(o.icao24[runs.starts]))

    def take(self, rows: npt.NDArray[np.bool_], icao24: npt.NDArray[np.uint32]) -> Keyed:
        """The same for the batch cut to ``rows`` (a mask; ``icao24``: its addresses): each
        remaining run's table row is that of the run it was part of, no new search."""
        runs = runs_by_key(icao24)
        return Keyed(runs, self.known[self.runs.gid[rows][runs.starts]])


def _filled(n: int, dtype: Any, fill: Any) -> npt.NDArray[Any]:
    if dtype is object:
        return np.full(n, fill, dtype=object)
    return np.full(n, fill, dtype=dtype)


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
