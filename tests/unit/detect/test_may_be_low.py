"""``gaps.may_be_low``: where it says a fix is too high, ``final_fits`` (``FINAL_HEIGHT_FT``)
and ``initial_climb_from`` (``INITIAL_CLIMB_FT``) find no airport, so ``across_gap`` may skip
them (the state-vector replay's regains at cruise). Checked at every fix the gap rules ask
about on real recordings with gaps near fields, moved up and down across the bound."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from flyvakt.detect import gaps as G
from flyvakt.detect import phase as Ph
from flyvakt.detect import rules as R
from flyvakt.runtime.replay import replay_files

from .test_final_fits import CASES, DATA  # the same recordings: gaps near fields

# The fix moved up by these (ft, both altitudes): from below the field's level to well above
# the bound (the highest airport + QNH_TOL_FT + the limit), so both answers are met.
ALT_STEPS_FT = (-1000.0, 0.0, 1200.0, 3000.0, 6000.0, 12000.0)


def test_too_high_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: Counter[str] = Counter()
    wrong: list[Any] = []  # kept, not asserted where found: the pipeline's guard would catch it
    final_fits, climb = G.final_fits, G.initial_climb_from

    def compare(ctx: Any, st: Any, fx: Any) -> None:
        for up in ALT_STEPS_FT:
            for gnss in (fx.alt_gnss + up, float("nan")):
                moved = replace(fx, alt=fx.alt + up, alt_gnss=gnss, ground=False)
                for ask, limit in ((final_fits, R.FINAL_HEIGHT_FT), (climb, R.INITIAL_CLIMB_FT)):
                    found = ask(ctx, st, moved)
                    low = G.may_be_low(ctx, moved, limit)
                    if found and not low:
                        wrong.append((ask.__name__, moved))
                    seen[f"{'some' if found else 'none'} {'low' if low else 'high'}"] += 1

    def checked_fits(ctx: Any, st: Any, fx: Any) -> list[Any]:
        compare(ctx, st, fx)
        return final_fits(ctx, st, fx)

    def checked_climb(ctx: Any, st: Any, fx: Any) -> list[Any]:
        compare(ctx, st, fx)
        return climb(ctx, st, fx)

    patched = (G, "final_fits", checked_fits), (G, "initial_climb_from", checked_climb)
    for module, name, fn in (*patched, (Ph, "final_fits", checked_fits)):
        monkeypatch.setattr(module, name, fn)
    for name in CASES:
        replay_files([str(DATA / name)], batch_size=4096)
    assert not wrong, wrong[:3]
    # Both answers met: airports found below the bound, none above it.
    assert seen["some low"] >= 50 and seen["none high"] >= 50, seen


def test_bound_is_tight_enough_to_matter() -> None:
    """The bound: just above it a fix is high, at it low (either altitude alone counts)."""
    from types import SimpleNamespace

    from flyvakt.detect.state import Fix

    world = SimpleNamespace(highest_airport_ft=lambda: 14_000.0)
    ctx: Any = SimpleNamespace(world=world)
    top = 14_000.0 + R.QNH_TOL_FT + R.FINAL_HEIGHT_FT
    nan = float("nan")

    def fix(alt: float, gnss: float) -> Fix:
        return Fix(0.0, 40.0, -120.0, alt, 120.0, 0.0, False, None, 1200, gnss)

    assert G.may_be_low(ctx, fix(top, nan), R.FINAL_HEIGHT_FT)
    assert not G.may_be_low(ctx, fix(top + 1, nan), R.FINAL_HEIGHT_FT)
    assert G.may_be_low(ctx, fix(top + 1, top), R.FINAL_HEIGHT_FT)
    assert G.may_be_low(ctx, fix(nan, top), R.FINAL_HEIGHT_FT)
    assert not G.may_be_low(ctx, fix(nan, nan), R.FINAL_HEIGHT_FT)
    assert not G.may_be_low(ctx, fix(nan, top + 1), R.FINAL_HEIGHT_FT)


def test_bound_matches_height_ft_at_the_highest_airport() -> None:
    """At the highest airport, with the highest ground reference that can be learned there
    (``QNH_TOL_FT`` above its elevation), ``height_ft`` plus tolerance is the limit exactly at
    the bound and above it one foot higher, for every reading: the bound is the least safe one
    (a tighter one would skip a fix that fits)."""
    from flyvakt.detect.evidence import height_ft
    from flyvakt.detect.state import Fix
    from flyvakt.model import AirportRef

    elev = 14_000.0
    ap = AirportRef("ZZZZ", "", "top", "CN", "Asia/Shanghai", 30.0, 100.0, elev)
    top = elev + R.QNH_TOL_FT + R.FINAL_HEIGHT_FT
    nan = float("nan")

    def hi(alt: float, gnss: float, ref: float) -> float:
        h, tol = height_ft(Fix(0.0, 30.0, 100.0, alt, 120.0, 0.0, False, None, 0, gnss), ap, ref)
        return h + tol

    worst_ref = elev + R.QNH_TOL_FT
    assert hi(top, nan, worst_ref) == R.FINAL_HEIGHT_FT
    assert hi(top + 1, nan, worst_ref) > R.FINAL_HEIGHT_FT
    assert hi(top + 1, nan, nan) > R.FINAL_HEIGHT_FT  # raw pressure altitude
    assert hi(nan, top + 1, nan) > R.FINAL_HEIGHT_FT  # GNSS


def test_at_most_the_top_is_the_written_rule() -> None:
    """Session 21: ``alt <= top or alt_gnss <= top`` (no isnan) is the rule as written: neither
    altitude both known and at most the highest airport + ``QNH_TOL_FT`` + the limit; at the
    top itself, an ulp either side, NaN and the infinities."""
    import math

    from flyvakt.detect.base import Context
    from flyvakt.detect.state import Fix
    from flyvakt.geo import get_world

    ctx = Context(get_world())
    for limit in (R.FINAL_HEIGHT_FT, R.INITIAL_CLIMB_FT):
        top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + limit
        values = [top, math.nextafter(top, math.inf), math.nextafter(top, -math.inf), 0.0,
                  -500.0, 40000.0, math.nan, math.inf, -math.inf]  # fmt: skip
        for a in values:
            for g in values:
                fx = Fix(0.0, 45.0, 7.0, a, 100.0, 0.0, False, None, 0, g)
                want = not (a > top or math.isnan(a)) or not (g > top or math.isnan(g))
                assert G.may_be_low(ctx, fx, limit) is want
