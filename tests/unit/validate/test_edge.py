"""Validation at the edge (flyvakt.validate): absurd times and values are counted and dropped.

Real data: the bundled AFR34ZG recording and the traffic state-vector samples. The corrupted
copies (1 % of times replaced by absurd values) are synthetic damage on real data.
"""

from __future__ import annotations

import glob
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from flyvakt.decode import decode_batch
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.pipeline import PipelineState, finish
from flyvakt.runtime.guard import guarded_step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sources import FileReader
from flyvakt.validate import EdgeState, check_times, check_values, judge_times

DATA = Path(__file__).resolve().parents[2] / "data"
AFR = DATA / "traffic" / "full_flight_short.jsonl.gz"


def _times(
    batches: list[np.ndarray], state: EdgeState | None = None
) -> tuple[np.ndarray, Counter[str]]:
    st = state or EdgeState()
    counts: Counter[str] = Counter()
    keep = [check_times(t.copy(), st, counts) for t in batches]
    return np.concatenate(keep), counts


def test_monotonic_times_with_any_gaps_are_never_dropped() -> None:
    # Pairs of records a second apart, the pairs up to 58 days apart, cut in batches anywhere.
    gaps = np.geomspace(0.001, 5e6, 250)
    t = np.cumsum(np.ravel(np.c_[gaps, np.ones(250)])) + 1.7e9
    keep, counts = _times([t])
    assert keep.all() and not counts
    # Cut into batches, a record that ends a batch after a gap of more than an hour has no
    # neighbour to agree with yet: at most those are lost (a live feed after a silent hour).
    for size in (1, 2, 3, 7):
        keep, counts = _times([t[i : i + size] for i in range(0, t.size, size)])
        ends_batch_after_gap = (np.arange(t.size) % size == size - 1) & (
            np.r_[0, np.diff(t)] > 3600
        )
        assert not (~keep & ~ends_batch_after_gap).any(), size


def _held_over(t: np.ndarray, size: int) -> tuple[np.ndarray, Counter[str], int]:
    """Judge ``t`` in batches of ``size`` as the pipeline does: held records go first into the
    next batch, the last batch is final. Returns the keep mask, counts, most records held."""
    st, counts = EdgeState(), Counter[str]()
    keep = np.zeros(t.size, np.bool_)
    held = np.empty(0, np.int64)
    most = 0
    for a in range(0, t.size, size):
        idx = np.r_[held, np.arange(a, min(a + size, t.size))]
        k, h = judge_times(t[idx].copy(), st, counts, final=a + size >= t.size)
        keep[idx[k]] = True
        held = idx[h]
        most = max(most, len(held))
    return keep, counts, most


def test_held_records_make_any_cut_judge_as_one_batch() -> None:
    """SYNTHETIC times: gaps of up to 58 days, single absurd times and a run a day ahead; a
    record that cannot be judged yet at the end of a batch is held into the next one, so every
    cut keeps and counts exactly what one batch does, holding at most WINDOW // 2 records."""
    gaps = np.geomspace(0.001, 5e6, 120)
    t = np.cumsum(np.ravel(np.c_[gaps, np.ones(120)])) + 1.7e9
    t[[30, 31, 32]] += 86400.0  # a run a day ahead: kept
    t[[100, 170]] = [1.7e9 + 3 * 86400.0, 1.9e9]  # single absurd times: dropped
    whole, whole_counts = _times([t])
    assert not whole[170] and whole[30:33].all()
    for size in (1, 2, 3, 5, 7, 64):
        keep, counts, most = _held_over(t, size)
        np.testing.assert_array_equal(keep, whole, err_msg=str(size))
        assert counts == whole_counts and most <= 4, size
    # Without holding, a record ending a batch after an hour's silence is lost.
    assert not _times([t[i : i + 1] for i in range(t.size)])[0].all()


def test_single_absurd_times_are_dropped_and_counted() -> None:
    t = 1.72e9 + np.arange(1000, dtype=np.float64)
    t[100] = 1.72e9 + 86400 * 1 + 100  # a counter one day ahead
    t[500] = -3.0  # 1969
    t[700] = 3.25e10  # year 3000
    t[900] = np.nan
    keep, counts = _times([t])
    assert np.flatnonzero(~keep).tolist() == [100, 500, 700, 900]
    assert counts == {"time_jump": 1, "time_out_of_range": 3}


def test_a_real_jump_becomes_the_new_clock() -> None:
    # Two recordings one after the other (the second one four years earlier), in batches of
    # 1 record, as a slow live feed delivers them: at most the first record after the jump
    # is lost, every later one is kept.
    t = np.r_[1.72e9 + np.arange(50.0), 1.58e9 + np.arange(50.0)]
    keep, counts = _times([t[i : i + 1] for i in range(t.size)])
    assert int((~keep).sum()) <= 1 and keep[51:].all()
    assert counts["time_jump"] <= 1


