"""Traffic simulator: scenarios in, real Mode S frames out. Everything it makes is SYNTHETIC.

Public API:

- :mod:`flyvakt.sim.encode` — vectorised encoders (DF0/4/5/11/17/20/21, ADS-B TC 1-31, CPR,
  AC12/AC13/ID13, CRC-24); pure, no I/O.
- :mod:`flyvakt.sim.flight` — great-circle paths, type performance table, phase sampling.
- :mod:`flyvakt.sim.scenario` — ``load(path) -> Scenario``, ``from_dict(doc, name)``,
  ``bundled(name)``; the TOML format is documented there.
- :mod:`flyvakt.sim.emit` — ``simulate(scenario, seed=None) -> SimResult`` (frames, per-frame
  kind and truth, counters): transponder schedules, receiver coverage, faults.
- :mod:`flyvakt.sim.corpus` — ``generate_corpus(n_aircraft, n_frames, seed) -> FrameBatch``.
- :mod:`flyvakt.sim.output` — ``write(result, fp, fmt)`` and ``serve(result, port, speed)``
  (adapters: these do I/O).
"""
