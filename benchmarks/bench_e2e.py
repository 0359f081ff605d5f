"""Whole-process speed: ``flyvakt replay FILE --positions-out X`` per input format, beside rs1090
and pyModeS decoding the same frames in the same run; the aircraft-count sweep (decode + track,
and with detect, each also as a share of its rate at 1,000 aircraft); peak RSS.

Corpus (SYNTHETIC, built from REAL frames): the 57,793 real AFR34ZG frames re-addressed and
time-shifted to N virtual aircraft with parity recomputed, DF11 all-calls added, exactly as
``bench_pipeline.build_corpus`` does (DF mix ~1/3 DF11, 1/3 DF17, 1/3 DF0/4/5/16/20/21). The
same frames are written as Beast, AVR (with 12 MHz counters), CSV (``timestamp,hex``) and
jet1090 JSONL; the state-vector file is the positions ``flyvakt replay`` accepts from that
corpus, written as an OpenSky-style CSV, repeated until it has ``--sv-rows`` rows (each copy
30 min after the last: never more than 5,000 aircraft at once; the tracker has dropped them,
but the detector finds the same 5,000 again in every copy, each lost and regained 5 times).
Format ``svfresh`` ("sv, fresh aircraft") is the same file with every copy re-addressed: the
same rows and times, 30,000 aircraft each heard once, none found again. A row is one decoded
position report, not a message: its rate is printed beside rs1090's messages/s.

    .venv/bin/python benchmarks/bench_e2e.py [--frames 1000000] [--aircraft 5000] [--repeat 3]
        [--formats beast,avr,csv,jsonl,sv,svfresh] [--sv-rows 1000000]
        [--sweep 100,1000,5000,20000,50000] [--sweep-warm 1000,5000,50000] [--sweep-warm-s 20]
        [--live 100000,200000,300000,500000 | --no-live] [--live-seconds 5]
        [--compare-src DIR]   # DIR: another flyvakt's src (git archive BASE src), run alternately

The default run takes about 3 minutes of wall time on a quiet 2-core machine, plus 2-6 for the
concurrent sweep (its 50,000-aircraft warm-up is 42 M frames, untimed; the wall time of each
part is printed, and the total at the end). After the table, one Markdown row per format
is printed, in the column order of docs/performance.md's table, ready to paste.

``--live``: ``flyvakt run beast+tcp://`` (the engine, in this process, with its store and a
reader process) fed by a separate peer process at each offered rate: ``bench_live.py`` (its
default, time-consistent corpus; ``--aircraft`` is not used there), which
says what it measures (frame -> API latency from each frame's due time at the peer).

Every figure is process CPU time (user + system of the child, from ``wait4``), median of
``--repeat`` runs: the machine is shared, so wall time would measure the neighbours. Rates are
input frames (or state vectors) per CPU second. pyModeS is GPL: it is only imported here, in the
benchmark, when installed in the benchmark's venv (``pip install pyModeS``); never from src/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rs1090_ref
from bench_pipeline import build_corpus
from warm_sweep import WARM_S

from flyvakt.model import FrameBatch
from flyvakt.sources.writers import format_avr, write_beast, write_jsonl

FORMATS = ("beast", "avr", "csv", "jsonl", "sv", "svfresh")
SUFFIX = {
    "beast": "bin",
    "avr": "avr",
    "csv": "csv",
    "jsonl": "jsonl",
    "sv": "sv.csv",
    "svfresh": "svfresh.csv",
}
STATE_VECTORS = ("sv", "svfresh")


def write_corpus(corpus: FrameBatch, folder: Path) -> tuple[dict[str, Path], str]:
    """The corpus in every frame format; returns the paths and the ``--start-time`` to use."""
    t_first = float(corpus.time_s[0])
    epoch = t_first - 1.0  # counters start at 12e6 ticks: counter 0 means "no timestamp"
    start = datetime.fromtimestamp(t_first, UTC).isoformat()
    paths = {f: folder / f"corpus.{SUFFIX[f]}" for f in FORMATS}
    chunk = 100_000
    with (
        open(paths["beast"], "wb") as fb,
        open(paths["avr"], "w") as fa,
        open(paths["csv"], "w") as fc,
        open(paths["jsonl"], "w") as fj,
    ):
        fc.write("timestamp,hex\n")
        for a in range(0, len(corpus), chunk):
            part = corpus.take(np.arange(a, min(a + chunk, len(corpus))))
            write_beast(fb, part, epoch_s=epoch)
            fa.write(format_avr(part, with_counter=True, epoch_s=epoch))
            write_jsonl(fj, part)
            hexes = [part.hex(i) for i in range(len(part))]
            fc.write(
                "".join(f"{t!r},{h}\n" for t, h in zip(part.time_s.tolist(), hexes, strict=True))
            )
    return paths, start


# Copies of the accepted positions in the state-vector file are this far apart: past the
# tracker's 300 s expiry and the detector's lost-signal time, so never more than the frame
# corpus's 5,000 aircraft at once (not 6 x 5,000). The tracker starts them afresh; the detector
# keeps them and finds each again after a gap (unless the copies are re-addressed: ``fresh``).
SV_COPY_GAP_S = 1800.0


def write_state_vectors(
    positions_parquet: Path, out: Path, min_rows: int = 0, *, fresh: bool = False
) -> tuple[int, int]:
    """OpenSky-like state-vector CSV from accepted positions (SI units, as OpenSky writes them),
    repeated (each copy SV_COPY_GAP_S later) until it has at least ``min_rows`` rows; returns
    (rows, copies). ``fresh``: copy k's addresses moved up by k times the span of the first
    copy's, so that no copy has an aircraft of another (the same rows and times otherwise)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    t = pq.read_table(positions_parquet)
    ft = 0.3048
    sv = pa.table(
        {
            "time": pc.divide(t["time"].cast(pa.int64()), 1_000_000),
            "icao24": t["icao24"],
            "lat": t["lat"],
            "lon": t["lon"],
            "velocity": pc.divide(t["groundspeed_kt"], 3600.0 / 1852.0),
            "heading": t["track_deg"],
            "vertrate": pc.multiply(t["vertical_rate_fpm"], ft / 60.0),
            "callsign": t["callsign"],
            "onground": t["on_ground"],
            "squawk": t["squawk"],
            "baroaltitude": pc.multiply(t["altitude_baro_ft"], ft),
            "geoaltitude": pc.multiply(t["altitude_gnss_ft"], ft),
        }
    )
    # In time order, as OpenSky's files are (the positions come out step by step, a little out
    # of order across steps; a replay would sort the whole file first). A stable sort.
    sv = sv.take(pc.sort_indices(sv, sort_keys=[("time", "ascending")]))
    copies = max(1, -(-min_rows // max(sv.num_rows, 1)))
    span = int(SV_COPY_GAP_S + pc.max(sv["time"]).as_py() - pc.min(sv["time"]).as_py())
    enc = sv["icao24"].combine_chunks().dictionary_encode()
    addresses = np.array([int(a, 16) for a in enc.dictionary.to_pylist()], dtype=np.int64)
    stride = int(addresses.max() - addresses.min() + 1)
    with pacsv.CSVWriter(out, sv.schema) as w:
        for k in range(copies):
            shifted = sv.set_column(0, "time", pc.add(sv["time"], k * span))
            if fresh and k:
                moved = pa.array([f"{a + k * stride:06x}" for a in addresses.tolist()])
                shifted = shifted.set_column(1, "icao24", moved.take(enc.indices))
            w.write_table(shifted)
    return sv.num_rows * copies, copies


# The child reports its own peak RSS (VmHWM belongs to the exec'd image; ru_maxrss of a forked
# child would include this benchmark's own memory at fork time), then ends as the `flyvakt`
# command ends a replay (cli/main.py entry; a build without exit_at_once: sys.exit).
_CHILD = (
    "import sys\n"
    "from flyvakt.cli import main as m\n"
    "rc = m.main(sys.argv[1:])\n"
    "sys.stderr.write([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    "getattr(m, 'exit_at_once', sys.exit)(rc)\n"
)


def run_replay(
    path: Path, start: str, out: Path, extra: list[str] | None = None, src: str | None = None
) -> dict[str, float]:
    """One whole ``flyvakt replay`` process: CPU seconds, wall seconds, peak RSS (MB).
    ``src``: a ``src`` folder of another flyvakt (``--compare-src``) to run instead."""
    cmd = [sys.executable, "-c", _CHILD, "replay", str(path), "--quiet"]
    cmd += ["--positions-out", str(out), "--start-time", start] + (extra or [])
    env = None
    if src:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"replay failed ({proc.returncode}): {err.decode()[-2000:]}")
    hwm = [ln for ln in err.decode().splitlines() if ln.startswith("VmHWM:")]
    rss_mb = float(hwm[-1].split()[1]) / 1024 if hwm else float("nan")
    return {"cpu_s": ru.ru_utime + ru.ru_stime, "wall_s": wall, "rss_mb": rss_mb}


def cpu_of(fn: Any, *args: Any) -> float:
    t = time.process_time()
    fn(*args)
    return time.process_time() - t


def reference_rates(corpus: FrameBatch, n: int, repeat: int) -> dict[str, float | None]:
    """rs1090 (one thread, and its default thread pool) and pyModeS decode-only rates
    (msg/CPU-s) on the first ``n`` corpus frames."""
    m = min(n, len(corpus))
    hexes = [corpus.hex(i) for i in range(m)]
    times = corpus.time_s[:m].tolist()
    # One thread (the reference: our replay runs on one core) and rayon's default pool (its
    # CPU per message is higher and moves with the load): see rs1090_ref.py.
    rates: dict[str, float | None] = {}
    rates["rs1090"] = rs1090_ref.rate(hexes, times, repeat, threads=1)
    rates["rs1090_pool"] = rs1090_ref.rate(hexes, times, repeat, threads=0)
    try:
        import pyModeS  # GPL: benchmark venv only, never imported by src/
    except ImportError:
        rates["pyModeS"] = None
    else:
        k = min(m, 50_000)  # pyModeS is slow: a smaller sample keeps the run short
        runs = [
            cpu_of(lambda: pyModeS.decode(hexes[:k], timestamps=times[:k])) for _ in range(repeat)
        ]
        rates["pyModeS"] = k / statistics.median(runs)
    return rates


def _first_use() -> None:
    """World data (airports, borders, time zones) loads on first use, once per process: a small
    run first; then the collector tuned as `flyvakt replay` and `run` do after start-up."""
    from bench_pipeline import run_pipeline

    from flyvakt.runtime.setup import tracker_config, tune_gc

    tracker_config()
    run_pipeline(build_corpus(20_000, 200), 65536, detect=True)
    tune_gc()


def sweep(frames: int, sizes: list[int], repeat: int) -> list[tuple[int, float, float, float]]:
    """Per aircraft count, in-process: decode + track rate, decode + track + detect rate
    (msg/CPU-s) and tracker MB; each rate also as a share of its rate at 1,000 aircraft."""
    from bench_pipeline import run_pipeline

    _first_use()
    # Every size's corpus first, then the runs alternate size by size (and with/without
    # detection): a burst of load from the machine's other work then hits every size alike,
    # and the shares of the 1,000 rate compare runs minutes apart no more.
    corpora = {n_ac: build_corpus(frames, n_ac) for n_ac in sizes}
    times: dict[tuple[int, bool], list[float]] = {(n, d): [] for n in sizes for d in (False, True)}
    states: dict[int, Any] = {}
    for _ in range(repeat):
        for n_ac in sizes:
            for detect in (False, True):
                t, states[n_ac] = run_pipeline(corpora[n_ac], 65536, detect=detect)
                times[n_ac, detect].append(t)
    rate_of = {
        n_ac: [len(corpora[n_ac]) / statistics.median(times[n_ac, d]) for d in (False, True)]
        for n_ac in sizes
    }
    out = []
    for n_ac in sizes:
        rates, base = rate_of[n_ac], rate_of.get(1000)
        table = states[n_ac].tracker.table
        mb = sum(c.nbytes for c in table.cols.values()) / 1e6
        out.append((n_ac, rates[0], rates[1], mb))
        share = (
            f" ({100 * rates[0] / base[0]:.0f} % / {100 * rates[1] / base[1]:.0f} % of 1,000)"
            if base
            else ""
        )
        print(
            f"  {n_ac:>6,} aircraft: {rates[0]:>10,.0f} msg/s decode+track, "
            f"{rates[1]:>10,.0f} decode+track+detect{share}, tracker {mb:.1f} MB",
            flush=True,
        )
    return out


def sweep_warm(
    frames: int, sizes: list[int], repeat: int, warm_s: float
) -> list[tuple[int, float, float, float]]:
    """The sweep at N **concurrent** aircraft (issue 12's words): per size, build_warm's steady
    state, warmed untimed, then one window between two country-sample instants measured
    (warm_sweep.py says what it holds); decode + track and + detect msg/CPU-s, each also as a
    share of its rate at 1,000; alternating size by size as ``sweep`` does."""
    from warm_sweep import prepare, run_window, unconfirmed

    _first_use()  # a second call (after ``sweep``) costs a small run, nothing timed
    warmed = {}
    for n_ac in sizes:
        w = warmed[n_ac] = prepare(n_ac, frames, warm_s, 65536)
        print(
            f"  {n_ac:>6,} in range: {len(w.untimed):,} frames untimed (warm-up {warm_s:g} s "
            f"and up to the window), window {len(w.window):,} frames = {w.window_s:.2f} s of "
            f"data; aircraft in it without a confirmed track at its start: "
            f"{unconfirmed(w)}",
            flush=True,
        )
    times: dict[tuple[int, bool], list[float]] = {(n, d): [] for n in sizes for d in (False, True)}
    scans: dict[int, int] = {n: 0 for n in sizes}
    for _ in range(repeat):
        for n_ac in sizes:
            for detect in (False, True):
                t, k, _ = run_window(warmed[n_ac], 65536, detect)
                times[n_ac, detect].append(t)
                scans[n_ac] = max(scans[n_ac], k)
    rate_of = {
        n: [len(warmed[n].window) / statistics.median(times[n, d]) for d in (False, True)]
        for n in sizes
    }
    out = []
    for n_ac in sizes:
        rates, base = rate_of[n_ac], rate_of.get(1000)
        share = (
            f" ({100 * rates[0] / base[0]:.0f} % / {100 * rates[1] / base[1]:.0f} % of 1,000)"
            if base
            else ""
        )
        print(
            f"  {n_ac:>6,} in range: {rates[0]:>10,.0f} msg/s decode+track, "
            f"{rates[1]:>10,.0f} decode+track+detect{share}, expiry scans in window "
            f"{scans[n_ac]}",
            flush=True,
        )
        out.append((n_ac, rates[0], rates[1], float(scans[n_ac])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--sweep", default="100,1000,5000,20000,50000", help="'' to skip")
    concurrent = "sizes of the concurrent sweep (steady state, warm_sweep.py); '' to skip"
    ap.add_argument("--sweep-warm", default="1000,5000,50000", help=concurrent)
    warm_help = "concurrent sweep: seconds of untimed warm-up data before the window"
    ap.add_argument("--sweep-warm-s", type=float, default=WARM_S, help=warm_help)
    ap.add_argument("--ref-frames", type=int, default=200_000, help="rs1090 sample size")
    ap.add_argument(
        "--sv-rows",
        type=int,
        default=1_000_000,
        help="at least this many state-vector rows (the accepted positions, repeated)",
    )
    ap.add_argument("--keep", metavar="DIR", help="write the corpus here and keep it")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument(
        "--live", default="100000,200000,300000,500000", help="offered frames/s; '' to skip"
    )
    ap.add_argument("--no-live", action="store_true", help="skip the live part (same as --live '')")
    ap.add_argument("--live-seconds", type=float, default=5.0)
    ap.add_argument(
        "--compare-src",
        metavar="DIR",
        help="also replay with the flyvakt in DIR (a 'src' folder, e.g. from `git archive "
        "BASE src`), alternating run by run with this one; prints before/after per format",
    )
    args = ap.parse_args()
    if args.no_live:
        args.live = ""
    wall0 = time.perf_counter()
    formats = [f for f in args.formats.split(",") if f]
    # This machine sets PYTHONDONTWRITEBYTECODE: without compiled modules every child process
    # would compile flyvakt's sources again, a cost no installed copy has.
    import compileall

    import flyvakt

    compileall.compile_dir(str(Path(flyvakt.__file__).parent), quiet=1)
    if args.compare_src:
        compileall.compile_dir(str(Path(args.compare_src) / "flyvakt"), quiet=1)

    corpus = build_corpus(args.frames, args.aircraft)
    df = corpus.payload[:, 0] >> 3
    mix = {int(d): round(float(np.mean(df == d)) * 100, 1) for d in np.unique(df)}
    print(
        f"corpus (synthetic from real frames): {len(corpus):,} frames, "
        f"{args.aircraft:,} aircraft, DF mix %: {mix}",
        flush=True,
    )
    tmp = tempfile.TemporaryDirectory()
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    paths, start = write_corpus(corpus, folder)
    n_sv = 0
    if any(f in formats for f in STATE_VECTORS):
        run_replay(paths["beast"], start, folder / "sv-source.parquet", ["--no-events"])
        for fmt in (f for f in STATE_VECTORS if f in formats):
            fresh = fmt == "svfresh"
            n_sv, copies = write_state_vectors(
                folder / "sv-source.parquet", paths[fmt], args.sv_rows, fresh=fresh
            )
        print(
            f"state vectors: {n_sv:,} rows = the {n_sv // copies:,} positions accepted from the "
            f"frames, {copies} cop{'y' if copies == 1 else 'ies'} {SV_COPY_GAP_S:g} s apart "
            f"(a row is one decoded position report, what ~{len(corpus) * copies / n_sv:.1f} "
            f"Mode S messages gave here); sv: the same {args.aircraft:,} aircraft in every copy "
            f"(each lost and found again {copies - 1} times); svfresh: every copy re-addressed "
            f"({args.aircraft * copies:,} aircraft, each heard in one copy only)",
            flush=True,
        )
    refs = reference_rates(corpus, args.ref_frames, args.repeat)
    rs = refs["rs1090"] or 1.0
    print(
        f"rs1090 decode (Python), one thread: {rs:>10,.0f} msg/CPU-s (the reference below); "
        f"with its default thread pool: {refs['rs1090_pool'] or 0:,.0f} msg/CPU-s; pyModeS "
        "decode: " + (f"{refs['pyModeS']:,.0f} msg/s" if refs["pyModeS"] else "not installed"),
        flush=True,
    )
    results: dict[str, Any] = {"frames": len(corpus), "aircraft": args.aircraft, "refs": refs}
    print(
        f"{'format':<7} {'size MB':>8} {'CPU s':>7} {'msg/CPU-s':>10} {'x rs1090':>9} "
        f"{'to 1M/s':>8} {'RSS MB':>7}"
    )
    rows_md = []
    for fmt in formats:
        n = n_sv if fmt in STATE_VECTORS else len(corpus)
        runs, base_runs = [], []
        for _ in range(args.repeat):  # alternating, so that the neighbours' load hits both
            runs.append(run_replay(paths[fmt], start, folder / f"pos-{fmt}.parquet"))
            if args.compare_src:
                out = folder / f"pos-{fmt}-base.parquet"
                base_runs.append(run_replay(paths[fmt], start, out, src=args.compare_src))
        cpu = statistics.median(r["cpu_s"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        rate = n / cpu
        results[fmt] = {
            "records": n,
            "cpu_s": cpu,
            "rate": rate,
            "rss_mb": rss,
            "x_rs1090": rate / rs,
            "runs": runs,
        }
        print(
            f"{fmt:<7} {paths[fmt].stat().st_size / 1e6:>8.0f} {cpu:>7.2f} {rate:>10,.0f} "
            f"{rate / rs:>8.1f}x {1e6 / rate:>7.1f}x {rss:>7.0f}",
            flush=True,
        )
        rows_md.append(_md_row(fmt, paths[fmt].stat().st_size, cpu, rate, rs, rss))
        if base_runs:
            base_cpu = statistics.median(r["cpu_s"] for r in base_runs)
            results[fmt]["base"] = {"cpu_s": base_cpu, "rate": n / base_cpu, "runs": base_runs}
            pair = (folder / f"pos-{fmt}.parquet", folder / f"pos-{fmt}-base.parquet")
            same = _same_positions(*pair)
            print(
                f"{'  base':<7} {'':>8} {base_cpu:>7.2f} {n / base_cpu:>10,.0f} "
                f"{n / base_cpu / rs:>8.1f}x  (this build {base_cpu / cpu:.2f}x as fast; "
                f"positions {'identical' if same else 'DIFFERENT'})",
                flush=True,
            )
    if formats:
        print(f"Markdown rows for docs/performance.md (rs1090 {rs / 1e3:.1f} k msg/s, same run):")
        print("\n".join(rows_md), flush=True)
    print(f"[formats done at {time.perf_counter() - wall0:.0f} s wall]", flush=True)
    if args.sweep:
        print(
            "aircraft sweep, cold start: each aircraft new, 20 messages at 50,000, then lost "
            "(in-process, 1 batch = 65,536 frames):"
        )
        results["sweep"] = sweep(args.frames, [int(s) for s in args.sweep.split(",")], args.repeat)
        print(f"[sweep done at {time.perf_counter() - wall0:.0f} s wall]", flush=True)
    if args.sweep_warm:
        print(
            "aircraft sweep, concurrent: N in range at any time, warmed up untimed, a window "
            "between two country samples measured (in-process, 1 batch = 65,536 frames):"
        )
        sizes = [int(s) for s in args.sweep_warm.split(",")]
        results["sweep_warm"] = sweep_warm(args.frames, sizes, args.repeat, args.sweep_warm_s)
        print(f"[concurrent sweep done at {time.perf_counter() - wall0:.0f} s wall]", flush=True)
    if args.live:
        print(
            f"live: flyvakt run beast+tcp:// fed by a peer process, {args.live_seconds:g} s each:"
        )
        from bench_live import live

        rates = [int(r) for r in args.live.split(",")]
        results["live"] = live(rates, args.live_seconds, args.aircraft, "process", True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"bench_e2e: {time.perf_counter() - wall0:.0f} s wall in all", flush=True)


def _same_positions(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    return bool(pq.read_table(a).equals(pq.read_table(b)))


LABEL = {
    "beast": "Beast",
    "avr": "AVR",
    "csv": "CSV frames",
    "jsonl": "jet1090 JSONL",
    "sv": "state vectors (CSV)",
    "svfresh": "state vectors (CSV), fresh aircraft",
}


def _md_row(fmt: str, size_b: int, cpu: float, rate: float, rs: float, rss: float) -> str:
    """One row of docs/performance.md's per-format table (state vectors: rows per second
    beside rs1090's messages per second; a row is one decoded position report)."""
    head = f"| {LABEL[fmt]} | {size_b / 1e6:.0f} MB | {cpu:.2f} | {rate / 1e3:.0f} k"
    if fmt in STATE_VECTORS:
        return f"{head} rows/s | {rate / rs:.1f}× (rows) | {1e6 / rate:.1f}× | {rss:.0f} MB |"
    return f"{head} | {rate / rs:.1f}× | {1e6 / rate:.1f}× | {rss:.0f} MB |"


if __name__ == "__main__":
    main()
