"""Judge a claim against evidence: ``supported``, ``contradicted`` or ``unverifiable``.

Pure: the evidence (events as JSON dicts, fixes per aircraft, the data horizon) comes in, a
Verdict goes out. The rule that matters most: **no data is never contradicted**. A claim is
contradicted only where the aircraft is positively observed somewhere else at the time; a
coverage gap around the time makes the claim unverifiable, and the verdict says where the gap
starts and ends and where the aircraft was last seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from flyvakt.model.events import iso_utc
from flyvakt.verify.claims import INTERVAL_PREDICATES, Claim

if TYPE_CHECKING:
    from flyvakt.verify.reach import AirspaceFinding

VerdictKind = Literal["supported", "contradicted", "unverifiable"]

# A fix this close to the claim time says where the aircraft was at that time: an airliner
# cannot take off, fly to another country and land in much less (the brief's ±15 min rule).
NEAR_S = 15 * 60.0
# For "in the airspace of"/"airborne" the aircraft moves ~8 NM a minute at cruise, so only a
# fix within a couple of minutes places it; beyond that the answer is a gap, not a guess.
AIRSPACE_NEAR_S = 120.0
# On the ground this close to an airport reference point means "at that airport"
# (large airports' aprons lie 1–3 NM from the reference point).
AT_AIRPORT_NM = 4.0
# A claim time inside a coverage gap longer than this, decided by an event inferred inside the
# gap, needs evidence of the event's airport on both sides of the gap (docs/accuracy.md, the
# detector's GAP_NAME_S): in 5 minutes a light aircraft flies 8-10 NM, past several airports.
GAP_S = 300.0
# Evidence of an airport on one side of a gap: within this of it (a circuit, a short final)...
GAP_NEAR_NM = 5.0
# ... and on the ground, or at most this far above its elevation (pressure altitude reads up to
# ~600 ft off with the weather; a circuit is flown at 1,000 ft).
GAP_LOW_FT = 2000.0
# Without an on-ground bit, this low counts as on the ground (field elevation is unknown here;
# kept low so a low approach is never taken for "on the ground").
GROUND_ALT_FT = 300.0


@dataclass
class Fixes:
    """Positions of one aircraft in time order (columns as in PositionBatch)."""

    time_s: npt.NDArray[np.float64]
    lat_deg: npt.NDArray[np.float64]
    lon_deg: npt.NDArray[np.float64]
    altitude_baro_ft: npt.NDArray[np.float64]
    on_ground: npt.NDArray[np.int8]


@dataclass
class Evidence:
    """What the verdict may use. ``members`` are the aircraft the claim is about (hex)."""

    members: list[str]
    events: list[dict[str, Any]]
    fixes: dict[str, Fixes]
    data_through_s: float | None
    registrations: dict[str, str] = field(default_factory=dict)  # hex → registration
    types: dict[str, str] = field(default_factory=dict)  # hex → ICAO type designator


@dataclass
class Verdict:
    claim: Claim
    verdict: VerdictKind
    summary: str
    rule: str
    evidence: dict[str, Any]
    data_through_s: float | None
    basis: str | None = None  # "observed" | "inferred" for a supported/contradicted verdict

    def to_json(self) -> dict[str, Any]:
        from flyvakt.verify.terms import term_key

        return {
            "claim": self.claim.to_json(),
            "verdict": self.verdict,
            "basis": self.basis,
            "term": term_key(self.verdict, self.basis),
            "as_of": iso_utc(self.claim.at_s),
            "time_basis": self.claim.time_basis,
            "summary": self.summary,
            "evidence": self.evidence,
            "rule": self.rule,
            "data_through": None if self.data_through_s is None else iso_utc(self.data_through_s),
        }


@dataclass
class _Place:
    """Where one fix puts the aircraft."""

    time_s: float
    lat: float
    lon: float
    alt_ft: float | None
    on_ground: bool
    airport: dict[str, Any] | None
    country: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "time": iso_utc(self.time_s),
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "altitude_baro_ft": None if self.alt_ft is None else round(self.alt_ft),
            "on_ground": self.on_ground,
            "airport": self.airport,
            "country": self.country,
        }


@dataclass
class MemberResult:
    icao24: str
    outcome: VerdictKind
    rule: str
    deciding: list[dict[str, Any]] = field(default_factory=list)
    place: _Place | None = None
    before: _Place | None = None
    after: _Place | None = None
    gap: dict[str, Any] | None = None
    airspace: AirspaceFinding | None = None
    basis: str = "observed"
    registration: str | None = None
    callsign: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "icao24": self.icao24,
            "registration": self.registration,
            "outcome": self.outcome,
            "basis": self.basis,
            "rule": self.rule,
            "events": self.deciding,
            "last_fix_before": None if self.before is None else self.before.to_json(),
            "first_fix_after": None if self.after is None else self.after.to_json(),
            "gap": self.gap,
        }
        if self.airspace is not None:
            out["airspace"] = self.airspace.to_json()
        return out


# "Not in the data" for a fleet member: no fix within a day of the claim time (a state visit's
# aircraft are seen on the day; the rest of a government fleet is elsewhere or parked unseen).
ABSENT_WINDOW_S = 24 * 3600.0


def _absent(fx: Fixes | None, at_s: float) -> bool:
    if fx is None or fx.time_s.size == 0:
        return True
    return bool(np.all(np.abs(fx.time_s - at_s) > ABSENT_WINDOW_S))


def event_time(ev: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(ev["time"]).replace("Z", "+00:00")).timestamp()


def place_at(fx: Fixes, i: int) -> _Place:
    from flyvakt.geo import get_world

    lat, lon = float(fx.lat_deg[i]), float(fx.lon_deg[i])
    alt = float(fx.altitude_baro_ft[i])
    alt_ft = None if np.isnan(alt) else alt
    og = int(fx.on_ground[i])
    ground = og == 1 or (og == -1 and alt_ft is not None and alt_ft <= GROUND_ALT_FT)
    world = get_world()
    airport = None
    country = world.country_at_point(lat, lon)
    if ground:
        near = world.airports_near(lat, lon, AT_AIRPORT_NM)
        if near:
            ref = near[0][0]
            airport = ref.to_json()
            country = ref.country
    return _Place(float(fx.time_s[i]), lat, lon, alt_ft, ground, airport, country)


def fixes_around(fx: Fixes | None, at_s: float) -> tuple[_Place | None, _Place | None]:
    """Last fix at or before ``at_s`` and first fix after it."""
    if fx is None or fx.time_s.size == 0:
        return None, None
    k = int(np.searchsorted(fx.time_s, at_s, side="right"))
    before = place_at(fx, k - 1) if k > 0 else None
    after = place_at(fx, k) if k < fx.time_s.size else None
    return before, after


def closest_place(
    before: _Place | None, after: _Place | None, at_s: float, near_s: float
) -> _Place | None:
    cands = [p for p in (before, after) if p is not None and abs(p.time_s - at_s) <= near_s]
    return min(cands, key=lambda p: abs(p.time_s - at_s)) if cands else None


def gap_between(before: _Place | None, after: _Place | None) -> dict[str, Any]:
    span = None if before is None or after is None else round(after.time_s - before.time_s)
    return {
        "start": None if before is None else iso_utc(before.time_s),
        "end": None if after is None else iso_utc(after.time_s),
        "duration_s": span,
        "last_known": None if before is None else before.to_json(),
    }


def inside_gap(
    event: dict[str, Any], before: _Place | None, after: _Place | None, at_s: float
) -> dict[str, Any] | None:
    """The gap (as :func:`gap_between`) when ``at_s`` lies inside a coverage gap longer than
    ``GAP_S``, ``event`` is inferred inside it, and the fixes on its two sides do not both put the
    aircraft on or low near the event's airport; else None. Then nothing seen says whether the
    event had happened by ``at_s``: the claim is unverifiable, naming the gap."""
    if before is None or after is None or after.time_s - before.time_s <= GAP_S:
        return None
    if not before.time_s < at_s < after.time_s or event.get("basis") != "inferred":
        return None
    if not before.time_s - 1.0 <= event_time(event) <= after.time_s + 1.0:
        return None
    icao = (event.get("airport") or {}).get("icao")
    if icao and _low_near(before, icao) and _low_near(after, icao):
        return None
    return gap_between(before, after)


def _low_near(p: _Place, icao: str) -> bool:
    from flyvakt.geo import get_world

    for ap, _d in get_world().airports_near(p.lat, p.lon, GAP_NEAR_NM):
        if ap.icao == icao:
            low = p.alt_ft is not None and p.alt_ft <= ap.elevation_ft + GAP_LOW_FT
            return p.on_ground or low
    return False


def place_matches(claim: Claim, airport: dict[str, Any] | None, country: str | None) -> bool:
    """Is this place the claim's place (an airport, one of a city's airports, a country)?"""
    if claim.object_kind in ("airport", "city"):
        return airport is not None and airport.get("icao") in claim.airports
    if airport is not None and airport.get("country"):
        return bool(airport.get("country") == claim.object)
    return country == claim.object


def all_candidates_in(claim: Claim, event: dict[str, Any]) -> bool:
    """An inferred landing that names no airport ("landed somewhere": signal lost or data ended
    on an approach, not on short final) still places the aircraft when every airport within
    reach of its last fix is the claim's place: the detector lists them all as candidates and
    says so (``details.candidates_within_nm``). The place is a country (every candidate lies
    there), an airport (it is the only candidate) or a city (every candidate is one of the
    city's airports, as ``places`` defines them). The uncertainty is the same for all three:
    whether it landed at all, not where. Supported, then, is inferred, not observed."""
    from flyvakt.geo import get_world

    if claim.object_kind is None or event.get("airport"):
        return False
    if event.get("basis") != "inferred" or "candidates_within_nm" not in (
        event.get("details") or {}
    ):
        return False
    codes = [str(c) for c in event.get("candidates") or []]
    if not codes:
        return False
    if claim.object_kind in ("airport", "city"):
        return all(c in claim.airports for c in codes)
    world = get_world()
    refs = [world.airport(c) for c in codes]
    return all(r is not None and r.country == claim.object for r in refs)


def _judge_member(claim: Claim, icao24: str, ev: Evidence) -> MemberResult:
    t = claim.at_s
    since = claim.since_s if claim.since_s is not None else -np.inf
    mine = [e for e in ev.events if e.get("icao24") == icao24]
    before, after = fixes_around(ev.fixes.get(icao24), t)
    res = MemberResult(icao24, "unverifiable", "coverage_gap", before=before, after=after)
    pred = claim.predicate

    if pred in ("landed_in", "landed_at", "departed_from"):
        want = "takeoff" if pred == "departed_from" else "landing"
        hits = [
            e
            for e in mine
            if e.get("type") == want
            and since <= event_time(e) <= t
            and (
                place_matches(claim, e.get("airport"), e.get("country"))
                or (want == "landing" and all_candidates_in(claim, e))
            )
        ]
        if hits:
            last = hits[-1]
            later_takeoffs = [
                e
                for e in mine
                if want == "landing"
                and e.get("type") == "takeoff"
                and event_time(last) < event_time(e) <= t
            ]
            inside = inside_gap(last, before, after, t)
            if inside is not None and not later_takeoffs:
                res.deciding, res.gap, res.rule = [last], inside, "inside_gap_without_evidence"
                res.basis = "inferred"
                return res
            if not later_takeoffs:
                res.outcome, res.deciding = "supported", [last]
                res.basis = str(last.get("basis") or "observed")
                res.rule = f"{want}_event_{res.basis}"
                return res
            res.deciding = [last, later_takeoffs[-1]]
        near = closest_place(before, after, t, NEAR_S)
        if near is None:
            res.gap = gap_between(before, after)
            return res
        res.place = near
        if pred == "departed_from":
            if near.on_ground and place_matches(claim, near.airport, near.country):
                res.outcome, res.rule = "contradicted", "on_ground_at_origin"
            elif not res.deciding:
                res.rule = "no_takeoff_seen"
                res.gap = gap_between(before, after)
            return res
        if near.on_ground:
            if place_matches(claim, near.airport, near.country):
                res.outcome, res.rule = "supported", "observed_on_ground_at_place"
            else:
                res.outcome, res.rule = "contradicted", "observed_on_ground_elsewhere"
            return res
        if not place_matches(claim, None, near.country) or pred == "landed_at":
            res.outcome, res.rule = "contradicted", "observed_airborne_elsewhere"
        else:
            res.outcome, res.rule = "contradicted", "observed_airborne_not_landed"
        return res

    near_s = NEAR_S if pred == "on_ground_at" else AIRSPACE_NEAR_S
    near = closest_place(before, after, t, near_s)
    if near is None:
        res.gap = gap_between(before, after)
        return res
    res.place = near
    if pred == "airborne":
        ok = not near.on_ground
    elif pred == "on_ground_at":
        ok = near.on_ground and place_matches(claim, near.airport, near.country)
    else:  # in_airspace_of
        ok = near.country == claim.object
    res.outcome = "supported" if ok else "contradicted"
    res.rule = f"observed_{'in' if ok else 'not_in'}_{pred}"
    return res


def verify(claim: Claim, evidence: Evidence, lang: str = "en", reader_tz: str = "UTC") -> Verdict:
    """Judge ``claim`` on ``evidence``; the summary is one sentence in ``lang`` (en/nb/nn).

    A fleet claim is supported if any member satisfies it, contradicted only if every member
    is positively observed contradicting it, otherwise unverifiable.
    """
    from flyvakt.verify import around, ordinal
    from flyvakt.verify.summary import summarise

    if len(claim.around_s) > 1:
        return _two_readings(claim, evidence, lang, reader_tz)
    if claim.around_s and claim.predicate not in around.EVENT_PREDICATES | INTERVAL_PREDICATES:
        # "was on the ground at X around 02:30": a state, judged at the time said
        claim = replace(claim, at_s=claim.around_s[0], since_s=None)
    if claim.predicate in INTERVAL_PREDICATES:
        results = [_judge_interval(claim, m, evidence) for m in evidence.members]
    elif claim.around_s:
        results = [around.judge_member(claim, m, evidence) for m in evidence.members]
    else:
        results = [_judge_member(claim, m, evidence) for m in evidence.members]
    callsigns = {e["icao24"]: e["callsign"] for e in evidence.events if e.get("callsign")}
    for r in results:
        r.registration = evidence.registrations.get(r.icao24)
        r.callsign = callsigns.get(r.icao24)
    # A fleet member with no position at all within a day of the claim time is not part of the
    # movement being reported: it says nothing either way and is listed, not counted. A member
    # seen in that window but not near the time still counts (its gap makes it unverifiable).
    unseen: list[str] = []
    if claim.subject_kind == "fleet":
        unseen = [r.icao24 for r in results if _absent(evidence.fixes.get(r.icao24), claim.at_s)]
    counted = [r for r in results if r.icao24 not in unseen]
    outcomes = [r.outcome for r in counted]
    kind: VerdictKind
    by_ordinal: tuple[str | None, str | None] = (None, None)  # (rule, text) of "the last plane"
    events_of_fleet = claim.subject_kind == "fleet" and claim.predicate in around.EVENT_PREDICATES
    if claim.ordinal and events_of_fleet:
        kind, decisive, o_rule, o_text = ordinal.judge(claim, counted, evidence, lang, reader_tz)
        by_ordinal = (o_rule, o_text)
    elif claim.predicate in INTERVAL_PREDICATES:
        from flyvakt.verify.interval import combine

        kind = combine(claim, outcomes)
        decisive = [r for r in counted if r.outcome == kind] or counted
        if kind == "supported" and claim.predicate == "avoided_airspace_of":
            decisive = counted
    elif "supported" in outcomes:
        kind = "supported"
        decisive = [r for r in counted if r.outcome == "supported"]
    elif counted and all(o == "contradicted" for o in outcomes):
        kind = "contradicted"
        decisive = counted
    else:
        kind = "unverifiable"
        decisive = [r for r in results if r.outcome == "unverifiable"]
    rule = by_ordinal[0] or (decisive[0].rule if decisive else "no_members")
    if claim.ordinal and events_of_fleet:
        rule = f"fleet_{claim.ordinal}:{rule}"
    elif claim.subject_kind == "fleet":
        every = "all_seen" if unseen and counted else "all"
        # "avoided" is supported by every aircraft and contradicted by any one of them
        one_decides = (kind == "supported") != (claim.predicate == "avoided_airspace_of")
        scope = "any" if one_decides and kind != "unverifiable" else every
        rule = f"fleet_{scope}:{rule}"
    gaps = [{"icao24": r.icao24, **r.gap} for r in results if r.gap is not None]
    ev_json: dict[str, Any] = {
        "members": [r.to_json() for r in results],
        "events": [e for r in decisive for e in r.deciding],
        "coverage_gaps": gaps,
        "members_not_in_data": unseen,
    }
    basis: str | None = None
    if kind != "unverifiable":
        basis = "inferred" if any(r.basis == "inferred" for r in decisive) else "observed"
    # the members not in the data, by registration where known (no one counted: "no aircraft
    # of the claim is in the data" says it all)
    names = [evidence.registrations.get(h) or h for h in unseen] if counted else []
    landings = ordinal.landings(claim, counted, evidence) if events_of_fleet else []
    if by_ordinal[1] is not None:
        summary = ordinal.summary(claim, kind, basis, by_ordinal[1], names, lang, reader_tz)
    else:
        # every member's landing, first to last, not only the first
        listed = ""
        if len(landings) > 1:
            listed = "; " + ordinal.landings_text(claim, landings, lang, reader_tz)
        summary = summarise(
            claim, kind, decisive, len(results), lang, reader_tz, unseen=names, basis=basis,
            listed=listed,
        )  # fmt: skip
    if events_of_fleet:
        ev_json["landings"] = ordinal.landings_json(landings)
    from flyvakt.verify.summary import evidence_sentences

    ev_json["sentences"] = evidence_sentences(
        claim, [r for r in results if r.icao24 not in unseen], lang, reader_tz
    )
    return Verdict(claim, kind, summary, rule, ev_json, evidence.data_through_s, basis)


def _two_readings(claim: Claim, evidence: Evidence, lang: str, reader_tz: str) -> Verdict:
    """A 12-hour time with no am/pm ("around half past two" on a date): each reading judged,
    then combined (``around.combine_readings``); the evidence lists both."""
    from flyvakt.verify.around import combine_readings, readings_summary, single

    verdicts = [verify(single(claim, c), evidence, lang, reader_tz) for c in claim.around_s]
    kind, chosen = combine_readings(verdicts)
    summary = readings_summary(claim, verdicts, chosen, kind, lang, reader_tz)
    readings = [
        {"around": iso_utc(c), "verdict": v.verdict, "basis": v.basis, "rule": v.rule}
        for c, v in zip(claim.around_s, verdicts, strict=True)
    ]
    basis = None if kind == "unverifiable" else chosen.basis
    # judged "as of" the reading that decided (the web panel moves the map there)
    claim = replace(claim, at_s=chosen.claim.at_s, since_s=chosen.claim.since_s)
    return Verdict(
        claim, kind, summary, chosen.rule, {**chosen.evidence, "readings": readings},
        evidence.data_through_s, basis,
    )  # fmt: skip


def _judge_interval(claim: Claim, icao24: str, ev: Evidence) -> MemberResult:
    from flyvakt.verify.interval import judge_member, member_outcome

    finding, basis = judge_member(claim, icao24, ev)
    outcome = member_outcome(claim, finding)
    res = MemberResult(icao24, outcome, f"airspace_{finding.outcome}", airspace=finding)
    res.basis = basis or "observed"
    before, after = fixes_around(ev.fixes.get(icao24), claim.at_s)
    res.before, res.after = before, after
    if finding.reachable_gaps:
        g = finding.reachable_gaps[0]
        res.gap = {"start": g["start"], "end": g["end"], "last_known": g["last_known"]}
    return res