def test_times_of_real_recordings_are_all_kept() -> None:
    """Grouped per aircraft and per flight, out of time order, days apart: all plausible."""
    kept = total = 0
    for path in sorted(glob.glob(str(DATA / "traffic" / "*.gz"))):
        st, counts = EdgeState(), Counter[str]()
        for b in FileReader(path):
            obs = decode_batch(b)[0] if isinstance(b, FrameBatch) else b
            keep = check_times(obs.time_s, st, counts)
            kept += int(keep.sum())
            total += len(obs)
    # calfire holds two aircraft with a single row days away from everything around them:
    # such a row cannot be told from a corrupt time, and is dropped (counted).
    assert total - kept <= 2
    assert total > 80_000


def test_values_out_of_range_become_unknown() -> None:
    obs = ObservationBatch.empty(4)
    obs.lat_deg[:] = [45.0, 91.0, -45.0, np.nan]
    obs.lon_deg[:] = [5.0, 5.0, 181.0, np.nan]
    obs.altitude_baro_ft[:] = [35000.0, 1e9, -50000.0, np.inf]
    obs.groundspeed_kt[:] = [450.0, -1.0, 9000.0, 300.0]
    counts: Counter[str] = Counter()
    check_values(obs, counts)
    assert np.isnan(obs.lat_deg[1:]).all() and np.isnan(obs.lon_deg[1:]).all()
    assert obs.lat_deg[0] == 45.0 and obs.altitude_baro_ft[0] == 35000.0
    assert np.isnan(obs.altitude_baro_ft[1:]).all()
    assert obs.groundspeed_kt.tolist()[::3] == [450.0, 300.0]
    assert counts == {
        "lat_out_of_range": 1,
        "lon_out_of_range": 1,
        "altitude_out_of_range": 3,
        "speed_out_of_range": 2,
    }


def test_values_check_each_column_whatever_its_unknowns() -> None:
    """Infinities of both signs are out of range; unknown values are never counted, in a
    column of nothing else too; the first and last row are checked as any other."""
    obs = ObservationBatch.empty(5)
    obs.vertical_rate_fpm[:] = [-np.inf, 0.0, np.nan, 100.0, np.inf]
    obs.track_deg[:] = [361.0, np.nan, np.nan, np.nan, -0.5]
    obs.heading_deg[:] = [0.0, 360.0, np.nan, 180.0, 90.0]
    counts: Counter[str] = Counter()
    check_values(obs, counts)
    assert np.isnan(obs.vertical_rate_fpm[[0, 2, 4]]).all()
    assert obs.vertical_rate_fpm[[1, 3]].tolist() == [0.0, 100.0]
    assert np.isnan(obs.track_deg).all()
    assert obs.heading_deg[[0, 1, 3, 4]].tolist() == [0.0, 360.0, 180.0, 90.0]
    assert counts == {"vertical_rate_out_of_range": 2, "angle_out_of_range": 2}


def _replay(fb: FrameBatch, size: int = 4096) -> tuple[PipelineState, list[tuple[str, str | None]]]:
    st, det = PipelineState(), make_detector(None)
    cfg = tracker_config()
    events = []
    for i in range(0, len(fb), size):
        st, out = guarded_step(st, fb.take(np.arange(i, min(len(fb), i + size))), cfg, det)
        events += out.events
    events += finish(st, det)
    return st, [(e.type, e.airport.icao if e.airport else None) for e in events]


@pytest.fixture(scope="module")
def afr_frames() -> FrameBatch:
    return FrameBatch.concat([b for b in FileReader(str(AFR)) if isinstance(b, FrameBatch)])


