"""The fixes of each aircraft in its latest country-sample period, kept across batch edges.

An airspace crossing is placed on the first fix in the new country between two country samples
(:func:`flyvakt.detect.airspace._crossing`; one sample per ``COUNTRY_SAMPLE_S``). When a batch
edge falls between the samples, the fixes before the edge are in an earlier batch: they are kept
here, so that the crossing is found on the same fixes however the stream was cut
(tests/property/test_batch_split.py). Per aircraft that is the rows of one sample period, the
one of its last fix (the earlier sample is the first fix of that period); an aircraft whose
signal is lost (or that is forgotten) drops them: its next fix comes after a gap, where no
crossing is located. Plain data (a :class:`PositionBatch`), checkpointed with the detector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.model import PositionBatch


def _period(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The country-sample period of each time (as the detector's pre-pass counts them)."""
    return np.floor(t / R.COUNTRY_SAMPLE_S)


@dataclass
class SampleTails:
    """Rows of every aircraft's latest sample period, from earlier batches (address, time order
    within an aircraft; aircraft interleaved)."""

    rows: PositionBatch = field(default_factory=lambda: PositionBatch.empty(0))

    def since(self, icao24: int, t: float) -> PositionBatch:
        """The aircraft's kept rows later than ``t``, in time order."""
        r = self.rows
        if not len(r):
            return r
        return r.take(np.flatnonzero((r.icao24 == icao24) & (r.time_s > t)))

    def update(
        self, p: PositionBatch, icaos: npt.NDArray[np.uint32], before_t: npt.NDArray[np.float64]
    ) -> None:
        """After batch ``p`` (each aircraft's rows in time order): keep each aircraft's rows of
        the period of its last fix. ``before_t``: the time of the last fix before ``p`` (NaN:
        none) of aircraft ``icaos`` (all of ``p``'s), telling whether the rows kept of it
        still lie in that period."""
        if not len(p):
            return
        u, inv = np.unique(p.icao24, return_inverse=True)
        t_last = np.full(len(u), -np.inf)
        np.maximum.at(t_last, inv, p.time_s)
        last = _period(t_last)
        new = p.take(np.flatnonzero(_period(p.time_s) == last[inv]))
        old = self.rows
        if len(old):
            k = np.minimum(np.searchsorted(u, old.icao24), len(u) - 1)
            in_p = u[k] == old.icao24
            prev = np.full(len(u), np.nan)
            prev[np.searchsorted(u, icaos)] = _period(before_t)
            old = old.take(np.flatnonzero(~in_p | (prev == last)[k]))
        self.rows = PositionBatch.concat([old, new]) if len(old) else new

    def drop(self, icaos: list[int]) -> None:
        """Forget the rows of these aircraft (signal lost or forgotten)."""
        if icaos and len(self.rows):
            gone = np.isin(self.rows.icao24, np.asarray(icaos, dtype=self.rows.icao24.dtype))
            if gone.any():
                self.rows = self.rows.take(np.flatnonzero(~gone))
