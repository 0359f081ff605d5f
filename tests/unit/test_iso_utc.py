"""iso_utc, kept for recent times (state-vector events share whole seconds): the cached text is
the text of that time, whatever came before it (fractions, the same second, years < 1000)."""

from __future__ import annotations

import numpy as np

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
