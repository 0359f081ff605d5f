"""``fleet_together``: two or more members of a fleet flying close on the same track.

Judged on a grid of data time (:func:`together_step`, from the tracker's batches) or on given
fixes (:func:`step_positions`); the groups said and when they were last together live in
:class:`~flyvakt.fleets.events.FleetState` (``together``, ``fixes``, ``together_next_s``,
``together_last_s``) and its checkpoint. Split from fleets/events.py (waves and landings).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from flyvakt.fleets.registry import FleetRegistry
from flyvakt.geo.distance import distance_nm
from flyvakt.model import PositionBatch
from flyvakt.model.batches import parse_icao_hex
from flyvakt.model.events import Event

if TYPE_CHECKING:
    from flyvakt.fleets.events import FleetState

__all__ = [
    "TOGETHER_FORGET_S",
    "TOGETHER_GRID_S",
    "TOGETHER_MAX_FIX_AGE_S",
    "TOGETHER_MAX_NM",
    "TOGETHER_MAX_TRACK_DIFF_DEG",
    "MemberFix",
    "step_positions",
    "together_step",
]

# Why 5 NM and 15°: formation and close-trail flights of a delegation keep within a few miles
# on the same airway; two unrelated aircraft of one fleet rarely do both at once. Why 60 s:
# fixes older than that describe where an aircraft was, not where it is.
TOGETHER_MAX_NM = 5.0
TOGETHER_MAX_TRACK_DIFF_DEG = 15.0
TOGETHER_MAX_FIX_AGE_S = 60.0
# Why judge every 10 s of data time: the groups are judged on a grid of data time, not when a
# step ends, so that where the batches were cut cannot make or break a group (before, calfire
# with every aircraft in one fleet gave two more groups at 512-record batches than in one).
# 10 s is well inside the 60 s a fix stays valid, so a formation of a minute or more is always
# seen on several ticks, and a group's pairs are checked ~6 times a minute, not per fix.
TOGETHER_GRID_S = 10.0
# Why forget a group only after 10 min apart: circling firefighting aircraft (calfire, every
# aircraft in one fleet) break the 15-degree track rule while they orbit a fire at different
# phases; forgetting a group at once said it again each time it re-formed (396 events on
# calfire, one per flap). On calfire, forgetting after 60 s gives 291 events, 300 s 147, 600 s
# 118, 900 s 112, 1800 s 72: the count levels off at 10 min (two or three orbits and a drop
# run), and beyond ~15 min it starts to merge separate sorties (an airtanker's reload).
TOGETHER_FORGET_S = 600.0


@dataclass(frozen=True)
class MemberFix:
    """An airborne position of an aircraft (from the tracker), for :func:`step_positions`."""

    icao24: str
    time_s: float
    lat: float
    lon: float
    track_deg: float
    altitude_baro_ft: float | None = None
    country: str | None = None


def _distance_nm(a: MemberFix, b: MemberFix) -> float:
    return distance_nm(a.lat, a.lon, b.lat, b.lon)


def _track_diff_deg(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def step_positions(
    state: FleetState,
    fixes: Iterable[MemberFix],
    registry: FleetRegistry,
    now_s: float | None = None,
) -> tuple[FleetState, list[Event]]:
    """``fleet_together`` when two or more members of a fleet fly close on the same track.

    A group is reported once when it forms (or grows); it is forgotten once its members have not
    been together for more than :data:`TOGETHER_FORGET_S` (``state.together_last_s``), so it is
    reported again only if it forms again after that. Fixes older than
    :data:`TOGETHER_MAX_FIX_AGE_S` before ``now_s`` (default: the newest fix) are ignored; the
    events are timed ``now_s``.
    """
    fixes = list(fixes)
    if not fixes:
        return state, []
    if now_s is None:
        now_s = max(f.time_s for f in fixes)
    by_fleet: dict[str, list[MemberFix]] = {}
    for fix in fixes:
        if now_s - fix.time_s > TOGETHER_MAX_FIX_AGE_S:
            continue
        try:
            addr = parse_icao_hex(fix.icao24)
        except ValueError:
            continue
        for fleet_id in registry.match(addr, None, fix.time_s):
            by_fleet.setdefault(fleet_id, []).append(fix)
    out: list[Event] = []
    fleet_ids = set(by_fleet) | set(state.together) | set(state.together_last_s)
    for fleet_id in sorted(fleet_ids):  # deterministic order
        members = {f.icao24: f for f in by_fleet.get(fleet_id, [])}
        groups = _groups(list(members.values()))
        seen = {
            g: last_s
            for g, last_s in state.together_last_s.get(fleet_id, {}).items()
            if now_s - last_s <= TOGETHER_FORGET_S
        }
        # state.together: the groups of the last tick (all of them in ``seen`` too, except in
        # a checkpoint from before together_last_s)
        before = [set(g) for g in state.together.get(fleet_id, [])]
        before += [set(g.split(",")) for g in seen]
        for group in groups:
            if any(set(group) <= old for old in before):
                continue
            fs = [members[m] for m in group]
            lat = sum(f.lat for f in fs) / len(fs)
            lon = sum(f.lon for f in fs) / len(fs)
            countries = {f.country for f in fs if f.country}
            out.append(
                Event(
                    type="fleet_together",
                    icao24=group[0],
                    time_s=now_s,
                    country=countries.pop() if len(countries) == 1 else None,
                    reason=(
                        f"{len(group)} aircraft of fleet {fleet_id} within "
                        f"{TOGETHER_MAX_NM:g} NM on tracks within "
                        f"{TOGETHER_MAX_TRACK_DIFF_DEG:g} degrees"
                    ),
                    lat=lat,
                    lon=lon,
                    altitude_baro_ft=fs[0].altitude_baro_ft,
                    fleet=[fleet_id],
                    details={
                        "count": len(group),
                        "members": group,
                        "max_separation_nm": round(
                            max(_distance_nm(a, b) for a in fs for b in fs), 1
                        ),
                    },
                )
            )
        for group in groups:
            key = ",".join(group)
            seen[key] = max(now_s, seen.get(key, now_s))
        if seen:
            state.together_last_s[fleet_id] = seen
        else:
            state.together_last_s.pop(fleet_id, None)
        if groups:
            state.together[fleet_id] = groups
        else:
            state.together.pop(fleet_id, None)
    return state, out


def together_step(
    state: FleetState, positions: PositionBatch, registry: FleetRegistry
) -> tuple[FleetState, list[Event]]:
    """:func:`step_positions` fed from a tracker batch, judged on a grid of data time: at each
    tick ``T`` (a multiple of :data:`TOGETHER_GRID_S`), on the last airborne fix with a known
    track of each fleet member at or before ``T`` (``state.fixes``; fixes older than
    :data:`TOGETHER_MAX_FIX_AGE_S` before ``T`` dropped). A tick is judged once data after it
    has been seen (any row of the batch), so the groups do not depend on where the batches
    were cut; the next tick is carried in ``state.together_next_s``. Vectorised: only rows of
    fleet members reach Python."""
    if len(positions) == 0 or len(registry) == 0:
        return state, []
    p = positions
    air = (p.on_ground != 1) & ~np.isnan(p.track_deg)
    rows = np.flatnonzero(air)
    if rows.size:
        rows = rows[registry.member_mask(p.icao24[rows], p.time_s[rows])]
    rows = rows[np.argsort(p.time_s[rows], kind="stable")]
    out: list[Event] = []
    for i in rows.tolist():  # members only: a handful of rows per batch
        t = float(p.time_s[i])
        out += _judge_until(state, t, registry)
        key = f"{int(p.icao24[i]):06x}"
        old = state.fixes.get(key)
        if old is not None and old.time_s > t:
            continue
        alt = float(p.altitude_baro_ft[i])
        state.fixes[key] = MemberFix(
            icao24=key,
            time_s=t,
            lat=float(p.lat_deg[i]),
            lon=float(p.lon_deg[i]),
            track_deg=float(p.track_deg[i]),
            altitude_baro_ft=None if math.isnan(alt) else alt,
        )
    out += _judge_until(state, float(np.max(p.time_s)), registry)
    return state, out


def _judge_until(state: FleetState, clock_s: float, registry: FleetRegistry) -> list[Event]:
    """Judge every tick of the grid before ``clock_s`` not judged yet (the fixes at or before
    each tick are in ``state.fixes``); with no fix left, skip to the first tick at or after
    ``clock_s`` (no fix, no group)."""
    out: list[Event] = []
    if state.together_next_s == -math.inf:  # never judged (new, or an older checkpoint)
        first_s = min((f.time_s for f in state.fixes.values()), default=clock_s)
        state.together_next_s = math.ceil(first_s / TOGETHER_GRID_S) * TOGETHER_GRID_S
    while state.together_next_s < clock_s:
        tick_s = state.together_next_s
        state.fixes = {
            k: f for k, f in state.fixes.items() if tick_s - f.time_s <= TOGETHER_MAX_FIX_AGE_S
        }
        if not state.fixes:
            state.together.clear()
            state.together_next_s = math.ceil(clock_s / TOGETHER_GRID_S) * TOGETHER_GRID_S
            break
        out += step_positions(state, list(state.fixes.values()), registry, tick_s)[1]
        state.together_next_s = tick_s + TOGETHER_GRID_S
    return out


def _groups(fixes: list[MemberFix]) -> list[list[str]]:
    """Connected groups (≥ 2) under "close and same track" (union-find over pairs)."""
    parent = list(range(len(fixes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(fixes)):
        for j in range(i + 1, len(fixes)):
            a, b = fixes[i], fixes[j]
            if (
                _distance_nm(a, b) <= TOGETHER_MAX_NM
                and _track_diff_deg(a.track_deg, b.track_deg) <= TOGETHER_MAX_TRACK_DIFF_DEG
            ):
                parent[find(i)] = find(j)
    clusters: dict[int, list[str]] = {}
    for i, fix in enumerate(fixes):
        clusters.setdefault(find(i), []).append(fix.icao24)
    return sorted(sorted(c) for c in clusters.values() if len(c) >= 2)
