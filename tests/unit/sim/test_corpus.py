"""The SYNTHETIC load corpus: format mix, address count, and decodability (flyvakt + rs1090)."""

from __future__ import annotations

import numpy as np
import rs1090

from flyvakt.decode.core import decode_batch
from flyvakt.sim.corpus import generate_corpus


def test_corpus_mix_and_determinism() -> None:
    fb = generate_corpus(n_aircraft=500, n_frames=60_000, seed=5)
    assert len(fb) == 60_000 and (np.diff(fb.time_s) >= 0).all()
    df = fb.payload[:, 0] >> 3
    share = {d: float((df == d).mean()) for d in (0, 4, 5, 11, 17, 20, 21)}
    assert abs(share[11] - 1 / 3) < 0.02 and abs(share[17] - 1 / 3) < 0.02
    assert sum(share.values()) > 0.999
    again = generate_corpus(n_aircraft=500, n_frames=60_000, seed=5)
    assert np.array_equal(fb.payload, again.payload)


def test_corpus_decodes_cleanly() -> None:
    fb = generate_corpus(n_aircraft=300, n_frames=20_000, seed=1)
    obs, stats = decode_batch(fb)
    assert stats.decoded == len(fb)
    assert len(np.unique(obs.icao24)) == 300
    sample = list(range(0, len(fb), 20))
    msgs = rs1090.decode([fb.hex(i) for i in sample], fb.time_s[sample].tolist())
    assert len(msgs) == len(sample)
    icaos = {int(m["icao24"], 16) for m in msgs}
    assert icaos <= set(np.unique(obs.icao24).tolist())
