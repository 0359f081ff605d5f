"""Wiring shared by ``replay``, ``run`` and the workers: tracker configuration and the detector."""

from __future__ import annotations

import gc
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from flyvakt.pipeline import EventDetector
from flyvakt.track import TrackerConfig

if TYPE_CHECKING:
    from flyvakt.fleets.registry import FleetRegistry

# Why 50,000 (CPython's default is 700): the detector keeps a few small objects per aircraft
# (its state, fixes, events on their way out), so at 50,000 aircraft every 700 allocations
# started a young collection and, as survivors piled up, full ones that walk every object:
# measured on bench_pipeline at 50,000 aircraft (loaded machine), gc took 0.4-0.5 s of the
# detector's 1.3 s, and 0.1-0.2 s with this threshold (most of it was four full passes).
# Cyclic garbage (the only kind that waits for gc: reference counting frees the rest) is rare
# in the pipeline, so at most a few MB wait longer.
# Why not higher: a young collection walks each object that survives it once, whatever the
# threshold, so fewer, bigger ones save nothing. Session 10, detection on, 1 M frames at 50,000
# aircraft (~0 at 1,000), gc CPU ms per run, mean of 6 alternating: 44 / 49 / 58 at 50,000 /
# 100,000 / 200,000 (load 2.8); 61 / 53 / 66 at 50,000 / 100,000 / 25,000 (load 6.5). What
# is walked: each new aircraft's detector state (an AircraftState, 30 slots since session 15
# moved its rarely set fields to a part made on first use: ~0.5 us in a young collection, ~1.2
# at 47 slots; its Fix and recent list ~95 ns) and the step's objects alive then (a sweep's
# signal_lost events).
GC_YOUNG_THRESHOLD = 50_000


@lru_cache(maxsize=1)
def tracker_config() -> TrackerConfig:
    """Tracker settings with every airport (no heliports/seaplane bases) as surface reference.

    Surface CPR leaves a 90° ambiguity that an aircraft's own earlier position resolves; a track
    that *starts* on the ground (at the gate) has none, so airports stand in for the receiver.
    """
    from flyvakt.geo import get_world
    from flyvakt.geo.airports import HELIPORT, SEAPLANE

    ap = get_world().airports
    keep = (ap.type_code != HELIPORT) & (ap.type_code != SEAPLANE)
    return TrackerConfig(
        surface_refs_lat=tuple(np.asarray(ap.lat_deg[keep]).tolist()),
        surface_refs_lon=tuple(np.asarray(ap.lon_deg[keep]).tolist()),
    )


def tune_gc() -> None:
    """The process's garbage-collection policy for a pipeline run, set once after start-up:
    young collections every :data:`GC_YOUNG_THRESHOLD` allocations. Called by the ``replay``,
    ``run`` and ``worker`` commands and by the benchmarks, so that they measure what users run.
    Changes speed only, never results (a collection frees unreachable objects whenever it
    runs).

    No :func:`gc.freeze` of the start-up objects: they are ~34,000 (imports, airports), a few
    ms per full collection, and full collections are rare at this threshold; frozen objects
    would also escape every later ``gc.collect()`` of a process that calls the commands in-line
    (the tests do). The same holds for freezing the state at each step's end: measured in
    session 10 it would cut gc from ~45 to ~15 CPU ms per 1 M frames at 50,000 aircraft with
    detection (~3 % of the run, within the run's noise on a loaded machine)."""
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def warm_up() -> None:
    """Load now what the first live steps would otherwise load in the middle of a step, before
    any feed is read: the world's airports, country borders, time zones and runways, and the
    detector's code paths, by stepping the bundled real recording (AFR34ZG: a takeoff, an
    approach and a landing) through a throwaway pipeline (results thrown away; only the
    process-wide caches stay).

    Why: measured live at 500 k msg/s (27,500 aircraft, loaded shared machine), the runway
    table loaded on the first approach (~110 ms inside one step) and the time-zone finder on
    the first lost-signal sweep (~160 ms with its imports): every frame waiting behind those
    steps went over the 250 ms frame -> API promise. Costs ~0.9 s once per process with the
    imports it pulls in (session 7, quiet machine; 0.7-1.2 s on a loaded one in session 8, of
    which stepping the recording 0.4-0.8 s and the time zones, borders and runways ~0.3 s),
    the second call ~0.1 s; ``flyvakt run`` calls it only with a live feed, replays do not."""
    from flyvakt.geo import get_world
    from flyvakt.geo.runways import runways_of
    from flyvakt.runtime.replay import replay_files
    from flyvakt.sample import bundled_sample

    world = get_world()
    oslo = (np.array([59.9]), np.array([10.7]))
    world.tz_many(*oslo)
    world.load_tz_finder()  # Oslo is in the zone grid: the finder for points outside it
    world.country_at(*oslo)
    runways_of("ENGM")
    replay_files([bundled_sample()], keep_positions=False)


def make_detector(
    fleets_path: str | None = None, *, registry: FleetRegistry | None = None
) -> EventDetector:
    """The event detector (logic only; its state lives in the PipelineState). With a fleet
    registry (given, or loaded from ``fleets_path``), events are tagged with fleet ids and
    fleet-level events (fleet_departed, fleet_landed, fleet_together) follow."""
    from flyvakt.geo import get_world

    if registry is None and fleets_path:
        from flyvakt.fleets import load_fleets

        registry = load_fleets(fleets_path)
    return EventDetector(world=get_world(), registry=registry)
