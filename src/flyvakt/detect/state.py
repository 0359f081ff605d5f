"""Detector state: plain, serialisable data keyed by icao24 (no sentinels, no closures).

Everything that outlives a batch lives here, so that a checkpoint is this data and nothing else
(DESIGN.md §1): per-aircraft :class:`AircraftState` records, the columnar last fixes
(:class:`~flyvakt.detect.lastfix.LastFixes`) and the sweep clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Generic, TypeVar, cast, overload

from flyvakt.detect.lastfix import LastFixes
from flyvakt.detect.tails import SampleTails
from flyvakt.model import AirportRef, Event

T = TypeVar("T")


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
class Rare:
    """The fields of :class:`AircraftState` that hold their defaults for nearly every aircraft
    (a pending flip's tally, an approach's airport, an emergency's start, a country waiting
    out its dwell time, a lift-off candidate's details, the landing before one inferred): made
    on an aircraft's first write of another value (:class:`_RareField`), so that most states
    carry one slot for them, not eighteen. Why: every new aircraft builds a state (5,000 in
    bench_pipeline's burst, 49,000 at 50,000 aircraft in bench_e2e's sweep), and the garbage
    collector walks each slot of each state at every collection that reaches it."""

    flip_prev: Fix | None = None  # the fix before flip_start (last of the committed phase)
    flip_count: int = 0
    flip_max_gs: float = 0.0
    flip_votes: int = 0
    flip_against: int = 0
    flip_strong: bool = False  # a physics vote or an uncontradicted ground flag among them
    # Kept for the checkpoint format (never filled): the empty tuple, not one list per aircraft.
    flip_fixes: tuple[Fix, ...] = ()
    flip_why: str = ""
    low_airport: AirportRef | None = None
    low_why: str = ""  # why the lowest point is no go-around's ("" = the evidence is there)
    emergency_since: float = math.nan
    pending_country: str | None = None
    pending_ref: Fix | None = None
    pending_fix: Fix | None = None
    pending_cross: Fix | None = None
    # The last landing before one inferred when the signal was lost (CoverageRule.land_lost):
    # what the state holds again if the aircraft is seen after all (CoverageRule.rejudge).
    landing_before_lost: Event | None = None
    lift_flagged: bool = False  # the lift-off candidate was flagged on the surface, no altitude
    lift_short: bool = False  # the interval was under LIFT_GAP_MIN_S: two fixes at the reading


_RARE_DEFAULT = Rare()


class _RareField(Generic[T]):
    """An :class:`AircraftState` attribute kept in its :class:`Rare` (``AircraftState.rare``):
    read, its default while the state has none; written, a ``Rare`` made only for a value
    other than the default (of the default's type: ``0`` is no ``0.0``), so that the value
    read back is always the one written."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.default: T = getattr(_RARE_DEFAULT, name)

    @overload
    def __get__(self, st: None, owner: type[Any]) -> _RareField[T]: ...
    @overload
    def __get__(self, st: AircraftState, owner: type[Any]) -> T: ...
    def __get__(self, st: AircraftState | None, owner: type[Any]) -> T | _RareField[T]:
        if st is None:
            return self
        r = st.rare
        return self.default if r is None else cast(T, getattr(r, self.name))

    def __set__(self, st: AircraftState, value: T) -> None:
        r = st.rare
        if r is None:
            d = self.default
            if value is d or (
                type(value) is type(d) and (value == d or (value != value and d != d))
            ):
                return  # the default (a NaN for a NaN default): nothing to keep
            r = st.rare = Rare()
        setattr(r, self.name, value)


@dataclass(slots=True, eq=False)
class AircraftState:
    """Per-aircraft detector state (plain data, serialisable). The fields of :class:`Rare`
    are read and written as attributes of the state too (:class:`_RareField`); ``FIELDS``
    names all of them in the checkpoint's order, and the state compares by them."""

    icao24: int
    first: Fix | None = None
    last: Fix | None = None
    ground: bool | None = None  # committed phase; None until first fix
    flip_start: Fix | None = None  # first fix of a not-yet-confirmed opposite phase
    approach_checked_s: float = -math.inf
    spoof_ref: Fix | None = None  # the fix the position/velocity agreement is measured from
    spoof_count: int = 0  # consecutive intervals where positions and velocity disagree
    last_landing: Event | None = None
    country: str | None = None
    country_fix: Fix | None = None
    lost: bool = False
    low_min: Fix | None = None  # lowest fix of the current approach (go-around detection)
    emergency_code: int = -1
    emergency_reported: bool = False
    spoofing: bool = False
    callsign: str | None = None
    pending_active: bool = False  # a new country is waiting out its dwell time
    # Evidence model (evidence.py): recent hot fixes for trends, the field nearby and the ground
    # reference of its pressure altitude, the votes and fixes of a pending phase flip.
    recent: list[Fix] = field(default_factory=list)
    field_icao: str | None = None
    ref_baro_ft: float = math.nan
    alt_ok_t: float = math.nan  # last plausible pressure altitude and its time
    alt_ok_ft: float = math.nan
    landing_pending: bool = False  # lost on an approach: landing inferred if not seen again
    start_pending: bool = False  # first fix low near a field: takeoff decided by the trend
    # A first fix over a runway after an interval (phase.py, lift-off after an interval): the
    # fix before the interval, that fix, and its field, until a climb confirms or time runs out.
    lift_before: Fix | None = None
    lift_cand: Fix | None = None
    lift_field: AirportRef | None = None
    # No fix in ``recent`` with an altitude (baro or GNSS) is later than this; NaN: not known
    # (a state from a checkpoint written before session 14, or a ring given whole), and
    # evidence.carried_alt then works it out from the ring. It ends carried_alt's scan of the
    # ring at once for a taxiing aircraft whose fixes carry no altitude (most surface fixes).
    alt_t: float = math.nan
    rare: Rare | None = None  # the fields below, made on first use

    flip_prev = _RareField[Fix | None]("flip_prev")
    flip_count = _RareField[int]("flip_count")
    flip_max_gs = _RareField[float]("flip_max_gs")
    flip_votes = _RareField[int]("flip_votes")
    flip_against = _RareField[int]("flip_against")
    flip_strong = _RareField[bool]("flip_strong")
    flip_fixes = _RareField[tuple[Fix, ...]]("flip_fixes")
    flip_why = _RareField[str]("flip_why")
    low_airport = _RareField[AirportRef | None]("low_airport")
    low_why = _RareField[str]("low_why")
    emergency_since = _RareField[float]("emergency_since")
    pending_country = _RareField[str | None]("pending_country")
    pending_ref = _RareField[Fix | None]("pending_ref")
    pending_fix = _RareField[Fix | None]("pending_fix")
    pending_cross = _RareField[Fix | None]("pending_cross")
    landing_before_lost = _RareField[Event | None]("landing_before_lost")
    lift_flagged = _RareField[bool]("lift_flagged")
    lift_short = _RareField[bool]("lift_short")

    # Every field, in the order of the checkpoint's map (the order of the single class that
    # held them all until session 15, alt_t last): checkpoints stay the same bytes.
    FIELDS: ClassVar[tuple[str, ...]] = (
        "icao24", "first", "last", "ground", "flip_start", "flip_prev", "flip_count",
        "flip_max_gs", "approach_checked_s", "spoof_ref", "spoof_count", "last_landing",
        "country", "country_fix", "lost", "low_min", "low_airport", "low_why", "emergency_code",
        "emergency_since", "emergency_reported", "spoofing", "callsign", "pending_active",
        "pending_country", "pending_ref", "pending_fix", "pending_cross", "recent", "field_icao",
        "ref_baro_ft", "flip_votes", "flip_against", "flip_strong", "flip_fixes", "flip_why",
        "alt_ok_t", "alt_ok_ft", "landing_pending", "landing_before_lost", "start_pending",
        "lift_before", "lift_cand", "lift_field", "lift_flagged", "lift_short", "alt_t",
    )  # fmt: skip

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> AircraftState:
        """A state from its fields by name (any of ``FIELDS``; a missing one keeps its
        default): the checkpoint's decoder."""
        rare = {k: v for k, v in values.items() if k in _RARE_NAMES}
        st = cls(**{k: v for k, v in values.items() if k not in _RARE_NAMES})
        for k, v in rare.items():
            setattr(st, k, v)
        return st

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        # As the generated __eq__ compared: tuples of the fields (a value is equal to itself,
        # the NaN defaults too).
        return tuple(getattr(self, n) for n in self.FIELDS) == tuple(
            getattr(other, n) for n in self.FIELDS
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value


_RARE_NAMES = frozenset(f.name for f in fields(Rare))


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
