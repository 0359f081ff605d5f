"""Validation at the edge: what a feed says is hostile until checked (DESIGN.md section 4).

Pure (no clock, no I/O); the pipeline step calls it on every batch before anything else:

- **Times.** A record whose time is not finite, before the Unix epoch or after 2100 is dropped
  (``time_out_of_range``): nothing downstream can then fail formatting a date. A record whose
  time disagrees with the feed's *own* clock is dropped too (``time_jump``): the feed's clock at
  a record is the median time of the records around it (4 before, 4 after, the tail of the
  previous batch included), and a record far from it that agrees with neither neighbour is a
  single absurd time (a Beast counter jumping a day ahead, a state-vector row dated 3000). A
  real jump (a second file, a receiver whose clock was reset, a recording grouped per
  aircraft or per flight, out of time order) is a run of records that agree with each other:
  kept. Monotonic data is never dropped, whatever its gaps. A record among the last
  ``WINDOW // 2`` of a batch that agrees with neither neighbour known so far (the first frame
  of a live feed after a silent hour, when it arrives alone) cannot be judged yet: the pipeline
  holds it (and the records after it) back into the next step (``EdgeState.held``,
  checkpointed) and judges it there, so where a stream is cut never changes what is dropped;
  at the end of data (``final``) it is judged on what precedes it.
- **Values.** Latitude, longitude, altitudes, speeds, rates and angles outside what any aircraft
  can report are set to unknown (NaN) and counted per reason (``lat_out_of_range``...): the rest
  of the record is kept.

Counters are ``Counter[str]`` of reason -> records, merged into the pipeline's statistics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from flyvakt.model.batches import F64, ObservationBatch

__all__ = ["EdgeState", "check_time_range", "check_times", "check_values", "judge_times"]

# Why 0: Beast/AVR files replayed without --start-time count from the epoch (relative times);
# anything earlier is a corrupt counter or a date before ADS-B existed.
MIN_TIME_S = 0.0
# Why 2100-01-01: far beyond any recording, and well inside what datetime can format.
MAX_TIME_S = 4102444800.0
# Why 9 records: the median of 9 needs 5 agreeing records to move, so up to 4 absurd times in a
# row are outliers, while a real jump costs at most the 4 records right after it when it falls
# at the very end of a live batch (none when the next records arrive in the same batch).
WINDOW = 9
# Why 1 hour: records of one feed around one record lie within seconds of each other (merged
# receivers, jitter); recordings grouped per aircraft step back by hours, but a step is never
# an outlier of a centred median. One hour still catches what poisons the tracker and the
# detector: times days or years off.
TIME_TOLERANCE_S = 3600.0
# Why half the tolerance over the window's 8 gaps (225 s): a median window whose neighbours
# are all this close spans at most half the tolerance, so no record in it can be an outlier
# (with room to spare for any rounding); its median is then not computed. A batch holding one
# jump (the state-vector corpus's copies, 1,800 s apart) took every row's median: ~25 M
# instructions of 65,536 rows, where the rows near the jump are a few dozen.
_CALM_GAP_S = TIME_TOLERANCE_S / (WINDOW - 1) / 2

# (column, low, high, reason): physical limits of what an aircraft can report. Why these:
# latitude/longitude by definition; altitudes -2,000 ft (Dead Sea runway is -1,300 ft, the
# Gillham code starts at -1,200) to 130,000 ft (the 13-bit altitude code tops out at ~126,700);
# speeds to 4,500 kt (the supersonic ADS-B velocity tops out at 4,092); vertical rates to
# ±40,000 ft/min (the field tops out at 32,608); angles 0..360.
_VALUE_LIMITS: tuple[tuple[str, float, float, str], ...] = (
    ("lat_deg", -90.0, 90.0, "lat_out_of_range"),
    ("lon_deg", -180.0, 180.0, "lon_out_of_range"),
    ("altitude_baro_ft", -2000.0, 130000.0, "altitude_out_of_range"),
    ("altitude_gnss_ft", -2000.0, 130000.0, "altitude_out_of_range"),
    ("groundspeed_kt", 0.0, 4500.0, "speed_out_of_range"),
    ("airspeed_kt", 0.0, 4500.0, "speed_out_of_range"),
    ("vertical_rate_fpm", -40000.0, 40000.0, "vertical_rate_out_of_range"),
    ("track_deg", 0.0, 360.0, "angle_out_of_range"),
    ("heading_deg", 0.0, 360.0, "angle_out_of_range"),
)


@dataclass
class EdgeState:
    """The tail of the feed's recent times (context for the next batch's medians), and the
    records held back for the next step (not yet judged: :func:`judge_times`)."""

    tail_s: F64 = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    held: ObservationBatch = field(default_factory=lambda: ObservationBatch.empty(0))


def check_time_range(time_s: F64, counts: Counter[str]) -> np.ndarray:
    """Mask of the records whose time is finite and between the epoch and 2100."""
    keep = np.isfinite(time_s) & (time_s >= MIN_TIME_S) & (time_s < MAX_TIME_S)
    bad = time_s.shape[0] - int(np.count_nonzero(keep))
    if bad:
        counts["time_out_of_range"] += bad
    return keep


def _median_deviation(t: F64, gaps: F64 | None = None) -> F64:
    """|t[i] - median of the WINDOW records around i| (the window shifts inward at the ends).
    ``gaps`` (``|diff(t)|``): rows whose window has no gap over :data:`_CALM_GAP_S` get 0
    instead (their deviation is at most half the tolerance: never an outlier either way)."""
    size = min(t.size, WINDOW)
    start = np.clip(np.arange(t.size) - WINDOW // 2, 0, t.size - size)
    rows = None
    if gaps is not None and size > 1:
        wide = np.zeros(gaps.size + 1, dtype=np.intp)  # wide gaps before each record
        np.cumsum(gaps > _CALM_GAP_S, out=wide[1:])
        rows = np.flatnonzero(wide[start + size - 1] != wide[start])
        start = start[rows]
    windows = t[start[:, None] + np.arange(size)[None, :]]
    if rows is None:
        dev: F64 = np.abs(t - _row_medians(windows))
        return dev
    dev = np.zeros(t.size)
    dev[rows] = np.abs(t[rows] - _row_medians(windows))
    return dev


def _row_medians(windows: F64) -> F64:
    """``np.median(windows, axis=1)`` of finite times, the same numbers (the middle value,
    or the two middle ones' sum halved, as its mean makes them), without ``np.median``'s
    NaN check, which imports ``numpy.ma`` on first use: ~20 ms of a replay."""
    k = windows.shape[1] // 2
    if windows.shape[1] % 2:
        odd: F64 = np.partition(windows, k, axis=1)[:, k]
        return odd
    part = np.partition(windows, [k - 1, k], axis=1)
    even: F64 = (part[:, k - 1] + part[:, k]) / 2
    return even


def check_times(time_s: F64, state: EdgeState, counts: Counter[str]) -> np.ndarray:
    """Mask of the records whose time is plausible; the others are counted per reason.

    A record is a ``time_jump`` when it is an outlier of the feed's clock (more than
    TIME_TOLERANCE_S from the median of the records around it in feed order, the previous
    batch's tail included) *and* agrees with neither the record before nor the one after it.
    Every record is judged now (the batch is the last: :func:`judge_times` with ``final``).
    """
    return judge_times(time_s, state, counts, final=True)[0]


def judge_times(
    time_s: F64, state: EdgeState, counts: Counter[str], *, final: bool
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`check_times`, and the rows held back, undecided (none when ``final``).

    Undecided: a record among the last ``WINDOW // 2`` (its median window is not yet whole)
    that agrees with neither neighbour known so far; the records after it are held too, so
    that the stream keeps its order. Held records are neither kept nor counted, and the tail
    stops before them: the next call, given them first, judges them as one call over the
    whole stream would (the records before them are judged now, on all records known)."""
    keep = check_time_range(time_s, counts)
    if keep.all():  # every time in range (nearly every batch): no search, no gathered copy
        idx, valid = np.arange(time_s.shape[0], dtype=np.intp), time_s
    else:
        idx = np.flatnonzero(keep)
        valid = time_s[idx]
    ext = np.concatenate([state.tail_s, valid])
    first = valid.size if final or valid.size == 0 else _first_undecided(ext, valid.size)
    held = idx[first:]
    state.tail_s = ext[: ext.size - valid.size + first][-(WINDOW - 1) :].copy()
    keep[held] = False
    if valid.size == 0:
        return keep, held
    # Fast path: when neighbours are never more than TOLERANCE/8 apart, any two records of a
    # window are within the tolerance, so none can be an outlier.
    gaps = np.abs(np.diff(ext))
    if ext.size < 2 or float(np.max(gaps)) <= TIME_TOLERANCE_S / (WINDOW - 1):
        return keep, held
    m = ext.size
    dev = _median_deviation(ext, gaps)  # only the windows with a wide gap: the others are calm
    suspect = dev[m - valid.size :] > TIME_TOLERANCE_S
    if not suspect.any():
        return keep, held
    # Second opinion: a record that agrees with the record just before or after it in feed
    # order starts or continues a run (a recording grouped per aircraft or per flight, a
    # feed whose clock was reset): keep it. Corruption hits single records.
    k0 = m - valid.size
    near = gaps <= TIME_TOLERANCE_S  # near[i]: ext[i] and ext[i+1] agree
    prev_ok = near[k0 - 1 :] if k0 else np.r_[False, near]
    next_ok = np.r_[near[k0:], False]
    jump = (suspect & ~prev_ok & ~next_ok)[:first]
    njump = int(np.count_nonzero(jump))
    if njump:
        counts["time_jump"] += njump
        keep[idx[:first][jump]] = False
    return keep, held


def _first_undecided(ext: F64, nvalid: int) -> int:
    """Index (among the last ``nvalid`` of ``ext``) of the first record whose judgement more
    records could change, ``nvalid`` if none: one of the last ``WINDOW // 2`` that agrees
    with neither the record before it nor the one after it (or has none after it yet)."""
    m = ext.size
    for j in range(max(m - nvalid, m - WINDOW // 2), m):
        prev_ok = j > 0 and abs(ext[j] - ext[j - 1]) <= TIME_TOLERANCE_S
        next_ok = j + 1 < m and abs(ext[j + 1] - ext[j]) <= TIME_TOLERANCE_S
        if not prev_ok and not next_ok:
            return j - (m - nvalid)
    return nvalid


def batch_now(time_s: F64) -> float:
    """The data time a batch has reached: its latest time, unless that is far beyond the bulk.

    A run of records shifted ahead (a receiver whose clock is a day off, merged and sorted
    with healthy feeds) passes :func:`check_times` as a run; it must not move "now" (the
    detector's clock, expiry, the live map) a day ahead. "Far" is more than
    TIME_TOLERANCE_S, or three inter-quartile ranges for a batch that spans days, past the
    median; the bulk of a later batch moves "now" on normally.
    """
    latest = float(np.nanmax(time_s))
    earliest = float(np.nanmin(time_s))
    if latest - earliest <= TIME_TOLERANCE_S:
        return latest
    q25, med, q75 = np.nanpercentile(time_s, [25.0, 50.0, 75.0])
    limit = float(med) + max(TIME_TOLERANCE_S, 3.0 * float(q75 - q25))
    return float(np.nanmax(np.where(time_s <= limit, time_s, -np.inf)))


def check_values(obs: ObservationBatch, counts: Counter[str]) -> None:
    """Set values outside physical limits to unknown (in place), counted per reason."""
    if len(obs) == 0:
        return
    for name, low, high, reason in _VALUE_LIMITS:
        col: F64 = getattr(obs, name)
        # Nearly every column is within its limits: two passes (the least and the greatest
        # value, NaN passed over; NaN when every row is) say so, where the mask took five.
        if not (np.fmin.reduce(col) < low or np.fmax.reduce(col) > high):
            continue
        with np.errstate(invalid="ignore"):
            # The limits are finite: an infinity is beyond one of them (NaN is within both).
            bad = (col < low) | (col > high)
        nbad = int(np.count_nonzero(bad))
        if nbad:
            counts[reason] += nbad
            col[bad] = np.nan
            if name in ("lat_deg", "lon_deg"):  # half a position is no position
                obs.lat_deg[bad] = np.nan
                obs.lon_deg[bad] = np.nan
