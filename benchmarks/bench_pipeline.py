"""End-to-end throughput: decode + track (+ detect) against rs1090's decode, same frames, same run.

Corpus (built here, from real frames): the 57,793 real frames of AFR34ZG
(tests/data/traffic/full_flight_short.jsonl.gz) cut into windows and re-addressed to N virtual
aircraft flying at the same time (address fields and parity recomputed, so every frame stays
CRC-valid); DF11 all-call replies are added (the recording has none) so that the mix is that of
a real receiver: about 1/3 DF11, 1/3 DF17, the rest DF0/4/5/16/20/21.

    .venv/bin/python benchmarks/bench_pipeline.py [--frames 1000000] [--aircraft 5000] [--repeat 3]
        [--dwell | --warm [--warm-s 60]] [--default-gc]

Three corpora, three different questions:

- **default: the start-up burst.** Each aircraft is heard for only ~16 s (its first
  frames_per_aircraft frames): every aircraft is new and then lost within the run, so the
  per-NEW/LOST-aircraft costs (first fixes, the signal-lost sweep, events) dominate. This is what
  a service pays in its first seconds, or on a feed that jumps from one area to another; not
  what it pays for hours.
- ``--dwell``: each aircraft gets every frame of its 10-minute window (about 90 aircraft per
  1 M frames, all starting together): per-fix costs, at few aircraft.
- ``--warm``: **the steady state** of a receiver or aggregator that has run for hours with
  ``--aircraft`` (N) aircraft in range at once. Each aircraft flies a 10-minute window of the
  real flight at its real message rate (~12 frames/s, plus DF11 to make 1/3), and arrivals are
  spread in time: N/600 per second arrive and as many leave, never all at once. Before the
  measured frames an UNTIMED warm-up pass (``--warm-s`` seconds of data, default 60) tracks and
  detects every aircraft in range, and carries its state over; so that departures reach the
  signal-lost sweep (120 s) and the tracker's expiry (300 s) inside the measured frames at their
  steady rate, the warm-up also holds the last ``DEPART_TAIL_S`` of every aircraft that left in
  the 6 minutes before it. The timed pass is the data after the warm-up, a whole number of
  20-second periods, the number whose frames come nearest ``--frames`` (20 s, ~1.8 M frames,
  at 5,000 aircraft): the detector samples every aircraft's country on one 20 s grid (and low
  fixes on a 5 s grid), so a shorter window would hold all of them or none. Each repeat
  rebuilds the warmed state from scratch; only the measured pass is timed. (Not modelled:
  the detector remembers an aircraft for a day, so a real service holds the states of every
  aircraft of the last day, ~144 N; here only those of the warm-up.)

Every mode also prints how many positions were "hot" (sent one by one to the rules), per reason
(detect/detector.py ``_hot_rows``; each row counted once, under its first reason), and where
"detection costs X % more" goes besides the detector's own step: decode + track's share of the
detecting run against their run alone, and the garbage collector's CPU time in each (its full
collections walk every live object, the detector's states and trend windows too).

Prints msg/s for each stage on one core, rs1090's rate on the same frames, the ratio, and the
tracker's memory per 1,000 aircraft. Rates use process CPU time (the machine is shared); each
stage is run ``--repeat`` times, alternating, and its fastest run counts (load from other
processes only ever adds time).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.decode import crc24, decode_batch
from flyvakt.detect import rules as R
from flyvakt.detect.detector import step as detect_step
from flyvakt.geo import get_world
from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, PipelineStats, step
from flyvakt.runtime.setup import make_detector, tracker_config, tune_gc

RECORDING = Path(__file__).resolve().parents[1] / "tests/data/traffic/full_flight_short.jsonl.gz"


def load_recording() -> FrameBatch:
    with gzip.open(RECORDING, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    return FrameBatch.from_hex([r["frame"] for r in rows], [r["timestamp"] for r in rows])


def readdress(fb: FrameBatch, address: np.ndarray) -> None:
    """Give row i the address ``address[i]``, keeping every frame CRC-valid (in place)."""
    df = fb.payload[:, 0] >> 3
    for nbytes in (7, 14):
        rows = np.flatnonzero(fb.nbytes == nbytes)
        if len(rows) == 0:
            continue
        p = fb.payload[rows]
        d = df[rows]
        clear = (d == 11) | (d == 17) | (d == 18)
        a = address[rows].astype(np.uint32)
        # DF11/17/18 carry the address in clear (bits 9-32); parity = CRC (IID 0).
        p[clear, 1] = (a[clear] >> 16) & 0xFF
        p[clear, 2] = (a[clear] >> 8) & 0xFF
        p[clear, 3] = a[clear] & 0xFF
        crc = crc24(p[:, : nbytes - 3])
        par = np.where(clear, crc, crc ^ a)
        p[:, nbytes - 3] = (par >> 16) & 0xFF
        p[:, nbytes - 2] = (par >> 8) & 0xFF
        p[:, nbytes - 1] = par & 0xFF
        fb.payload[rows] = p


WINDOW_S = 600.0  # each virtual aircraft flies a 10-minute window of the real flight


def dwell_aircraft(n_frames: int) -> int:
    """With ``--dwell``: how many virtual aircraft ``n_frames`` hold when each is heard for its
    whole window (all its frames; DF11 all-calls make up the last third)."""
    rec = load_recording()
    span = float(rec.time_s[-1] - rec.time_s[0])
    per_window = len(rec) * WINDOW_S / span
    return max(1, round(n_frames * 2 / 3 / per_window))


def build_corpus(
    n_frames: int, n_aircraft: int, seed: int = 1, *, dwell: bool = False
) -> FrameBatch:
    """``dwell``: every aircraft gets every frame of its window (heard for 10 minutes, as a real
    receiver hears an aircraft in range), instead of the first ``n_frames / n_aircraft``."""
    rec = load_recording()
    rng = np.random.default_rng(seed)
    df = rec.payload[:, 0] >> 3
    # Keep DF17 and surveillance replies so that they form 2/3 of the corpus once DF11 is added.
    df17 = np.flatnonzero(df == 17)
    other = np.flatnonzero(df != 17)
    per_ac = n_frames // n_aircraft
    n17, nother = per_ac // 3, per_ac - 2 * (per_ac // 3)
    if dwell:
        n17 = nother = len(rec)
    parts: list[FrameBatch] = []
    t0 = float(rec.time_s[0])
    span = float(rec.time_s[-1] - rec.time_s[0])
    window_s = WINDOW_S
    for _k in range(n_aircraft):
        # A 10-minute window of the real flight for each virtual aircraft, shifted to overlap.
        start = t0 + rng.uniform(0, span - window_s)
        w17 = df17[(rec.time_s[df17] >= start) & (rec.time_s[df17] < start + window_s)][:n17]
        wot = other[(rec.time_s[other] >= start) & (rec.time_s[other] < start + window_s)][:nother]
        idx = np.sort(np.r_[w17, wot])
        part = rec.take(idx)
        part.time_s = part.time_s - start + t0
        parts.append(part)
    body = FrameBatch.concat(parts)
    addr = np.repeat(0x100000 + np.arange(n_aircraft), [len(p) for p in parts])
    readdress(body, addr)
    # DF11 all-call replies: 56 bits, CA=5 (airborne), address, PI with IID 0.
    n11 = max(n_frames - len(body), 0)
    ac = rng.integers(0, n_aircraft, n11)
    df11 = FrameBatch.empty(n11)
    df11.nbytes[:] = 7
    df11.payload[:, 0] = (11 << 3) | 5
    df11.time_s[:] = t0 + rng.uniform(0, window_s, n11)
    readdress(df11, 0x100000 + ac)
    corpus = FrameBatch.concat([body, df11])
    order = np.argsort(corpus.time_s, kind="stable")
    return corpus.take(order)


# Departed aircraft whose signal-lost (120 s) or tracker expiry (300 s, swept every 60 s) falls
# in the measured frames must have been heard: 6 minutes back covers both.
DEPART_BACK_S = 360.0
# Of those, only their last seconds go into the warm-up (enough frames for a CPR pair and a
# confirmed track); their first fixes are untimed like the rest of the warm-up.
DEPART_TAIL_S = 15.0


def build_warm(
    n_frames: int, n_aircraft: int, warm_s: float, seed: int = 1
) -> tuple[FrameBatch, FrameBatch]:
    """(warm-up, measured) for ``--warm``: ``n_aircraft`` aircraft in range at any time, each
    for a 10-minute window of the real flight at its real rate; the measured part is the whole
    number of ``COUNTRY_SAMPLE_S`` periods after the warm-up's ``warm_s`` seconds of data whose
    frames come nearest ``n_frames``."""
    rec = load_recording()
    rng = np.random.default_rng(seed)
    t0 = float(rec.time_s[0])
    span = float(rec.time_s[-1] - rec.time_s[0])
    per_s = len(rec) / span * 1.5  # frames per second per aircraft, DF11 (1/3) included
    period = R.COUNTRY_SAMPLE_S
    dur = period * max(1, round(n_frames / (n_aircraft * per_s * period)))  # data s measured
    tw = t0 + 2 * WINDOW_S + DEPART_BACK_S  # the measured frames start here (data time)
    first_arrival = tw - DEPART_BACK_S - WINDOW_S
    n_all = round(n_aircraft * (tw + dur - first_arrival) / WINDOW_S)
    arrive = rng.uniform(first_arrival, tw + dur, n_all)
    offset = rng.uniform(t0, t0 + span - WINDOW_S, n_all)  # where in the flight each one is
    idx: list[np.ndarray] = []
    shift: list[np.ndarray] = []
    who: list[np.ndarray] = []
    df11_t: list[np.ndarray] = []
    df11_who: list[np.ndarray] = []
    for k in range(n_all):
        a, s = float(arrive[k]), float(offset[k])
        d = a + WINDOW_S
        lo, hi = max(a, min(tw - warm_s, d - DEPART_TAIL_S)), min(d, tw + dur)
        if hi <= lo:
            continue
        i0, i1 = np.searchsorted(rec.time_s, [s + lo - a, s + hi - a])
        idx.append(np.arange(i0, i1))
        shift.append(np.full(i1 - i0, a - s))
        who.append(np.full(i1 - i0, k))
        n11 = (i1 - i0) // 2  # DF11 all-calls: 1/3 of the aircraft's frames
        df11_t.append(rng.uniform(lo, hi, n11))
        df11_who.append(np.full(n11, k))
    body = rec.take(np.concatenate(idx))
    body.time_s = body.time_s + np.concatenate(shift)
    readdress(body, 0x100000 + np.concatenate(who))
    ac = np.concatenate(df11_who)
    df11 = FrameBatch.empty(len(ac))
    df11.nbytes[:] = 7
    df11.payload[:, 0] = (11 << 3) | 5
    df11.time_s[:] = np.concatenate(df11_t)
    readdress(df11, 0x100000 + ac)
    corpus = FrameBatch.concat([body, df11])
    corpus = corpus.take(np.argsort(corpus.time_s, kind="stable"))
    cut = int(np.searchsorted(corpus.time_s, tw))
    return corpus.take(np.arange(cut)), corpus.take(np.arange(cut, len(corpus)))


class GcClock:
    """CPU time spent in the garbage collector while it is on (``gc.callbacks``), and how many
    collections of each generation ran: the detector's live objects (states, trend windows)
    are walked by every full collection, whichever stage set it off."""

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.runs = [0, 0, 0]
        self._t = 0.0

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._tick)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._tick)

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t = time.process_time()
        else:
            self.cpu_s += time.process_time() - self._t
            self.runs[info["generation"]] += 1


def cpu(fn, *args):  # type: ignore[no-untyped-def]
    t = time.process_time()
    out = fn(*args)
    return time.process_time() - t, out


class TimedDetector:
    """The pipeline's detector, with the CPU time spent inside it summed (``cpu_s``)."""

    def __init__(self) -> None:
        self.inner = make_detector()
        self.cpu_s = 0.0
        self.why: Counter[str] | None = None  # hot rows per reason, when counted

    def step(self, state: PipelineState, positions: Any, now_s: float) -> list[Any]:
        if self.why is not None:  # the counting run (untimed): the detector's step itself
            state.detector, out = detect_step(
                state.detector, positions, now_s, self.inner.world, why=self.why
            )
            return out
        t = time.process_time()
        out = self.inner.step(state, positions, now_s)
        self.cpu_s += time.process_time() - t
        return out

    def finish(self, state: PipelineState, now_s: float) -> list[Any]:
        return self.inner.finish(state, now_s)


