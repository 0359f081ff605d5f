"""Flight events from accepted positions: takeoff, landing, stopover, go-around, airspace, ...

Shape of the work (DESIGN.md §1): positions arrive in batches sorted by (address, time). A
vectorised pre-pass marks the few rows that can matter ("hot" rows: ground/air flips, gaps,
emergency codes, low-altitude fixes, one country sample per aircraft per 20 s, first and last
fix); only those go through the per-aircraft state machine in Python. Everything else only
moves the aircraft's "last fix". That keeps detection a small fraction of the pipeline's cost.

Rules that protect users from a false "has landed" (DESIGN.md §4):
- an airport is named only on evidence: seen on the ground near it, or low and close;
- data that ends (or starts) at cruise names no airport: at most ``signal_lost``;
- a coverage gap is not a path: a landing hidden in a gap is ``inferred``, an airspace entry
  hidden in a gap is ``possible``;
- fixes under suspicion of GNSS spoofing never produce country events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.lastfix import LastFixes
from flyvakt.model import AirportRef, Event, PositionBatch


class WorldView(Protocol):
    def airports_near(
        self, lat_deg: float, lon_deg: float, radius_nm: float
    ) -> list[tuple[AirportRef, float]]: ...

    def country_at(self, lats_deg: Any, lons_deg: Any) -> npt.NDArray[np.object_]: ...

    def tz_at(self, lat_deg: float, lon_deg: float, airport: AirportRef | None = None) -> str: ...


@dataclass
class Fix:
    """One accepted position with the context the rules need."""

    t: float
    lat: float
    lon: float
    alt: float  # baro ft, NaN unknown
    gs: float
    vr: float
    ground: bool
    callsign: str | None
    squawk: int


@dataclass
class AircraftState:
    """Per-aircraft detector state (plain data, serialisable)."""

    icao24: int
    first: Fix | None = None
    last: Fix | None = None
    ground: bool | None = None  # committed phase; None until first fix
    flip_start: Fix | None = None  # first fix of a not-yet-confirmed opposite phase
    flip_prev: Fix | None = None  # the fix before it (last of the committed phase)
    flip_count: int = 0
    flip_max_gs: float = 0.0
    approach_checked_s: float = -math.inf
    spoof_ref: Fix | None = None  # the fix the position/velocity agreement is measured from
    spoof_count: int = 0  # consecutive intervals where positions and velocity disagree
    last_landing: Event | None = None
    country: str | None = None
    country_fix: Fix | None = None
    lost: bool = False
    low_min: Fix | None = None  # lowest fix of the current approach (go-around detection)
    low_airport: AirportRef | None = None
    emergency_code: int = -1
    emergency_since: float = math.nan
    emergency_reported: bool = False
    spoofing: bool = False
    callsign: str | None = None
    pending_country: Any = None  # _NO_SAMPLE when none; str | None otherwise
    pending_ref: Fix | None = None
    pending_fix: Fix | None = None
    pending_cross: Fix | None = None

    def __post_init__(self) -> None:
        self.pending_country = _NO_SAMPLE


@dataclass
class Detector:
    world: WorldView
    aircraft: dict[int, AircraftState] = field(default_factory=dict)
    last_sweep_s: float = -math.inf
    fleet_of: Any = None  # optional callable (icao24, time_s) -> list[str]
    lastfix: LastFixes = field(default_factory=LastFixes)
    pending: set[int] = field(default_factory=set)  # aircraft whose every fix matters now

    # -- public API -------------------------------------------------------------------------
    def step(self, positions: PositionBatch, now_s: float) -> list[Event]:
        out: list[Event] = []
        if len(positions):
            self._batch(positions, out)
        if now_s - self.last_sweep_s >= R.LOST_SWEEP_EVERY_S:
            self.last_sweep_s = now_s
            self._sweep_lost(now_s, out)
        return self._tag(out)

    def finish(self, now_s: float) -> list[Event]:
        """End of data: say what can be said about aircraft still airborne."""
        out: list[Event] = []
        for a, row in self.lastfix.index.items():
            if self.lastfix.cols["lost"][row]:
                continue
            st = self._state(a, row)
            if st.last is None or st.lost:
                continue
            self._confirm_pending(st, st.last, out, at_end=True)
            if st.ground:
                continue
            landed = self._infer_landing_at_end(st, out)
            if not landed:
                out.append(
                    self._event(
                        "signal_lost",
                        st,
                        st.last,
                        reason=("data ends with the aircraft airborne: no landing is named"),
                    )
                )
        return self._tag(out)

    # -- batch pre-pass ---------------------------------------------------------------------
    def _batch(self, p: PositionBatch, out: list[Event]) -> None:
        n = len(p)
        icao = p.icao24
        start = np.r_[True, icao[1:] != icao[:-1]]
        end = np.r_[icao[1:] != icao[:-1], True]
        starts = np.flatnonzero(start)
        gid = np.cumsum(start) - 1
        ac_rows = self.lastfix.rows_for(icao[starts])
        row_of = ac_rows[gid]
        ground = _ground_estimate(p)
        t = p.time_s
        lf = self.lastfix.cols
        # The fix before each fix: in the batch, or the aircraft's last fix from earlier batches.
        prev_t = np.r_[np.nan, t[:-1]]
        prev_t[starts] = lf["t"][ac_rows]
        prev_ground = np.r_[False, ground[:-1]]
        prev_ground[starts] = lf["ground"][ac_rows]
        new = np.isnan(prev_t)
        gap = ~new & (t - prev_t > R.SIGNAL_LOST_S)
        flip = ~new & (ground != prev_ground)
        alt = p.altitude_baro_ft
        # Low fixes matter for approaches and go-arounds; one per few seconds is enough.
        low = (
            ~ground
            & (alt < R.APPROACH_MAX_ALT_FT)
            & (np.floor(t / R.APPROACH_SAMPLE_S) != np.floor(prev_t / R.APPROACH_SAMPLE_S))
        )
        emerg = np.isin(p.squawk, list(R.EMERGENCY_SQUAWKS))
        sample = new | (np.floor(t / R.COUNTRY_SAMPLE_S) != np.floor(prev_t / R.COUNTRY_SAMPLE_S))
        hot = new | gap | flip | low | emerg | sample | (start & lf["lost"][row_of])
        # The fix before a hot one is needed to place its event.
        hot |= np.r_[hot[1:] & ~start[1:], False]
        # Aircraft with a pending flip or emergency code go fully hot.
        if self.pending:
            hot |= np.isin(icao, np.fromiter(self.pending, dtype=np.int64, count=len(self.pending)))
        # Once an aircraft flips in this batch, every later fix of it is needed for debouncing.
        if flip.any():
            flipped = np.flatnonzero(flip)
            first_flip = np.full(len(starts), n, dtype=np.int64)
            np.minimum.at(first_flip, gid[flipped], flipped)
            hot |= np.arange(n) >= first_flip[gid]
        idx = np.flatnonzero(hot)
        countries = self._countries(p, idx[sample[idx]])
        hot_p = p.take(idx)
        cols = _columns(hot_p, ground[idx])
        icao_l, start_l, row_l, gap_l = (
            icao[idx].tolist(), start[idx].tolist(), row_of[idx].tolist(), gap[idx].tolist()
        )  # fmt: skip
        for k, i in enumerate(idx.tolist()):
            a = icao_l[k]
            st = self.aircraft.get(a)
            if st is None:
                st = self.aircraft[a] = AircraftState(a)
            if start_l[k]:
                self._refresh(st, row_l[k])
            fx = Fix(*(c[k] for c in cols))
            # The gap flag comes from the vectorised pass: the previous *hot* fix is not
            # necessarily the previous fix.
            self._fix(st, fx, gap_l[k], countries.get(i, _NO_SAMPLE), p, i, out)
            if st.flip_start is not None or st.emergency_code >= 0:
                self.pending.add(a)
            else:
                self.pending.discard(a)
        ends = np.flatnonzero(end)
        self.lastfix.record(p, ends, ac_rows, ground)

    def _refresh(self, st: AircraftState, row: int) -> None:
        """Bring ``st.last`` up to the aircraft's last fix (recorded in columns)."""
        t = self.lastfix.cols["t"][row]
        if not np.isnan(t) and (st.last is None or st.last.t < t):
            st.last = Fix(*self.lastfix.values(row))
            if st.first is None:
                st.first = st.last

    def _countries(self, p: PositionBatch, rows: npt.NDArray[np.int64]) -> dict[int, str | None]:
        if len(rows) == 0:
            return {}
        found = self.world.country_at(p.lat_deg[rows], p.lon_deg[rows])
        return {
            int(r): (None if c is None else str(c))
            for r, c in zip(rows.tolist(), found.tolist(), strict=True)
        }

    # -- the per-aircraft state machine -----------------------------------------------------
    def _fix(
        self,
        st: AircraftState,
        fx: Fix,
        is_gap: bool | None,
        country: Any,
        p: PositionBatch,
        i: int,
        out: list[Event],
    ) -> None:
        if fx.callsign:
            st.callsign = fx.callsign
        prev = st.last
        if prev is not None and fx.t < prev.t:
            return  # late fix: already past it
        if prev is None:
            st.first = st.last = fx
            st.ground = fx.ground
            self._start_of_data(st, fx, out)
            if country is not _NO_SAMPLE:
                st.country, st.country_fix = country, fx
            return
        if is_gap or st.lost:
            self._after_gap(st, prev, fx, country, out)
        else:
            self._phase(st, prev, fx, out)
            if country is not _NO_SAMPLE:
                self._airspace(st, fx, country, p, i, out)
        self._approach(st, fx, out)
        self._emergency(st, fx, out)
        st.last = fx

    def _phase(self, st: AircraftState, prev: Fix, fx: Fix, out: list[Event]) -> None:
        if fx.ground == st.ground:
            st.flip_start = st.flip_prev = None
            st.flip_count = 0
            return
        if st.flip_start is None:
            st.flip_start, st.flip_prev, st.flip_count = fx, prev, 0
            st.flip_max_gs = 0.0
        st.flip_count += 1
        if not math.isnan(fx.gs):
            st.flip_max_gs = max(st.flip_max_gs, fx.gs)
        self._confirm_pending(st, fx, out, at_end=False)

    def _confirm_pending(
        self, st: AircraftState, fx: Fix, out: list[Event], *, at_end: bool
    ) -> None:
        fs = st.flip_start
        if fs is None or st.flip_prev is None:
            return
        held = fx.t - fs.t >= R.DEBOUNCE_S and st.flip_count >= R.DEBOUNCE_FIXES
        if not held and not (at_end and st.flip_count >= 2):
            return
        moved_nm = _dist(fx, st.flip_prev)
        if (
            not fs.ground
            and st.flip_max_gs < R.TAKEOFF_MIN_GS_KT
            and moved_nm < R.TAKEOFF_MIN_MOVE_NM
        ):
            # "Airborne" at taxi speed is a flapping ground flag, not a takeoff.
            st.flip_start = st.flip_prev = None
            st.flip_count = 0
            return
        before = st.flip_prev
        st.ground = fs.ground
        st.flip_start = st.flip_prev = None
        st.flip_count = 0
        if fs.ground:
            self._landing(st, fs, out, reason="seen airborne, then on the ground")
        else:
            self._takeoff(st, before, fs, out, reason="seen on the ground, then airborne")

    def _takeoff(
        self,
        st: AircraftState,
        ground_fix: Fix,
        air_fix: Fix,
        out: list[Event],
        *,
        reason: str,
        basis: str = "observed",
        confidence: float = 0.95,
    ) -> None:
        airport, cands = self._airport_for(ground_fix, R.GROUND_AIRPORT_NM)
        st.low_min = st.low_airport = None
        ev = self._event(
            "takeoff",
            st,
            air_fix,
            airport=airport,
            candidates=cands,
            reason=reason,
            basis=basis,
            confidence=confidence,
        )
        out.append(ev)
        last = st.last_landing
        if (
            last is not None
            and airport is not None
            and last.airport is not None
            and last.airport.icao == airport.icao
        ):
            on_ground_s = air_fix.t - last.time_s
            kind = "touch_and_go" if on_ground_s <= R.TOUCH_AND_GO_S else "stopover"
            stop = self._event(
                kind,
                st,
                ground_fix,
                airport=airport,
                reason=(
                    f"landed at {airport.icao} and took off again {_duration(on_ground_s)} later"
                ),
                basis="observed"
                if last.basis == "observed" and basis == "observed"
                else "inferred",
            )
            stop.time_s = last.time_s
            stop.details = {
                "arrival": last.time_iso,
                "departure": ev.time_iso,
                "on_ground_s": round(on_ground_s),
            }
            out.append(stop)
        st.last_landing = None

    def _landing(
        self,
        st: AircraftState,
        fx: Fix,
        out: list[Event],
        *,
        reason: str,
        basis: str = "observed",
        confidence: float = 0.95,
        airport: AirportRef | None = None,
        candidates: list[str] | None = None,
    ) -> None:
        if airport is None and candidates is None:
            airport, candidates = self._airport_for(fx, R.GROUND_AIRPORT_NM)
        ev = self._event(
            "landing",
            st,
            fx,
            airport=airport,
            candidates=candidates or [],
            reason=reason,
            basis=basis,
            confidence=confidence,
        )
        out.append(ev)
        st.last_landing = ev
        st.low_min = None

    def _airport_for(self, fx: Fix, radius_nm: float) -> tuple[AirportRef | None, list[str]]:
        near = self.world.airports_near(fx.lat, fx.lon, radius_nm)
        if not near:
            return None, []
        return near[0][0], [a.icao for a, _ in near[1:6]]

    def _start_of_data(self, st: AircraftState, fx: Fix, out: list[Event]) -> None:
        """A track that starts airborne names no takeoff, unless it starts just after lift-off."""
        if fx.ground or not fx.alt < R.START_AGL_FT + R.HIGHEST_AIRPORT_FT:
            return
        near = self.world.airports_near(fx.lat, fx.lon, R.START_NM)
        for ap, _d in near:
            agl = fx.alt - ap.elevation_ft
            if not math.isnan(agl) and agl <= R.START_AGL_FT and not (fx.vr < 0):
                self._takeoff(
                    st,
                    fx,
                    fx,
                    out,
                    basis="inferred",
                    confidence=0.6,
                    reason=(
                        f"first seen {agl:,.0f} ft above {ap.icao} and climbing, "
                        f"{_dist(fx, ap):.1f} NM away; lift-off not observed"
                    ),
                )
                return

    def _infer_landing_at_end(self, st: AircraftState, out: list[Event]) -> bool:
        fx = st.last
        assert fx is not None
        if fx.vr > 0 or not fx.alt <= R.HIGHEST_AIRPORT_FT + min(
            R.LOW_AGL_FT, R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * R.CLOSE_NM
        ):
            return False  # climbing, or too high above any airport: no search needed
        best: tuple[AirportRef, float, float] | None = None
        for ap, d in self.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM):
            agl = fx.alt - ap.elevation_ft
            if (
                math.isnan(agl)
                or agl > R.LOW_AGL_FT
                or agl > R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d
            ):
                continue
            if fx.vr > 0:
                continue  # climbing away is no landing
            if best is None or d < best[1]:
                best = (ap, d, agl)
        if best is None:
            return False
        ap, d, agl = best
        others = [
            a.icao
            for a, _ in self.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM)
            if a.icao != ap.icao
        ]
        self._landing(
            st,
            fx,
            out,
            basis="inferred",
            confidence=0.7,
            airport=ap,
            candidates=others[:5],
            reason=(
                f"last seen {agl:,.0f} ft above {ap.icao} elevation, {d:.1f} NM away, "
                "descending; touchdown not observed"
            ),
        )
        return True

    def _after_gap(
        self, st: AircraftState, prev: Fix, fx: Fix, country: Any, out: list[Event]
    ) -> None:
        gap_s = fx.t - prev.t
        if not st.lost:
            # The sweep did not see this gap (it fell inside one batch): say it now, so that
            # the events do not depend on where batches happen to be cut.
            self._lost(st, prev, out)
        st.lost = False
        regained = self._event(
            "signal_regained",
            st,
            fx,
            reason=(f"seen again after {_duration(gap_s)} without positions"),
        )
        regained.details = _gap_details(prev, fx)
        out.append(regained)
        st.flip_start = st.flip_prev = None
        st.flip_count = 0
        already = st.last_landing is not None and st.last_landing.time_s >= prev.t
        if already and not fx.ground and st.last_landing is not None:
            # Lost low (landing inferred), seen airborne again: it left again, or went around.
            ap = st.last_landing.airport
            out.append(
                self._event(
                    "takeoff", st, fx, airport=ap, basis="inferred", confidence=0.5,
                    reason=(
                        "seen airborne again after a landing inferred at the start of a "
                        f"{_duration(gap_s)} coverage gap"
                    ),
                )
            )  # fmt: skip
            out[-1].details = _gap_details(prev, fx)
            st.last_landing = None
        if not prev.ground and fx.ground and not already:
            ap, cands = self._airport_for(fx, R.GROUND_AIRPORT_NM)
            self._landing(
                st,
                fx,
                out,
                basis="inferred",
                confidence=0.8,
                airport=ap,
                candidates=cands,
                reason=(
                    f"airborne before a {_duration(gap_s)} coverage gap, on the ground "
                    "after it; the touchdown time lies inside the gap"
                ),
            )
            out[-1].details = _gap_details(prev, fx)
        elif prev.ground and not fx.ground:
            self._takeoff(
                st,
                prev,
                fx,
                out,
                basis="inferred",
                confidence=0.8,
                reason=(
                    f"on the ground before a {_duration(gap_s)} coverage gap, airborne after it"
                ),
            )
            out[-1].details = _gap_details(prev, fx)
        st.ground = fx.ground
        if country is not _NO_SAMPLE:
            if country != st.country and not st.spoofing:
                self._country_change(st, prev, fx, st.country, country, out, basis="possible")
            st.country, st.country_fix = country, fx

    def _airspace(
        self,
        st: AircraftState,
        fx: Fix,
        country: str | None,
        p: PositionBatch,
        i: int,
        out: list[Event],
    ) -> None:
        ref = st.spoof_ref
        if ref is None or fx.ground or fx.t - ref.t > R.SIGNAL_LOST_S:
            st.spoof_ref = ref = fx
        if fx.gs >= R.SPOOF_MIN_GS_KT and fx.t - ref.t >= R.SPOOF_MIN_DT_S:
            st.spoof_ref = fx
            flown = fx.gs * (fx.t - ref.t) / 3600.0
            ratio = _dist(fx, ref) / flown if flown > 0 else 1.0
            odd = ratio < R.SPOOF_RATIO_LOW or ratio > R.SPOOF_RATIO_HIGH
            st.spoof_count = st.spoof_count + 1 if odd else 0
            # One odd interval can be a tight orbit; spoofed positions stay wrong for minutes.
            suspect = st.spoof_count >= R.SPOOF_INTERVALS
            if suspect and not st.spoofing:
                ev = self._event(
                    "spoofing_suspected",
                    st,
                    fx,
                    basis="inferred",
                    confidence=0.6,
                    reason=(
                        f"positions moved {_dist(fx, ref):.1f} NM in {_duration(fx.t - ref.t)} "
                        "while the "
                        f"aircraft reported {fx.gs:.0f} kt ({flown:.1f} NM): positions kept out of "
                        "country events"
                    ),
                )
                out.append(ev)
            st.spoofing = suspect
        if st.spoofing:
            st.country_fix = fx
            return
        ref = st.country_fix
        if country == st.country:
            st.pending_country = _NO_SAMPLE
        elif ref is not None:
            if st.pending_country is _NO_SAMPLE or st.pending_country != country:
                # A new country must hold for a while: aircraft patrolling a 12 NM line would
                # otherwise produce an exit/entry pair every sample.
                st.pending_country, st.pending_ref, st.pending_fix = country, ref, fx
                st.pending_cross = self._crossing(ref, fx, country, p, i)
            elif fx.t - st.pending_fix.t >= R.COUNTRY_DWELL_S:  # type: ignore[union-attr]
                self._country_change(
                    st,
                    st.pending_ref or fx,
                    st.pending_cross or fx,
                    st.country,
                    country,
                    out,
                    basis="observed",
                )
                st.country = country
                st.pending_country = _NO_SAMPLE
        else:
            st.country = country
        st.country_fix = fx

    def _country_change(
        self,
        st: AircraftState,
        before: Fix,
        after: Fix,
        old: str | None,
        new: str | None,
        out: list[Event],
        *,
        basis: str,
    ) -> None:
        cross = after
        reason = (
            "observed crossing between consecutive positions"
            if basis == "observed"
            else f"country changed across a {_duration(after.t - before.t)} coverage gap: "
            "the crossing was not observed"
        )
        conf = 0.95 if basis == "observed" else 0.5
        if old is not None:
            ex = self._event(
                "airspace_exit", st, cross, basis=basis, confidence=conf, reason=reason
            )
            ex.country = old
            out.append(ex)
        if new is not None:
            en = self._event(
                "airspace_entry", st, cross, basis=basis, confidence=conf, reason=reason
            )
            en.country = new
            if basis != "observed":
                en.details = _gap_details(before, after)
            out.append(en)

    def _crossing(self, before: Fix, after: Fix, new: str | None, p: PositionBatch, i: int) -> Fix:
        """The first fix in the new country between two samples (the sample itself if none)."""
        lo = max(0, i - 2000)
        seg = slice(lo, i + 1)
        same = (p.icao24[seg] == p.icao24[i]) & (p.time_s[seg] > before.t)
        if not same.any():
            return after
        rows = np.flatnonzero(same) + lo
        cs = self.world.country_at(p.lat_deg[rows], p.lon_deg[rows])
        hit = np.flatnonzero(np.asarray([c == new for c in cs.tolist()]))
        if len(hit) == 0:
            return after
        r = int(rows[hit[0]])
        g = _ground_estimate(p.take(np.array([r])))
        return Fix(
            float(p.time_s[r]),
            float(p.lat_deg[r]),
            float(p.lon_deg[r]),
            float(p.altitude_baro_ft[r]),
            float(p.groundspeed_kt[r]),
            float(p.vertical_rate_fpm[r]),
            bool(g[0]),
            p.callsign[r],
            int(p.squawk[r]),
        )

    def _approach(self, st: AircraftState, fx: Fix, out: list[Event]) -> None:
        """Go-around: low near an airport, then a climb without touching down."""
        if fx.ground or math.isnan(fx.alt) or fx.alt >= R.APPROACH_MAX_ALT_FT:
            if fx.ground:
                st.low_min = None
            return
        if st.low_min is None and not fx.vr < R.APPROACH_MIN_DESCENT_FPM:
            return  # an approach starts with a descent, never with the climb after takeoff
        if st.low_min is None and fx.t - st.approach_checked_s < R.APPROACH_RECHECK_S:
            return  # no airport was near a moment ago: don't ask again at every fix
        if st.low_min is None or fx.alt < st.low_min.alt:
            near = (
                self.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM) if st.low_min is None else None
            )
            if near is not None:
                st.approach_checked_s = fx.t
                hit = [(a, d) for a, d in near if fx.alt - a.elevation_ft <= R.GO_AROUND_MAX_AGL_FT]
                if not hit:
                    return
                st.low_airport = hit[0][0]
            st.low_min = fx
            return
        if st.low_airport is not None and fx.alt - st.low_min.alt >= R.GO_AROUND_CLIMB_FT:
            lm = st.low_min
            # The airport of the go-around is the one nearest the lowest point, not the one
            # nearest where the descent began.
            near_low = [
                a
                for a, _d in self.world.airports_near(lm.lat, lm.lon, R.CLOSE_NM)
                if lm.alt - a.elevation_ft <= R.GO_AROUND_MAX_AGL_FT
            ]
            if near_low:
                st.low_airport = near_low[0]
            if (
                lm.alt - st.low_airport.elevation_ft <= R.GO_AROUND_MAX_AGL_FT
                and st.first is not lm
            ):
                out.append(
                    self._event(
                        "go_around",
                        st,
                        lm,
                        airport=st.low_airport,
                        reason=(
                            f"descended to {lm.alt - st.low_airport.elevation_ft:,.0f} ft above "
                            f"{st.low_airport.icao}, then climbed {fx.alt - lm.alt:,.0f} ft "
                            "without touching down"
                        ),
                    )
                )
            st.low_min = None
            st.low_airport = None

    def _emergency(self, st: AircraftState, fx: Fix, out: list[Event]) -> None:
        code = fx.squawk
        if code not in R.EMERGENCY_SQUAWKS:
            st.emergency_code, st.emergency_reported = -1, False
            return
        if code != st.emergency_code:
            st.emergency_code, st.emergency_since, st.emergency_reported = code, fx.t, False
        if not st.emergency_reported and fx.t - st.emergency_since >= R.EMERGENCY_HOLD_S:
            st.emergency_reported = True
            meaning = {7500: "unlawful interference", 7600: "radio failure", 7700: "emergency"}[
                code
            ]
            ev = self._event(
                "emergency_squawk",
                st,
                fx,
                reason=f"squawking {code} ({meaning}) for {_duration(fx.t - st.emergency_since)}",
            )
            ev.time_s = st.emergency_since
            ev.details = {"squawk": f"{code:04d}", "meaning": meaning}
            out.append(ev)

    def _sweep_lost(self, now_s: float, out: list[Event]) -> None:
        lf = self.lastfix
        t = lf.cols["t"][: lf.size]
        with np.errstate(invalid="ignore"):
            gone = np.flatnonzero(~lf.cols["lost"][: lf.size] & (now_s - t > R.SIGNAL_LOST_S))
        for row in gone.tolist():
            lf.cols["lost"][row] = True
            st = self._state(int(lf.cols["icao24"][row]), row)
            if st.last is None:
                continue
            st.lost = True
            self._lost(st, st.last, out)

    def _lost(self, st: AircraftState, last: Fix, out: list[Event]) -> None:
        """Signal lost after ``last``: an inferred landing if lost low and close on a descent
        (a live feed has no end of data), else ``signal_lost`` with the last known state."""
        st.lost = True
        if (
            not last.ground
            and st.flip_start is None
            and st.last is last
            and self._infer_landing_at_end(st, out)
        ):
            out[-1].details["signal_lost_after"] = True
            return
        ev = self._event(
            "signal_lost",
            st,
            last,
            reason=(
                f"no position for more than {_duration(R.SIGNAL_LOST_S)}; last known state given"
            ),
        )
        ev.details = {"on_ground": last.ground}
        out.append(ev)

    def _state(self, icao24: int, row: int) -> AircraftState:
        st = self.aircraft.get(icao24)
        if st is None:
            st = self.aircraft[icao24] = AircraftState(icao24)
        self._refresh(st, row)
        return st

    # -- helpers ----------------------------------------------------------------------------
    def _event(
        self,
        kind: str,
        st: AircraftState,
        fx: Fix,
        *,
        airport: AirportRef | None = None,
        candidates: list[str] | None = None,
        reason: str = "",
        basis: str = "observed",
        confidence: float = 0.95,
    ) -> Event:
        tz = self.world.tz_at(fx.lat, fx.lon, airport)
        country = airport.country if airport is not None else None
        return Event(
            type=kind,  # type: ignore[arg-type]
            icao24=f"{st.icao24:06x}",
            time_s=fx.t,
            callsign=st.callsign,
            airport=airport,
            country=country,
            basis=basis,  # type: ignore[arg-type]
            confidence=confidence,
            reason=reason,
            candidates=candidates or [],
            lat=fx.lat,
            lon=fx.lon,
            altitude_baro_ft=None if math.isnan(fx.alt) else fx.alt,
            local_tz=tz,
        )

    def _tag(self, events: list[Event]) -> list[Event]:
        if self.fleet_of is not None:
            for e in events:
                e.fleet = list(self.fleet_of(int(e.icao24, 16), e.time_s))
        events.sort(key=lambda e: e.time_s)
        return events


