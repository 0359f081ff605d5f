"""Detector state: plain, serialisable data keyed by icao24 (no sentinels, no closures).

Everything that outlives a batch lives here, so that a checkpoint is this data and nothing else
(DESIGN.md §1): per-aircraft :class:`AircraftState` records, the columnar last fixes
(:class:`~flyvakt.detect.lastfix.LastFixes`) and the sweep clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flyvakt.detect.lastfix import LastFixes
from flyvakt.detect.tails import SampleTails
from flyvakt.model import AirportRef, Event


@dataclass(slots=True)
class Fix:
    """One accepted position with the context the rules need. NaN = unknown (never a default)."""

    t: float
    lat: float
    lon: float
    alt: float  # baro ft, NaN unknown
    gs: float
    vr: float
    ground: bool
    callsign: str | None
    squawk: int
    alt_gnss: float = math.nan  # geometric ft, NaN unknown
    ground_known: bool = True  # False: ``ground`` is an estimate, the source sent no flag


@dataclass(slots=True)
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
    low_why: str = ""  # why the lowest point is no go-around's ("" = the evidence is there)
    emergency_code: int = -1
    emergency_since: float = math.nan
    emergency_reported: bool = False
    spoofing: bool = False
    callsign: str | None = None
    pending_active: bool = False  # a new country is waiting out its dwell time
    pending_country: str | None = None
    pending_ref: Fix | None = None
    pending_fix: Fix | None = None
    pending_cross: Fix | None = None
    # Evidence model (evidence.py): recent hot fixes for trends, the field nearby and the ground
    # reference of its pressure altitude, the votes and fixes of a pending phase flip.
    recent: list[Fix] = field(default_factory=list)
    field_icao: str | None = None
    ref_baro_ft: float = math.nan
    flip_votes: int = 0
    flip_against: int = 0
    flip_strong: bool = False  # a physics vote or an uncontradicted ground flag among them
    # Kept for the checkpoint format (never filled): the empty tuple, not one list per aircraft
    # (each list is one more object for the garbage collector to walk at every full pass).
    flip_fixes: tuple[Fix, ...] = ()
    flip_why: str = ""
    alt_ok_t: float = math.nan  # last plausible pressure altitude and its time
    alt_ok_ft: float = math.nan
    landing_pending: bool = False  # lost on an approach: landing inferred if not seen again
    # The last landing before one inferred when the signal was lost (CoverageRule.land_lost):
    # what the state holds again if the aircraft is seen after all (CoverageRule.rejudge).
    landing_before_lost: Event | None = None
    start_pending: bool = False  # first fix low near a field: takeoff decided by the trend
    # A first fix over a runway after an interval (phase.py, lift-off after an interval): the
    # fix before the interval, that fix, and its field, until a climb confirms or time runs out.
    lift_before: Fix | None = None
    lift_cand: Fix | None = None
    lift_field: AirportRef | None = None
    lift_flagged: bool = False  # that fix was flagged on the surface without an altitude
    lift_short: bool = False  # the interval was under LIFT_GAP_MIN_S: two fixes at the reading
    # No fix in ``recent`` with an altitude (baro or GNSS) is later than this; NaN: not known
    # (a state from a checkpoint written before session 14, or a ring given whole), and
    # evidence.carried_alt then works it out from the ring. It ends carried_alt's scan of the
    # ring at once for a taxiing aircraft whose fixes carry no altitude (most surface fixes).
    alt_t: float = math.nan


@dataclass
class DetectorState:
    """All detector state: per-aircraft records, the last fix of each aircraft in columns,
    the data time of the last signal-lost sweep, and the aircraft whose every fix matters."""

    aircraft: dict[int, AircraftState] = field(default_factory=dict)
    lastfix: LastFixes = field(default_factory=LastFixes)
    last_sweep_s: float = -math.inf
    pending: set[int] = field(default_factory=set)
    # Ground references of pressure altitude per airport and aircraft ("ICAO icao24" ->
    # [(baro ft, data time s)] in time order, the last GROUND_REF_S; gaps.ref_key), learned
    # from its own taxi there: never shared, each aircraft's encoder reads the runway its way.
    ground_refs: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    # Aircraft lost on an approach, waiting LOST_LANDING_S before their landing is inferred.
    awaiting: set[int] = field(default_factory=set)
    # Each aircraft's fixes of its latest country-sample period, for crossings located across
    # a batch edge (detect/tails.py).
    tails: SampleTails = field(default_factory=SampleTails)

    def get(self, icao24: int) -> AircraftState:
        st = self.aircraft.get(icao24)
        if st is None:
            st = self.aircraft[icao24] = AircraftState(icao24)
        return st
