"""``gaps.final_fits`` (the gap rule's finals, searched within ``FINAL_NM`` only) answers as
``final_to(strict=True)[0]`` (searched within ``CLOSE_NM``): at every fix the rules ask about
on real recordings, and at the search's edge (the airports within ``FINAL_NM`` of the
``CLOSE_NM`` search are those of the ``FINAL_NM`` search)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import coverage as C
from flyvakt.detect import gaps as G
from flyvakt.detect import phase as Ph
from flyvakt.detect import rules as R
from flyvakt.geo.airports import chord_nm
from flyvakt.geo.cells import max_chord2
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
# Real recordings with gaps on final and landings: the KWVI circuits (touch-and-goes, gaps
# near the field), the fire-fighters (low passes, many gaps), the Monterey Bay GA tracks.
CASES = [
    "real-ga/kwvi1213_a81c98.csv.gz",
    "traffic/calfire.json.gz",
    *sorted(p.relative_to(DATA).as_posix() for p in (DATA / "real-ga").glob("mry0601_*.csv.gz")),
]


def test_final_radius_edge_keeps_the_same_airports() -> None:
    """An airport at chord length² just above ``max_chord2(FINAL_NM)`` (out of the
    ``FINAL_NM`` search) is farther than ``FINAL_NM`` in the ``CLOSE_NM`` search's distances,
    and one at or below it is not: both searches give the same airports within ``FINAL_NM``."""
    edge = max_chord2(R.FINAL_NM)
    above, below = [edge], [edge]
    for _ in range(1000):
        above.append(float(np.nextafter(above[-1], np.inf)))
        below.append(float(np.nextafter(below[-1], -np.inf)))
    assert (chord_nm(np.array(above[1:])) > R.FINAL_NM).all()
    assert (chord_nm(np.array(below)) <= R.FINAL_NM).all()


# The fix moved around each asked one (ft up or down; degrees north), so that the comparison
# also meets airports at the edge of the radius, of the height envelope and of the tolerance.
ALT_STEPS_FT = (-2500.0, -1000.0, -150.0, 0.0, 400.0)
LAT_STEPS_DEG = (0.0, 0.03, -0.06, 0.075)


def _moved(fx: Any) -> Iterator[Any]:
    """``fx`` moved by every step up or down and north (itself included)."""
    for up in ALT_STEPS_FT:
        for north in LAT_STEPS_DEG:
            yield replace(fx, alt=fx.alt + up, alt_gnss=fx.alt_gnss + up, lat=fx.lat + north)


Ask = Callable[[Any, Any, Any], Any]


def _replay_checking(
    monkeypatch: pytest.MonkeyPatch, fast: Ask, slow: Ask, strict: bool,
    wrapped: list[tuple[Any, str]],
) -> tuple[Counter[bool], list[Any]]:  # fmt: skip
    """The CASES replayed, ``fast`` and ``slow`` compared at every fix (moved by every step)
    that a ``final_to`` call of that strictness or a function ``wrapped`` (module, name) is
    asked about: how often ``fast`` answered something, and the fixes where they differ
    (kept, not asserted where found: the pipeline's guard would catch the assertion)."""
    seen: Counter[bool] = Counter()
    differ: list[Any] = []
    final_to = G.final_to

    def compare(ctx: Any, st: Any, fx: Any) -> None:
        for moved in _moved(fx):
            got = fast(ctx, st, moved)
            if got != slow(ctx, st, moved):
                differ.append(moved)
            seen[bool(got)] += 1

    def checked_final_to(ctx: Any, st: Any, fx: Any, *, strict: bool = True) -> Any:
        if strict == want:
            compare(ctx, st, fx)
        return final_to(ctx, st, fx, strict=strict)

    def checked(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(ctx: Any, st: Any, fx: Any) -> Any:
            compare(ctx, st, fx)
            return fn(ctx, st, fx)

        return call

    want = strict
    originals = [(module, name, getattr(G, name)) for module, name in wrapped]
    for module, name, fn in originals:
        monkeypatch.setattr(module, name, checked(fn))
    monkeypatch.setattr(G, "final_to", checked_final_to)
    monkeypatch.setattr(C, "final_to", checked_final_to)
    for name in CASES:
        replay_files([str(DATA / name)], batch_size=4096)
    return seen, differ


def test_final_fits_answers_as_final_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """At every strict ``final_to`` call and every ``final_fits`` call of the replays, and at
    fixes moved up, down and aside from those, both give the same airports (and some give
    airports: the comparison is not of empty lists)."""
    final_to = G.final_to
    seen, differ = _replay_checking(
        monkeypatch, G.final_fits, lambda ctx, st, fx: final_to(ctx, st, fx)[0], True,
        [(G, "final_fits"), (Ph, "final_fits")],
    )  # fmt: skip
    assert not differ, differ[:3]
    assert seen[True] >= 100 and seen[False] >= 100, seen


def test_lands_after_loss_answers_as_final_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """``lands_after_loss`` (the signal-lost sweep's landing test) is ``bool(final_to(...,
    strict=False)[0])``: at every call of either in the replays, and at fixes moved up, down
    and aside from those (some answers True: the comparison is not of False alone)."""
    final_to = G.final_to
    seen, differ = _replay_checking(
        monkeypatch, G.lands_after_loss,
        lambda ctx, st, fx: bool(final_to(ctx, st, fx, strict=False)[0]), False,
        [(C, "lands_after_loss")],
    )  # fmt: skip
    assert not differ, differ[:3]
    assert seen[True] >= 20 and seen[False] >= 100, seen
