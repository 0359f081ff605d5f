"""Read-only access to a store, safe while another process writes it.

The connection is opened with the ``mode=ro`` URI: it can never write, and in WAL mode it reads
a consistent snapshot per query while ``flyvakt run`` keeps committing.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from flyvakt.model.batches import NON_ICAO, PositionBatch, parse_icao_hex
from flyvakt.store.packed import unpack
from flyvakt.store.records import (
    AircraftRecord,
    CoverageReport,
    Fix,
    FlightRecord,
    Gap,
    mask_seconds,
)
from flyvakt.store.schema import check_version
from flyvakt.store.sql import BUSY_TIMEOUT_MS, TRACK_COLUMNS, StoreError

__all__ = ["StoreReader", "parse_icao24"]

# Why 60 s: the same gap threshold as thinning and export (DESIGN.md "a gap is not a path").
DEFAULT_GAP_S = 60.0
# Why 60 s: "where is everyone now" should not show aircraft last heard minutes ago as current.
DEFAULT_NOW_MAX_AGE_S = 60.0


def parse_icao24(value: int | str) -> int:
    """An address given as int or hex string ("4ca2d1", "~c639ee" for a non-ICAO one) as an
    int; ValueError if invalid."""
    number = value if isinstance(value, int) else parse_icao_hex(str(value))
    if not 0 <= number < (NON_ICAO << 1):
        raise ValueError(f"not a 24-bit address: {value!r}")
    return number


def _rows_to_batch(rows: list[tuple[Any, ...]]) -> PositionBatch:
    """Rows of TRACK_COLUMNS as a batch (NULL floats become NaN, NULL ints the -1 fill).

    Measured against aggregating each column into text and parsing it with NumPy: fetching
    rows costs about half the CPU, because SQLite's REAL-to-text conversion is slow.
    """
    if not rows:
        return PositionBatch.empty(0)
    cols = list(zip(*rows, strict=True))
    out: dict[str, Any] = {}
    for name, values in zip(TRACK_COLUMNS, cols, strict=True):
        dtype, fill = PositionBatch._defaults[name]
        if dtype is object:
            out[name] = np.array(values, dtype=object)
        elif np.issubdtype(dtype, np.floating):
            out[name] = np.array(values, dtype=np.float64).astype(dtype)
        elif None in values:
            out[name] = np.array([fill if v is None else v for v in values], dtype=dtype)
        else:
            out[name] = np.array(values, dtype=dtype)
    return PositionBatch(**out)


class StoreReader:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if not Path(self.path).is_file():
            raise FileNotFoundError(f"{self.path}: no such store file")
        uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        try:
            version = check_version(self._conn, self.path)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: not a flyvakt store ({exc})") from exc
        if version == 0:
            self._conn.close()
            raise StoreError(f"{self.path}: not a flyvakt store (no schema)")
        self.version = version

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- track points --------------------------------------------------------------------
    def track(
        self, icao24: int | str, from_s: float = -math.inf, to_s: float = math.inf
    ) -> PositionBatch:
        """Stored fixes of one aircraft with ``from_s <= time_s <= to_s``, in time order."""
        address = parse_icao24(icao24)
        span = (address, max(from_s, -1e300), min(to_s, 1e300))
        packed = self._conn.execute(
            "SELECT packed FROM track_points "
            "WHERE icao24 = ? AND time_s >= ? AND time_s <= ? ORDER BY time_s",
            span,
        ).fetchall()
        blobs = [r[0] for r in packed]
        if None not in blobs:
            return unpack(address, blobs)
        # Rows from a schema-1 store: read the columns.
        rows = self._conn.execute(
            f"SELECT {', '.join(TRACK_COLUMNS)} FROM track_points "
            "WHERE icao24 = ? AND time_s >= ? AND time_s <= ? ORDER BY time_s",
            span,
        ).fetchall()
        return _rows_to_batch(rows)

    def tracks(
        self, icao24s: Iterable[int | str], from_s: float = -math.inf, to_s: float = math.inf
    ) -> PositionBatch:
        """Fixes of several aircraft, sorted by (icao24, time_s)."""
        parts = [self.track(a, from_s, to_s) for a in sorted({parse_icao24(a) for a in icao24s})]
        return PositionBatch.concat(parts)

    def kept_and_heard(self, icao24: int | str, from_s: float, to_s: float) -> tuple[int, int]:
        """Stored fixes and fixes heard (coverage) in the whole minutes touching the window.

        Whole minutes on both sides, because coverage counts per minute; minutes whose fixes
        have all expired are left out (expired is not thinned).
        """
        lo = math.floor(from_s / 60.0) * 60 if math.isfinite(from_s) else -(2**62)
        hi = to_s if math.isfinite(to_s) else 2**62
        row = self._conn.execute(
            "SELECT coalesce(sum(kept), 0), coalesce(sum(heard), 0) FROM ("
            " SELECT c.n_points AS heard, (SELECT count(*) FROM track_points t"
            "  WHERE t.icao24 = c.icao24 AND t.time_s >= c.minute_s"
            "  AND t.time_s < c.minute_s + 60) AS kept"
            " FROM coverage c WHERE c.icao24 = ? AND c.minute_s >= ? AND c.minute_s <= ?"
            ") WHERE kept > 0",
            (parse_icao24(icao24), lo, hi),
        ).fetchone()
        return int(row[0]), int(row[1])

    def aircraft_now(self, at_s: float, max_age_s: float = DEFAULT_NOW_MAX_AGE_S) -> PositionBatch:
        """The last fix at or before ``at_s`` of every aircraft heard in the last ``max_age_s``."""
        # SQLite returns the other columns from the row holding max(time_s) (documented
        # "bare column" behaviour of min/max aggregates).
        cols = ", ".join("max(time_s) AS time_s" if c == "time_s" else c for c in TRACK_COLUMNS)
        rows = self._conn.execute(
            f"SELECT {cols} FROM track_points WHERE time_s > ? AND time_s <= ? "
            "GROUP BY icao24 ORDER BY icao24",
            (at_s - max_age_s, at_s),
        ).fetchall()
        return _rows_to_batch(rows)

    def callsign_users(self, callsign: str, from_s: float, to_s: float) -> list[int]:
        """Addresses whose fixes in ``from_s < time_s <= to_s`` carry ``callsign`` (case and
        padding ignored), the first to carry it first."""
        rows = self._conn.execute(
            "SELECT icao24, min(time_s) AS first_s FROM track_points "
            "WHERE time_s > ? AND time_s <= ? AND upper(trim(callsign)) = ? "
            "GROUP BY icao24 ORDER BY first_s, icao24",
            (from_s, to_s, callsign.strip().upper()),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def commb_at(self, at_s: float, max_age_s: float) -> dict[int, dict[str, tuple[float, float]]]:
        """Newest Comm-B values heard in ``(at_s - max_age_s, at_s]``: icao24 -> readsb key ->
        (value, time_s). Empty for a store older than the table (schema < 4)."""
        if self.version < 4:
            return {}
        out: dict[int, dict[str, tuple[float, float]]] = {}
        for icao, key, value, t in self._conn.execute(
            "SELECT icao24, key, value, time_s FROM commb_latest WHERE time_s > ? AND time_s <= ?",
            (at_s - max_age_s, at_s),
        ):
            out.setdefault(int(icao), {})[str(key)] = (float(value), float(t))
        return out

    # -- events and other records --------------------------------------------------------
    def events(
        self,
        icao24: int | str | None = None,
        types: Sequence[str] | None = None,
        since_s: float | None = None,
        until_s: float | None = None,
        fleet: str | None = None,
        country: str | None = None,
        airport: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """Event records (``Event.to_json()`` as stored) in time order, filtered."""
        where: list[str] = []
        args: list[Any] = []
        if icao24 is not None:
            where.append("e.icao24 = ?")
            args.append(parse_icao24(icao24))
        if types:
            where.append(f"e.type IN ({', '.join('?' * len(types))})")
            args.extend(types)
        if since_s is not None:
            where.append("e.time_s >= ?")
            args.append(since_s)
        if until_s is not None:
            where.append("e.time_s <= ?")
            args.append(until_s)
        if country is not None:
            where.append("e.country = ?")
            args.append(country)
        if airport is not None:
            where.append("e.airport = ?")
            args.append(airport)
        join = ""
        if fleet is not None:
            join = "JOIN event_fleets f ON f.event_id = e.id AND f.fleet = ?"
            args.insert(0, fleet)
        sql = f"SELECT e.record FROM events e {join}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.time_s, e.id LIMIT ?"
        args.append(int(limit))
        return [json.loads(r[0]) for r in self._conn.execute(sql, args)]

    def flights(
        self,
        icao24: int | str | None = None,
        since_s: float | None = None,
        until_s: float | None = None,
        limit: int = 1000,
    ) -> list[FlightRecord]:
        """Flights whose first sighting lies in the window, in time order."""
        where, args = ["1"], []  # type: list[str], list[Any]
        if icao24 is not None:
            where.append("icao24 = ?")
            args.append(parse_icao24(icao24))
        if since_s is not None:
            where.append("coalesce(last_seen_s, first_seen_s) >= ?")
            args.append(since_s)
        if until_s is not None:
            where.append("first_seen_s <= ?")
            args.append(until_s)
        rows = self._conn.execute(
            "SELECT icao24, first_seen_s, last_seen_s, takeoff_time_s, landing_time_s, origin, "
            "destination, callsign, takeoff_basis, landing_basis "
            f"FROM flights WHERE {' AND '.join(where)} "
            "ORDER BY first_seen_s LIMIT ?",
            [*args, int(limit)],
        ).fetchall()
        return [FlightRecord(*r) for r in rows]

    def aircraft(self, icao24: int | str) -> AircraftRecord | None:
        row = self._conn.execute(
            "SELECT icao24, registration, type, callsign, last_seen_s FROM aircraft "
            "WHERE icao24 = ?",
            (parse_icao24(icao24),),
        ).fetchone()
        return None if row is None else AircraftRecord(*row)

    def fleets(self) -> dict[str, dict[str, Any]]:
        return {k: json.loads(v) for k, v in self._conn.execute("SELECT fleet, record FROM fleets")}

    def verdict(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT record FROM verdicts WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def time_range(self) -> tuple[float | None, float | None]:
        """First and last stored fix time (index lookups on track_points.time_s)."""
        row = self._conn.execute("SELECT min(time_s), max(time_s) FROM track_points").fetchone()
        return (row[0], row[1]) if row else (None, None)

    def data_through_s(self) -> float | None:
        """Time of the newest data written (positions or frames), or None for an empty store."""
        value = self.meta("data_through_s")
        return None if value is None else float(value)

    # -- coverage ------------------------------------------------------------------------
    def _seconds(self, table: str, key: str, value: int | None, t0: float, t1: float) -> Any:
        cond = f"{key} = ? AND " if value is not None else ""
        args: list[Any] = [value] if value is not None else []
        rows = self._conn.execute(
            f"SELECT minute_s, seconds_mask FROM {table} WHERE {cond}"
            "minute_s >= ? AND minute_s <= ?",
            [*args, math.floor(t0 / 60.0) * 60, t1],
        ).fetchall()
        if not rows:
            return np.zeros(0)
        arr = np.array(rows, dtype=np.int64)
        secs = mask_seconds(arr[:, 0], arr[:, 1])
        return secs[(secs >= math.floor(t0)) & (secs <= t1)]

    def last_fix(self, icao24: int | str, at_s: float) -> Fix | None:
        row = self._conn.execute(
            "SELECT time_s, lat_deg, lon_deg, altitude_baro_ft, on_ground FROM track_points "
            "WHERE icao24 = ? AND time_s <= ? ORDER BY time_s DESC LIMIT 1",
            (parse_icao24(icao24), at_s),
        ).fetchone()
        if row is None:
            return None
        return Fix(row[0], row[1], row[2], row[3], -1 if row[4] is None else int(row[4]))

    def coverage(
        self, icao24: int | str, t0_s: float, t1_s: float, gap_s: float = DEFAULT_GAP_S
    ) -> CoverageReport:
        """Which seconds of [t0, t1] held positions of the aircraft, and the gaps > ``gap_s``.

        Each gap says how many of its seconds any receiver heard anything, and the last stored
        fix before it (None once retention has removed the track points).
        """
        icao = parse_icao24(icao24)
        secs = self._seconds("coverage", "icao24", icao, t0_s, t1_s)
        heard = self._seconds("receiver_coverage", "receiver", None, t0_s, t1_s)
        edges = np.r_[t0_s, secs, t1_s]
        # Without data, the whole window is one gap; with data, window edges count as data
        # boundaries so a silent start or end of the window is a gap too.
        gaps: list[Gap] = []
        for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
            if b - a > gap_s:
                inside = int(
                    np.searchsorted(heard, b, side="left") - np.searchsorted(heard, a, "right")
                )
                gaps.append(Gap(a, b, inside, self.last_fix(icao, a + 1.0)))
        return CoverageReport(
            icao24=icao,
            t0_s=t0_s,
            t1_s=t1_s,
            seconds_with_data=len(secs),
            first_s=float(secs[0]) if len(secs) else None,
            last_s=float(secs[-1]) if len(secs) else None,
            gaps=gaps,
        )
