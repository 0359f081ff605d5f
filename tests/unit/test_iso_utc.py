"""iso_utc, kept for recent times (state-vector events share whole seconds): the cached text is
the text of that time, whatever came before it (fractions, the same second, years < 1000)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from flyvakt.model.events import iso_utc


def test_cached_text_is_the_time_s_own() -> None:
    rng = np.random.default_rng(11)
    times = [
        *rng.uniform(0, 2e9, 3000).tolist(),  # fractions
        *np.floor(rng.uniform(1.72e9, 1.72e9 + 300, 3000)).tolist(),  # whole seconds, repeated
        1720248189.0, 1720248189.999, 1720248190.0, -62135596800.0 + 86400 * 400, 0.0,
    ]  # fmt: skip
    want = [iso_utc.__wrapped__(t) for t in times]
    for _ in range(2):  # the second pass is answered from the cache
        assert [iso_utc(t) for t in times] == want
    assert want[-5:-2] == ["2024-07-06T06:43:09Z", "2024-07-06T06:43:09Z", "2024-07-06T06:43:10Z"]
    assert want[-2] == "2-02-05T00:00:00Z" and want[-1] == "1970-01-01T00:00:00Z"
    assert iso_utc.cache_info().hits > 3000


def _by_datetime(time_s: float) -> str:
    """iso_utc as it was before its own formatting: datetime's text of the time."""
    dt = datetime.fromtimestamp(time_s, tz=UTC)
    if dt.year < 1000:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.isoformat(timespec="seconds")[:-6] + "Z"


def _edges() -> list[float]:
    """Times where a second's text may go wrong: around the fraction limit and the
    microsecond rounding (from 1 - 0.5e-6 on, datetime shows the next second), before 1970
    (a fraction below a whole negative second), after 2038 (32-bit seconds), and at the
    ends of the range formatted without datetime (years 1000 and 9999)."""
    out: list[float] = []
    for base in (0.0, -1.0, -86401.0, 1720248189.0, 2**31 - 1.0, 2**31, 4102444800.0,
                 -2208988800.0, -30610224000.0, 253402300799.0, 253402300800.0,
                 -30610224001.0, 1e11 + 7.0):  # fmt: skip
        for frac in (0.0, 0.5, 0.9998, 0.9999, 0.99995, 1 - 0.5e-6, 1 - 0.4e-6, 1 - 1e-7,
                     1e-7, 0.4e-6, 0.5e-6, 0.6e-6):  # fmt: skip
            for sign in (1.0, -1.0):
                t = base + sign * frac
                out += [t, float(np.nextafter(t, np.inf)), float(np.nextafter(t, -np.inf))]
    return out


def test_own_formatting_is_datetimes() -> None:
    """iso_utc's own formatting of a time gives datetime's text: at the edges, and at random
    whole and fractional times from year 1 to 9999 (both sides of its range)."""
    rng = np.random.default_rng(12)
    whole = np.floor(rng.uniform(-62135596800.0, 253402300799.0, 20000))
    times = [
        *_edges(),
        *whole.tolist(),
        *(whole + rng.uniform(0, 1, whole.size)).tolist(),
        *np.floor(rng.uniform(-3e9, 5e9, 20000)).tolist(),
        *rng.uniform(-3e9, 5e9, 20000).tolist(),
    ]
    times = [t for t in times if -62135596800.0 <= t < 253402300800.0 - 1]
    got = [iso_utc.__wrapped__(t) for t in times]
    assert got == [_by_datetime(t) for t in times]
    assert iso_utc.__wrapped__(np.float64(86400.0)) == "1970-01-02T00:00:00Z"
    assert iso_utc.__wrapped__(86400) == "1970-01-02T00:00:00Z"  # an int as its float
    assert iso_utc.__wrapped__(-0.0) == "1970-01-01T00:00:00Z"
    assert iso_utc.__wrapped__(-1e-7) == _by_datetime(-1e-7) == "1970-01-01T00:00:00Z"
    assert iso_utc.__wrapped__(0.9999995) == "1970-01-01T00:00:01Z"  # rounded up, as before


def test_times_out_of_range_fail_as_before() -> None:
    """NaN and times past year 9999 raise as datetime raises (not formatted by gmtime)."""
    for t in (float("nan"), 253402300800.0 + 86400 * 400, float("inf")):
        with pytest.raises((ValueError, OverflowError, OSError)) as mine:
            iso_utc.__wrapped__(t)
        with pytest.raises((ValueError, OverflowError, OSError)) as theirs:
            _by_datetime(t)
        assert type(mine.value) is type(theirs.value)
