"""Vectorised helpers of the pre-pass: the ground estimate, fixes built from batch rows, and
the batch's one airport search."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.state import Fix
from flyvakt.geo.cells import max_chord2
from flyvakt.model import PositionBatch
from flyvakt.model.rounding import round_half_even_like_python

if TYPE_CHECKING:
    from flyvakt.detect.base import Context, WorldView
    from flyvakt.detect.state import DetectorState

_NOT_YET = -2  # FieldSearch: a row whose airport is not searched yet
# FieldSearch.level_with_all: QNH_TOL_FT less a foot, so that rounding in the sums can only
# leave a fix to the search (as before), never call one level that the search would not.
_LEVEL_IN_FT = R.QNH_TOL_FT - 1.0
# The emergency codes, compared one by one: three vectorised comparisons cost ~1 instruction
# per row, where np.isin sorts its arguments at every call and a 65,536-entry table lookup
# (the cast, then a gather) ~17 per row (every row of every step comes here: session 13).
_EMERGENCY_CODES = tuple(sorted(R.EMERGENCY_SQUAWKS))


def emergency(squawk: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.bool_]:
    """Per squawk (as in PositionBatch.squawk, -1 for none): whether it is an emergency code."""
    out: npt.NDArray[np.bool_] = squawk == _EMERGENCY_CODES[0]
    for code in _EMERGENCY_CODES[1:]:
        out |= squawk == code
    return out


# The search below and the rules' scalar one (Airports.near) may round a distance differently
# in the last bit: "no airport within FIELD_NM" is asked with this margin (~20 m), so that the
# answer never differs from the scalar search's.
REACH_MARGIN_NM = 0.01
# gap_prepass rounds coordinates up to this size in advance (lat/lon are within 180; far
# larger values would overflow NumPy's scaling by 10**5, not Python's round).
_ROUND5_MAX = 1000.0


class FieldSearch:
    """The batch's airport search: per row, the nearest airport within ``FIELD_NM`` (table
    row, -1 for none; ``airports_near(lat, lon, FIELD_NM)[0]`` but within rounding), each row
    searched at most once, only when asked about, and not at all where its 0.25° cell has no
    airport within reach (geo/cells.py). Both of the pre-pass's questions come here: the
    field near a low fix (the detector's ``_fields``) and "no field near" for a fix far above
    the ground (:meth:`far`), so a step costs one search, whatever its size."""

    def __init__(self, world: WorldView, p: PositionBatch) -> None:
        self.grid = world.airport_cells(R.FIELD_NM + REACH_MARGIN_NM)
        self.limit = max_chord2(R.FIELD_NM)
        self.lat, self.lon = p.lat_deg, p.lon_deg
        self.cell = self.grid.cells(p.lat_deg, p.lon_deg)
        # Per row: the nearest airport within FIELD_NM + REACH_MARGIN_NM, its chord length².
        self.found = np.where(self.cell >= 0, _NOT_YET, -1)
        self.chord2 = np.full(len(p), np.inf)
        self._highest: npt.NDArray[np.float64] | None = None

    def highest_ft(self) -> npt.NDArray[np.float64]:
        """Per row: no airport within ``FIELD_NM`` of it is higher than this (-inf: none).
        Computed once (the detector's ``_fields`` and :meth:`level_with_all` both ask)."""
        if self._highest is None:
            self._highest = self.grid.highest_ft(self.cell)
        return self._highest

    def level_with_all(self, alt_ft: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Per row (its altitude ``alt_ft``): whether it is within ``QNH_TOL_FT`` of the
        elevation of every airport that may lie within ``FIELD_NM`` of it (its cell's), so of
        its field's, whichever that is: the detector's "level" test answered without the
        search. (True where no airport is near: then there is no field to be level with.)"""
        with np.errstate(invalid="ignore"):
            return (alt_ft >= self.highest_ft() - _LEVEL_IN_FT) & (
                alt_ft <= self.grid.lowest_ft(self.cell) + _LEVEL_IN_FT
            )

    def search(self, rows: npt.NDArray[np.int64]) -> None:
        """Search those of ``rows`` not searched yet."""
        todo = rows[self.found[rows] == _NOT_YET]
        if len(todo):
            self.found[todo], self.chord2[todo] = self.grid.nearest(
                self.lat[todo], self.lon[todo], self.cell[todo], exact=False
            )

    def at(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The nearest airport within ``FIELD_NM`` of each of ``rows`` (-1 for none)."""
        self.search(rows)
        return np.where(self.chord2[rows] <= self.limit, self.found[rows], -1)

    def far(self, rows: npt.NDArray[np.int64], alt_ft: npt.NDArray[np.float64]) -> list[bool]:
        """Per row of ``rows`` (their altitudes ``alt_ft``): at or above ``SLOW_HIGH_FT`` with no
        airport within ``FIELD_NM`` (+ ``REACH_MARGIN_NM``), where
        :func:`~flyvakt.detect.evidence.absurd_alt` can only say no (its scalar search would
        find none): answered here in advance."""
        out = np.zeros(len(rows), np.bool_)
        high = np.flatnonzero(alt_ft >= R.SLOW_HIGH_FT)
        if len(high):
            self.search(rows[high])
            out[high] = self.found[rows[high]] < 0
        return out.tolist()


def ground_estimate(
    p: PositionBatch, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.bool_]:
    """The on-ground flag, or where unknown (some state-vector sets): altitude ≤ 0 (those data
    sets write 0 on the ground) or no altitude while slower than a taxiing aircraft. Per row of
    ``p``, or of ``rows`` of it only."""
    on, alt, gs = p.on_ground, p.altitude_baro_ft, p.groundspeed_kt
    if rows is not None:
        on, alt, gs = on[rows], alt[rows], gs[rows]
    guess = (alt <= 0) | (np.isnan(alt) & (gs < 50))
    return np.where(on >= 0, on == 1, guess)


def fix_columns(
    p: PositionBatch, ground: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64]
) -> list[list[Any]]:
    """Rows ``rows`` of ``p`` (``ground`` is per row of ``p``) as Python lists, one per
    :class:`Fix` field in order; only the columns a Fix needs are gathered."""
    return [
        p.time_s[rows].tolist(),
        p.lat_deg[rows].tolist(),
        p.lon_deg[rows].tolist(),
        p.altitude_baro_ft[rows].tolist(),
        p.groundspeed_kt[rows].tolist(),
        p.vertical_rate_fpm[rows].tolist(),
        ground[rows].tolist(),
        p.callsign[rows].tolist(),
        p.squawk[rows].tolist(),
        p.altitude_gnss_ft[rows].tolist(),
        (p.on_ground[rows] >= 0).tolist(),
    ]


def fix_at(p: PositionBatch, r: int) -> Fix:
    """Row ``r`` of ``p`` as a :class:`Fix`."""
    one = p.take(np.array([r]))
    return Fix(*(c[0] for c in fix_columns(one, ground_estimate(one), np.array([0]))))


def gap_prepass(
    ctx: Context,
    state: DetectorState,
    p: PositionBatch,
    rows: npt.NDArray[np.int64],
    start: npt.NDArray[np.bool_],
    rec: npt.NDArray[np.int64],
) -> None:
    """What the gap rules ask about the batch's hot fixes after a gap (``rows``), looked up for
    all of them at once and left in ``ctx`` with the same answers as the scalar look-ups: the
    airports within ``GROUND_AIRPORT_NM`` and ``FINAL_NM`` of the fix after each gap and of
    the fix before it (the row before, or the aircraft's recorded last fix: gaps.across_gap's
    airport on each side, its finals before (``final_fits``), its initial climb after), the
    time zone after it (``signal_regained``), and, before a gap the sweep has not said, the
    time zone of the fix before it (the signal-lost rule's ``signal_lost``) and the
    airports within ``CLOSE_NM`` of the fix before it (the signal-lost rule's ``final_to``).

    Searched only where a rule may ask: the gap rules' searches where the fix after the gap is
    on the ground (by its flag or estimate) or the fix before it may be low enough for a final
    (:func:`~flyvakt.detect.gaps.may_be_low_many`); with neither, an aircraft airborne before
    the gap asks none (its finals are none, and the climbs after it are asked only after a
    final or a landing: across_gap; most of a state-vector replay's 25,000 gaps, at cruise),
    and one that asks after all (on the ground before the gap at a cruise altitude, or landed
    since) searches alone, with the same answers. The signal-lost rule's search where the fix
    before may be within its reach (:func:`~flyvakt.detect.coverage.within_reach_many`). A fix
    the rules see otherwise (another last fix kept, a position not finite) is searched
    alone."""
    from flyvakt.detect.coverage import within_reach_many
    from flyvakt.detect.gaps import may_be_low_many

    if len(rows) == 0:
        return
    lf = state.lastfix.cols
    first = start[rows]
    before = np.where(first, 0, rows - 1)
    prev_lat = np.where(first, lf["lat"][rec], p.lat_deg[before])
    prev_lon = np.where(first, lf["lon"][rec], p.lon_deg[before])
    prev_alt = np.where(first, lf["alt"][rec], p.altitude_baro_ft[before])
    prev_gnss = np.where(first, lf["alt_gnss"][rec], p.altitude_gnss_ft[before])
    lat, lon = p.lat_deg[rows], p.lon_deg[rows]
    # Their gap details' coordinates, rounded as round(x, 5) (ctx.round5). Not 0 (0.0 and -0.0
    # are one key, with two roundings) nor beyond any coordinate (NumPy's scaling would
    # overflow where Python's round does not): those are rounded one by one.
    xs = np.r_[lat, prev_lat, lon, prev_lon]
    xs = xs[(np.abs(xs) <= _ROUND5_MAX) & (xs != 0)]  # NaN: not kept
    ctx.round5.update(zip(xs.tolist(), round_half_even_like_python(xs, 5).tolist(), strict=True))
    ask = ground_estimate(p, rows) | may_be_low_many(ctx, prev_alt, prev_gnss, R.FINAL_HEIGHT_FT)
    if ask.any():
        both_lat, both_lon = np.r_[lat[ask], prev_lat[ask]], np.r_[lon[ask], prev_lon[ask]]
        for radius in sorted({R.GROUND_AIRPORT_NM, R.FINAL_NM}):
            ctx.search_near(both_lat, both_lon, radius)
    unsaid = ~np.where(first, lf["lost"][rec], False)  # inside one batch, or not swept yet
    reach = unsaid & within_reach_many(ctx, prev_alt, prev_gnss)
    if reach.any():
        ctx.search_near(prev_lat[reach], prev_lon[reach], R.CLOSE_NM)
    # The zones after each gap (signal_regained) and before each gap not said yet (the
    # signal_lost that the coverage rule says then, through Context.event: 4,522 scalar
    # look-ups in a state-vector replay, at ~1.7 times the batch's cost a point).
    lat, lon = np.r_[lat, prev_lat[unsaid]], np.r_[lon, prev_lon[unsaid]]
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    lat, lon = lat[ok], lon[ok]
    zones = ctx.world.tz_many(lat, lon)
    ctx.tz_known.update(zip(zip(lat.tolist(), lon.tolist(), strict=True), zones, strict=True))
