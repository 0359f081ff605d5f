"""``confirm._judge_new`` (which rows of new aircraft go on, wait or are dropped) against the
row-by-row rule it implements, on random runs: checked frames of confirming formats, other
checked frames, unchecked ones, gaps around ``CONFIRM_GAP_S``, unknown times."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from flyvakt.track.confirm import CONFIRM_GAP_S, _judge_new


def _by_rule(
    subject: npt.NDArray[np.bool_],
    checked: npt.NDArray[np.bool_],
    t: npt.NDArray[np.float64],
    gid: npt.NDArray[np.int64],
) -> tuple[list[bool], list[int], int, int]:
    """Each run on its own, frame by frame: the first checked frame of a confirming format
    within the gap of the one before it confirms the address from that one on."""
    keep: list[bool] = []
    wait: list[int] = []
    n_sub = n_other = 0
    for g in np.unique(gid).tolist():
        rows = np.flatnonzero(gid == g).tolist()
        subs = [i for i in rows if subject[i]]
        pair = next(
            (k for k in range(1, len(subs)) if t[subs[k]] - t[subs[k - 1]] <= CONFIRM_GAP_S),
            None,
        )
        for i in rows:
            if pair is None:
                ok = bool(checked[i] and not subject[i])
            elif subject[i]:
                ok = i >= subs[pair - 1]
            else:
                ok = bool(checked[i]) or i >= subs[pair]
            keep.append(ok)
            if not ok and subject[i] and pair is None and i == subs[-1]:
                wait.append(i)
            elif not ok and subject[i]:
                n_sub += 1
            elif not ok:
                n_other += 1
    return keep, wait, n_sub, n_other


@pytest.mark.parametrize("seed", range(40))
def test_judge_new_follows_the_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_runs = int(rng.integers(1, 30))
    sizes = rng.integers(1, 9, n_runs)
    gid = np.repeat(np.arange(n_runs), sizes)
    # Runs of a batch's new aircraft need not be every run of the batch: skip some ids.
    gid = gid * 2 + (seed % 2)
    n = len(gid)
    t = np.empty(n)
    for g in np.unique(gid):
        at = gid == g
        t[at] = np.sort(rng.choice([0.0, 30.0, 59.0, 60.0, 61.0, 100.0, 200.0], at.sum()))
    if seed % 4 == 3:
        t[rng.random(n) < 0.1] = np.nan
    checked = rng.random(n) < 0.7
    subject = checked & (rng.random(n) < 0.7)
    keep, wait, n_sub, n_other = _judge_new(subject, checked, t, gid, int(gid.max()) + 1)
    want = _by_rule(subject, checked, t, gid)
    assert (keep.tolist(), wait.tolist(), n_sub, n_other) == want
