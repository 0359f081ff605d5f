"""The rows whose field value an aircraft holds (held._held_rows), against the rule row by
row: a value is refused while a better source's value is fresher than ``stale_after_s``."""

from __future__ import annotations

import numpy as np

from flyvakt.model.batches import SOURCE_PRIORITY, Source
from flyvakt.model.runs import runs_by_key
from flyvakt.track.held import _held_rows
from flyvakt.track.tracker import TrackerConfig


def _reference(
    v: list[int], prio: list[int], t: list[float], start: list[int], st_prio: list[int],
    st_t: list[float], stale: float,
) -> list[int]:  # fmt: skip
    out = []
    for i in v:
        blocked = st_prio[i] > prio[i] and t[i] - st_t[i] <= stale
        for q in {prio[j] for j in v}:
            if q <= prio[i]:
                continue
            # the last row of ``v`` at level q at or before row i, in its aircraft's run
            last = [j for j in v if start[i] <= j <= i and prio[j] == q]
            if last and t[i] - t[last[-1]] <= stale:
                blocked = True
        if not blocked:
            out.append(i)
    return out


def test_held_rows_follow_the_rule_row_by_row() -> None:
    # SYNTHETIC: 3 sources of 3 priorities over 12 aircraft, rows sorted by (aircraft, time);
    # the state's source and time per aircraft vary. Runs sit next to each other, so a better
    # source's row of the aircraft before must never block a row (the run check).
    cfg = TrackerConfig()
    rng = np.random.default_rng(11)
    sources = np.array([Source.ADSB, Source.MODE_S, Source.MLAT], dtype=np.uint8)
    for trial in range(30):
        n = int(rng.integers(1, 200))
        keys = np.sort(rng.integers(0, 12, n))
        runs = runs_by_key(keys)
        start_of_row = runs.start_of_row.astype(np.int64)
        t = np.zeros(n)
        for s, e in zip(runs.starts, runs.ends, strict=True):
            t[s : e + 1] = np.sort(rng.uniform(0, 120, e - s + 1))
        source = sources[rng.integers(0, 3 if trial % 3 else 2, n)]
        prio = SOURCE_PRIORITY[source]
        rows = np.arange(len(runs.starts), dtype=np.int64)
        row_of = rows[runs.gid]
        cols = {
            "x_src": sources[rng.integers(0, 3, len(rows))],
            "x_t": rng.uniform(-60, 60, len(rows)),
        }
        v = np.flatnonzero(rng.random(n) < 0.7).astype(np.int64)
        mixed = bool(prio.min() != prio.max())
        got = _held_rows(v, prio, mixed, t, start_of_row, cols, "x", (rows, row_of), cfg)
        st_prio = SOURCE_PRIORITY[cols["x_src"][row_of]].tolist()
        want = _reference(
            v.tolist(), prio.tolist(), t.tolist(), start_of_row.tolist(), st_prio,
            cols["x_t"][row_of].tolist(), cfg.stale_after_s,
        )  # fmt: skip
        assert got.tolist() == want, trial