def run_pipeline(corpus: FrameBatch, batch: int, detect: bool) -> tuple[float, PipelineState]:
    t, state, _ = run_timed(corpus, batch, detect)
    return t, state


def run_timed(
    corpus: FrameBatch,
    batch: int,
    detect: bool,
    warm: FrameBatch | None = None,
    why: Counter[str] | None = None,
    gc_clock: GcClock | None = None,
    start: PipelineState | None = None,
) -> tuple[float, PipelineState, float]:
    """(CPU s of the run, final state, CPU s inside the detector). With ``warm``: those frames
    first, untimed, the state carried over (``--warm``). With ``why``: hot rows per reason of
    the timed frames added to it. With ``gc_clock``: the garbage collector's time in the timed
    frames added to it. With ``start``: that state instead of an empty one (a warmed state kept
    from an earlier warm-up, warm_sweep.py)."""
    cfg = tracker_config()
    det = TimedDetector() if detect else None
    state = start if start is not None else PipelineState()
    if warm is not None:
        for a in range(0, len(warm), batch):
            frames = warm.rows(a, min(a + batch, len(warm)))
            state, _ = step(state, frames, cfg, det)  # type: ignore[arg-type]  # duck-typed
        state.stats = PipelineStats()  # the measured frames' own counts
        if det is not None:
            det.cpu_s = 0.0
    if det is not None:
        det.why = why
    t = time.process_time()
    with gc_clock or contextlib.nullcontext():
        for a in range(0, len(corpus), batch):
            # Views, not copies: a copy per batch (take) was 4.7 % of decode + track's
            # instructions, the benchmark's own work counted as the pipeline's (session 12).
            # Nothing writes into a batch's frames (bench_instr's view check).
            frames = corpus.rows(a, min(a + batch, len(corpus)))
            state, _ = step(state, frames, cfg, det)  # type: ignore[arg-type]  # duck-typed
    return time.process_time() - t, state, det.cpu_s if det else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=65536)
    ap.add_argument("--rs1090-frames", type=int, default=200_000, help="rs1090 sample size")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage; the fastest counts")
    ap.add_argument(
        "--dwell", action="store_true",
        help="each aircraft heard for its whole 10-minute window (as many as --frames hold; "
        "--aircraft is ignored): per-fix costs, as at a real receiver",
    )  # fmt: skip
    ap.add_argument(
        "--warm", action="store_true",
        help="steady state: --aircraft aircraft in range at once, arriving and leaving spread in "
        "time, all tracked and detected by an untimed warm-up before the measured frames",
    )  # fmt: skip
    ap.add_argument(
        "--warm-s", type=float, default=60.0,
        help="with --warm: seconds of data in the untimed warm-up pass",
    )  # fmt: skip
    ap.add_argument(
        "--default-gc", action="store_true",
        help="keep CPython's garbage-collection thresholds instead of the runtime's policy "
        "(flyvakt.runtime.setup.tune_gc, which replay and run apply): its effect, before/after",
    )  # fmt: skip
    args = ap.parse_args()

    if args.dwell and args.warm:
        ap.error("--dwell and --warm are different corpora: give one")
    warm: FrameBatch | None = None
    if args.dwell:
        args.aircraft = dwell_aircraft(args.frames)
    if args.warm:
        warm, corpus = build_warm(args.frames, args.aircraft, args.warm_s)
    else:
        corpus = build_corpus(args.frames, args.aircraft, dwell=args.dwell)
    df = corpus.payload[:, 0] >> 3
    mix = {int(d): round(float(np.mean(df == d)) * 100, 1) for d in np.unique(df)}
    print(f"corpus: {len(corpus):,} frames, {args.aircraft:,} aircraft, DF mix %: {mix}")
    if warm is not None:
        data_s = float(corpus.time_s[-1] - corpus.time_s[0])
        clear = (df == 11) | (df == 17)  # address in clear
        heard = len(np.unique(corpus.payload[clear, 1:4], axis=0))
        print(
            f"warm: {len(warm):,} frames of untimed warm-up first; the measured frames span "
            f"{data_s:.1f} s of data, {heard:,} aircraft heard in them"
        )
    # Warm-up: world data (airports, country grids, the time-zone finder that the first event
    # loads), tracker config: loaded once per process in real use too.
    tracker_config()
    get_world().tz_at(0.0, 0.0)
    run_pipeline(corpus.take(np.arange(min(len(corpus), 20_000))), args.batch, detect=True)
    if not args.default_gc:
        tune_gc()  # as `flyvakt replay` and `run` do after start-up

    t_dec = min(cpu(decode_batch, corpus)[0] for _ in range(args.repeat))
    trk, det = [], []
    gc_trk, gc_det = [], []
    for _ in range(args.repeat):  # alternating, so that a burst of load hits both alike
        gc_trk.append(GcClock())
        trk.append(run_timed(corpus, args.batch, detect=False, warm=warm, gc_clock=gc_trk[-1]))
        gc_det.append(GcClock())
        det.append(run_timed(corpus, args.batch, detect=True, warm=warm, gc_clock=gc_det[-1]))
    why: Counter[str] = Counter()
    run_timed(corpus, args.batch, detect=True, warm=warm, why=why)  # counted apart, untimed
    t_trk, st, _ = min(trk, key=lambda r: r[0])
    t_all, st2, _ = min(det, key=lambda r: r[0])
    t_det = min(r[2] for r in det)
    n = len(corpus)
    import rs1090_ref  # beside this file (on sys.path when run as a script or from bench_e2e)

    m = min(args.rs1090_frames, n)
    hexes = [corpus.hex(i) for i in range(m)]
    times = corpus.time_s[:m].tolist()
    # rs1090 on one thread, as our pipeline runs (its default pool spends more CPU per message
    # and moves with the load): rs1090_ref.py.
    rs_rate = rs1090_ref.rate(hexes, times, 1, threads=1)
    table = st.tracker.table
    tbytes = sum(c.nbytes for c in table.cols.values())
    per_1000 = tbytes / max(len(table), 1) * 1000
    print(f"decode only            : {n / t_dec:>12,.0f} msg/s")
    print(f"decode + track         : {n / t_trk:>12,.0f} msg/s")
    print(
        f"decode + track + detect: {n / t_all:>12,.0f} msg/s "
        f"(detection costs {100 * (t_all - t_trk) / t_trk:.0f} % more)"
    )
    print(
        f"detector's own CPU time: {t_det:.3f} s = {100 * t_det / t_trk:.0f} % of decode + track "
        f"({t_det / n * 1e6:.2f} s per 1 M frames)"
    )
    # Where "on top" goes besides the detector's own step: the expiry sweep of its states, the
    # garbage collector walking its objects, caches it leaves cold for decode + track.
    k_trk = min(range(len(trk)), key=lambda k: trk[k][0])
    k_det = min(range(len(det)), key=lambda k: det[k][0])
    g_trk, g_det = gc_trk[k_trk], gc_det[k_det]
    print(
        f"  in those fastest runs: decode + track inside the detecting run "
        f"{t_all - det[k_det][2]:.3f} s (alone {t_trk:.3f} s); garbage collection "
        f"{g_trk.cpu_s:.3f} s without detection, {g_det.cpu_s:.3f} s with it "
        f"(collections per generation {g_trk.runs} / {g_det.runs})"
    )
    print(f"rs1090 decode, 1 thread: {rs_rate:>12,.0f} msg/s (on {m:,} of the same frames)")
    print(f"ratio decode+track / rs1090: {n / t_trk / rs_rate:.1f}x")
    print(
        f"positions: {st.stats.positions:,}; events: {st2.stats.events:,}; "
        f"aircraft tracked: {len(table):,}"
    )
    hot = sum(why.values())
    print(f"hot rows: {hot:,} of {st2.stats.positions:,} positions; per reason (the first):")
    for reason, count in why.most_common():
        print(f"  {reason:<22}: {count:>9,}")
    print(
        f"tracker state: {tbytes / 1e6:.1f} MB for {len(table):,} aircraft "
        f"= {per_1000 / 1e6:.2f} MB per 1,000 aircraft"
    )


if __name__ == "__main__":
    main()