_NO_SAMPLE: Any = object()


def _ground_estimate(p: PositionBatch) -> npt.NDArray[np.bool_]:
    """The on-ground flag, or where unknown (some state-vector sets): altitude ≤ 0 (those data
    sets write 0 on the ground) or no altitude while slower than a taxiing aircraft."""
    known = p.on_ground >= 0
    alt = p.altitude_baro_ft
    guess = (alt <= 0) | (np.isnan(alt) & (p.groundspeed_kt < 50))
    return np.where(known, p.on_ground == 1, guess)


def _columns(p: PositionBatch, ground: npt.NDArray[np.bool_]) -> list[list[Any]]:
    return [
        p.time_s.tolist(),
        p.lat_deg.tolist(),
        p.lon_deg.tolist(),
        p.altitude_baro_ft.tolist(),
        p.groundspeed_kt.tolist(),
        p.vertical_rate_fpm.tolist(),
        ground.tolist(),
        p.callsign.tolist(),
        p.squawk.tolist(),
    ]


def _dist(a: Fix, b: Any) -> float:
    lat2 = b.lat if isinstance(b, Fix) else b.lat_deg
    lon2 = b.lon if isinstance(b, Fix) else b.lon_deg
    p1, p2 = math.radians(a.lat), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - a.lon) / 2) ** 2
    )
    return 2 * 3440.065 * math.asin(min(1.0, math.sqrt(h)))


def _duration(s: float) -> str:
    s = abs(s)
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def _gap_details(before: Fix, after: Fix) -> dict[str, Any]:
    from flyvakt.model.events import iso_utc

    return {
        "gap": {
            "start": iso_utc(before.t),
            "end": iso_utc(after.t),
            "last_known": {
                "lat": round(before.lat, 5),
                "lon": round(before.lon, 5),
                "altitude_baro_ft": None if math.isnan(before.alt) else round(before.alt),
                "on_ground": before.ground,
            },
            "first_after": {
                "lat": round(after.lat, 5),
                "lon": round(after.lon, 5),
                "altitude_baro_ft": None if math.isnan(after.alt) else round(after.alt),
                "on_ground": after.ground,
            },
        }
    }
