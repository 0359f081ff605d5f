"""Interval predicates: ``entered_airspace_of`` / ``avoided_airspace_of`` / ``flew_over``
between T1 and T2, per aircraft (``reach.judge_airspace``) and then for the claim.

Per aircraft: an observed fix inside the country (land + 12 NM) in the window → entered; no fix
inside and no reachable gap → avoided; otherwise possible (unverifiable). For a fleet,
"avoided" needs every aircraft seen that day to have avoided; "entered" needs one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from flyvakt.verify.reach import AirspaceFinding, judge_airspace, max_groundspeed_kt
from flyvakt.verify.verdict import event_time

if TYPE_CHECKING:
    from flyvakt.verify.claims import Claim
    from flyvakt.verify.verdict import Evidence, VerdictKind

# A window with no start ("avoided China by 18:00") starts this long before its end: a day
# covers any single flight and bounds the geometry work.
DEFAULT_WINDOW_S = 24 * 3600.0


def window_of(claim: Claim) -> tuple[float, float]:
    since = claim.since_s if claim.since_s is not None else claim.at_s - DEFAULT_WINDOW_S
    return since, claim.at_s


def _landing_after(
    ev: Evidence, icao24: str, last_fix_s: float, until_s: float
) -> tuple[tuple[float, float, float] | None, dict[str, Any] | None]:
    """The landing (time, lat, lon of its airport) ending the track, if the detector found one
    at the last fix with no takeoff after it."""
    from flyvakt.geo import get_world

    mine = [e for e in ev.events if e.get("icao24") == icao24]
    landings = [
        e for e in mine if e.get("type") == "landing" and event_time(e) >= last_fix_s - 300.0
    ]
    if not landings:
        return None, None
    land = landings[-1]
    t_land = event_time(land)
    if any(e.get("type") == "takeoff" and t_land < event_time(e) <= until_s for e in mine):
        return None, None
    ap = land.get("airport") or {}
    ref = get_world().airport(str(ap.get("icao") or "")) if ap else None
    if ref is None:
        return None, None
    return (t_land, ref.lat_deg, ref.lon_deg), land


def judge_member(claim: Claim, icao24: str, ev: Evidence) -> tuple[AirspaceFinding, str | None]:
    """The finding for one aircraft, and the basis ("observed"/"inferred") it rests on."""
    since, until = window_of(claim)
    fx = ev.fixes.get(icao24)
    vmax = max_groundspeed_kt(ev.types.get(icao24))
    if fx is None or fx.time_s.size == 0:
        return AirspaceFinding(icao24, "no_data", vmax), None
    last_in = fx.time_s[fx.time_s <= until]
    landed, land_ev = (None, None)
    if last_in.size:
        landed, land_ev = _landing_after(ev, icao24, float(last_in[-1]), until)
    airborne = None
    if claim.predicate == "flew_over":
        airborne = np.asarray(fx.on_ground) != 1
    assert claim.object is not None
    finding = judge_airspace(
        icao24,
        claim.object,
        fx.time_s,
        fx.lat_deg,
        fx.lon_deg,
        since,
        until,
        vmax,
        airborne=airborne,
        landed=landed,
    )
    basis = "observed"
    if finding.inferred_landing and land_ev is not None and land_ev.get("basis") == "inferred":
        basis = "inferred"
    return finding, basis


def member_outcome(claim: Claim, finding: AirspaceFinding) -> VerdictKind:
    avoided = claim.predicate == "avoided_airspace_of"
    if finding.outcome == "entered":
        return "contradicted" if avoided else "supported"
    if finding.outcome == "avoided":
        return "supported" if avoided else "contradicted"
    return "unverifiable"


def combine(claim: Claim, outcomes: list[VerdictKind]) -> VerdictKind:
    """A fleet: "avoided" needs all to avoid, one entry contradicts; "entered" needs one."""
    if not outcomes:
        return "unverifiable"
    if claim.predicate == "avoided_airspace_of":
        if "contradicted" in outcomes:
            return "contradicted"
        return "supported" if all(o == "supported" for o in outcomes) else "unverifiable"
    if "supported" in outcomes:
        return "supported"
    return "contradicted" if all(o == "contradicted" for o in outcomes) else "unverifiable"