@pytest.mark.parametrize("damage", ["absurd", "days"])
def test_one_percent_absurd_times_change_nothing_that_matters(
    afr_frames: FrameBatch, damage: str
) -> None:
    """Issue 10 item 3: 1 % absurd times cost positions and the LFBO landing, and made events
    dated 1969 and 2096 (or, a day off, a false landing 3 days later)."""
    clean, clean_events = _replay(afr_frames)
    fb = afr_frames.take(np.arange(len(afr_frames)))
    rng = np.random.default_rng(10)
    idx = rng.choice(len(fb), len(fb) // 100, replace=False)
    if damage == "absurd":
        fb.time_s[idx] = rng.choice([-1e9, -1.0, 4.0e9, 3.25e10, 1e15, np.nan], idx.size)
    else:
        fb.time_s[idx] += rng.choice([86400.0, -86400.0, 3 * 86400.0], idx.size)
    st, events = _replay(fb)
    assert events == clean_events == [("takeoff", "LFPG"), ("landing", "LFBO")]
    dropped = sum(st.stats.edge_dropped.values())
    assert dropped >= idx.size * 0.95  # counted, not silent
    # The positions lost are those of the damaged frames (1 %), no more.
    assert st.stats.positions >= clean.stats.positions * 0.985
    assert st.stats.step_errors == 0


def test_row_medians_are_numpys() -> None:
    """The windows' medians equal ``np.median``'s bit for bit, odd and even widths."""
    from flyvakt.validate import _row_medians

    rng = np.random.default_rng(5)
    for width in (1, 2, 3, 8, 9):
        w = 1.7e9 + rng.normal(0.0, 3e3, (200, width)).round(3)
        w[::7] = 1.7e9  # ties
        assert np.array_equal(_row_medians(w), np.median(w, axis=1))


@pytest.mark.parametrize("seed", range(6))
def test_medians_near_wide_gaps_only_judge_as_every_median(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_median_deviation`` given the gaps (only windows with a gap over ``_CALM_GAP_S``
    take a median) finds the same outliers as every row's median, and the same deviation
    where it takes one; and ``judge_times`` on batches with jumps, runs and absurd times keeps
    and holds what the plain deviation would (the module's own path, then a patched one)."""
    from flyvakt import validate

    rng = np.random.default_rng(seed)
    n = 3000
    t = 1.7e9 + np.cumsum(
        rng.choice([0.0, 0.5, 1.0, 2.0, 200.0, 300.0], n, p=[0.3, 0.3, 0.3, 0.08, 0.01, 0.01])
    )
    for k in rng.choice(n, 12, replace=False):  # absurd times, runs shifted, calm stretches
        t[k] += rng.choice([-1e6, 4000.0, 86400.0, 1800.0])
    t[1000:1040] += 7200.0
    t[2200:2203] += [3000.0, 6000.0, 3000.0]  # steps below the tolerance, a peak past it
    ends = (np.r_[t[:20], t[19] + 86400.0], np.r_[t[0] - 86400.0, t[1:20]])  # jumps at the ends
    for ext in (t, t[:5], t[:9], t[:10], t[1990:2010], t[2190:2215], *ends):
        gaps = np.abs(np.diff(ext))
        plain = validate._median_deviation(ext)
        local = validate._median_deviation(ext, gaps)
        tol = validate.TIME_TOLERANCE_S
        np.testing.assert_array_equal(local > tol, plain > tol)
        taken = local != 0
        np.testing.assert_array_equal(local[taken], plain[taken])
        assert (plain[~taken] <= tol / 2).all()
    assert (validate._median_deviation(t, np.abs(np.diff(t))) == 0).mean() > 0.5  # calm: skipped

    def judged(batches: list[np.ndarray]) -> tuple[list[np.ndarray], Counter[str]]:
        st, counts = EdgeState(), Counter[str]()
        out = []
        for i, b in enumerate(batches):
            keep, held = judge_times(b.copy(), st, counts, final=i == len(batches) - 1)
            out += [keep, held]
        return out, counts

    cuts = [t[:700], t[700:1020], t[1020:2500], t[2500:]]
    got, got_counts = judged(cuts)
    every = validate._median_deviation
    monkeypatch.setattr(validate, "_median_deviation", lambda x, gaps=None: every(x))
    want, want_counts = judged(cuts)
    assert got_counts == want_counts and got_counts["time_jump"] > 0
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_batch_all_in_range_judges_as_one_with_a_time_out_of_range() -> None:
    """A batch whose times are all in range (judged without searching the kept rows) keeps,
    drops and holds the same records, with the same tail, as that batch behind one time out
    of range (the searched way): jumps, an absurd time, a last record held back."""
    # SYNTHETIC times: a steady run, one absurd time, a real jump, one held at the very end.
    t = np.r_[1.7e9 + np.arange(40.0), 1.7e9 + 86400 * 30, 1.7e9 + 41 + np.arange(20.0)]
    t = np.r_[t, t[-1] + 7200.0, t[-1] + 7201.0, t[-1] + 7202.0, t[-1] + 90000.0]
    for tail in (np.empty(0), 1.7e9 - 8.0 + np.arange(8.0)):
        for final in (False, True):
            plain, searched = EdgeState(tail_s=tail.copy()), EdgeState(tail_s=tail.copy())
            c_plain: Counter[str] = Counter()
            c_searched: Counter[str] = Counter()
            keep, held = judge_times(t, plain, c_plain, final=final)
            keep2, held2 = judge_times(np.r_[np.nan, t], searched, c_searched, final=final)
            assert keep.tolist() == keep2[1:].tolist()
            assert held.tolist() == (held2 - 1).tolist() and held.dtype == held2.dtype
            assert plain.tail_s.tolist() == searched.tail_s.tolist()
            assert c_searched.pop("time_out_of_range") == 1 and c_plain == c_searched
            assert c_plain["time_jump"] >= 1 and (final or len(held) >= 1)  # both cases met
