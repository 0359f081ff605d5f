"""``flyvakt replay INPUT...``: recordings through decode → track → detect, as fast as possible."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

from flyvakt.cli._args import time_zone, utc_time_text
from flyvakt.model import Event
from flyvakt.sample import bundled_sample as bundled_sample  # also for the tests


def register(sub: Any) -> None:
    p = sub.add_parser(
        "replay",
        help="replay recordings: decode, track, detect events",
        description=(
            "Replay recordings (Beast, AVR, SBS, jet1090 JSONL, CSV frames, state vectors) "
            "through decode, track and event detection. With no INPUT, replays the bundled "
            "real recording of AFR34ZG (Paris CDG → Toulouse, 2024-07-06)."
        ),
    )
    add_replay_arguments(p)
    p.set_defaults(func=run_replay)


def add_replay_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="files or file: URLs (.gz ok); - reads standard input (format sniffed)",
    )
    p.add_argument(
        "--format",
        dest="fmt",
        help="override format detection "
        "(beast, avr, sbs, jsonl, csv, json, sv-csv, sv-jsonl, parquet, opensky)",
    )
    p.add_argument(
        "--start-time",
        type=utc_time_text,
        help="UTC start (ISO 8601) for Beast/AVR files without absolute timestamps; "
        "relative times in CSV/JSONL frame files are seconds after it",
    )
    p.add_argument(
        "--positions-out", metavar="FILE", help="write accepted positions (.parquet or .csv)"
    )
    p.add_argument("--events-jsonl", metavar="FILE", help="write events, one JSON object per line")
    p.add_argument(
        "--db", metavar="FILE", help="also store positions and events in this SQLite file"
    )
    p.add_argument(
        "--all-points",
        action="store_true",
        help="with --db: store every accepted position (by default the store keeps a thinned "
        "track, and exports say so in their 'thinned' column)",
    )
    p.add_argument(
        "--data-label",
        metavar="TEXT",
        help="with --db: mark the store as not a recording (e.g. 'SYNTHETIC'); the map shows "
        "it and stamps saved images (default: the label `simulate` writes beside its output, "
        "INPUT.label)",
    )
    p.add_argument(
        "--fleets",
        metavar="FILE",
        help="fleets file (TOML) for fleet tags and events (default: the bundled example)",
    )
    p.add_argument(
        "--tz",
        default=None,
        type=time_zone,
        help="reader's time zone for printed times (e.g. Europe/Oslo)",
    )
    p.add_argument("--batch-size", type=int, default=65536, help="frames per batch (default 65536)")
    p.add_argument("--no-events", action="store_true", help="skip event detection")
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (shown only on a terminal: %%, rate, ETA), no event lines",
    )


def _parse_start(text: str | None) -> float | None:
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise SystemExit(f"--start-time {text!r}: give a time zone (e.g. 2024-07-06T06:43:00Z)")
    return dt.timestamp()


def run_replay(args: argparse.Namespace) -> int:
    from flyvakt.cli._outputs import EventsWriter, PositionsWriter
    from flyvakt.cli.progress import ReplayProgress, wanted
    from flyvakt.pipeline import PipelineState, finish, flush
    from flyvakt.runtime.guard import guarded_step
    from flyvakt.runtime.setup import make_detector, tracker_config, tune_gc
    from flyvakt.sources import SourceFormatError, SourceStats

    inputs = args.inputs or [bundled_sample()]
    start_s = _parse_start(args.start_time)
    for out_path in (args.positions_out, args.events_jsonl):
        problem = output_problem(out_path)
        if problem:
            print(f"flyvakt replay: {problem}", file=sys.stderr)
            return 2
    if args.positions_out and Path(args.positions_out).suffix.lower() not in (".parquet", ".csv"):
        print(
            f"flyvakt replay: {args.positions_out}: must end in .parquet or .csv", file=sys.stderr
        )
        return 2
    cfg = tracker_config()
    from flyvakt.cli._fleets_default import fleets_or_bundled

    fleets = fleets_or_bundled(args.fleets)
    detector = None if args.no_events else make_detector(fleets_path=fleets)
    tune_gc()  # start-up done: the run's GC policy (runtime/setup.py)
    if keep_freed_memory():
        arrow_uses_glibc()
    pos_out = PositionsWriter(args.positions_out) if args.positions_out else None
    ev_out = EventsWriter(args.events_jsonl) if args.events_jsonl else None
    store = _open_store(args.db, getattr(args, "all_points", False)) if args.db else None
    if store is not None:
        _store_label(store, inputs, getattr(args, "data_label", None))
    state = PipelineState()
    src_stats = SourceStats()
    show = not args.quiet
    progress = wanted(args.quiet, sys.stderr)
    t0 = time.perf_counter()
    bar: ReplayProgress | None = None
    all_events: list[Event] = []

    def emit(events: list[Event]) -> None:
        all_events.extend(events)
        if ev_out:
            ev_out.write(events)
        if store is not None and events:
            store.offer(events)
        if show and not progress:
            for e in events:
                print(_event_line(e, args.tz))

    from flyvakt.runtime.filesort import SortStats
    from flyvakt.runtime.merge import MergeStats
    from flyvakt.runtime.reorder import ReorderStats
    from flyvakt.runtime.replay import merged_batches, open_readers

    mstats, rstats, sstats = MergeStats(), ReorderStats(), SortStats()
    readers: list[Any] = []
    import numpy as np

    seen = np.empty(0, np.uint32)  # every address with an accepted position, for the summary
    try:
        try:
            readers = open_readers(
                inputs, fmt=args.fmt, batch_size=args.batch_size, start_time_s=start_s
            )
            bar = ReplayProgress(readers, sys.stderr, enabled=progress)
            for batch in merged_batches(readers, mstats, rstats, sstats):
                # The Comm-B table is read only by the store (below).
                state, out = guarded_step(state, batch, cfg, detector, comm_b=store is not None)
                seen = _seen(seen, out.positions)
                if pos_out:
                    pos_out.write(out.positions)
                if store is not None and len(out.positions):
                    store.offer(out.positions)
                if store is not None and (commb := state.commb.drain(state.tracker.table.rows)):
                    from flyvakt.store.records import CommBRecord  # only with --db

                    store.offer(CommBRecord(tuple(commb)))
                emit(out.events)
                bar.update(state.stats.frames, len(state.tracker.table), state.stats.events)
        except SourceFormatError as exc:
            print(f"flyvakt replay: {exc}", file=sys.stderr)
            return 2
        finally:
            if bar is not None:
                bar.close()
            for r in readers:
                src_stats.merge(r.stats)
        state, out = flush(state, cfg, detector)  # records the edge validator held back
        seen = _seen(seen, out.positions)
        if pos_out:
            pos_out.write(out.positions)
        if store is not None and len(out.positions):
            store.offer(out.positions)
        emit(out.events + finish(state, detector))
    finally:
        if pos_out:
            pos_out.close()
        if ev_out:
            ev_out.close()
        if store is not None:
            store.close()
    if show and progress:
        for e in all_events:
            print(_event_line(e, args.tz))
    seen = _union(seen, np.fromiter(state.tracker.table.rows, np.uint32))
    _summary(
        state,
        src_stats,
        time.perf_counter() - t0,
        args,
        mstats.duplicates,
        rstats.late,
        len(seen),
        sstats,
    )
    leave_to_exit(all_events, state, detector, readers)
    return 0


# What a finished replay leaves to the process's end. The ``flyvakt`` command ends a replay
# without the interpreter's clean-up (cli/main.py EXIT_AT_ONCE), but the events and the
# pipeline's state were freed one object at a time as ``run_replay`` returned, before that:
# ~40 M instructions on 200,000 state-vector rows (13,071 events), most of them the events'
# attribute dicts. Held here, they go with the process. Each run replaces the previous run's
# (freed then): a caller that replays in one process (the tests) holds one run's at most.
_LEFT_TO_EXIT: list[Any] = []


def leave_to_exit(*objects: Any) -> None:
    """Hold ``objects`` (a finished run's) until the next run or the process's end."""
    _LEFT_TO_EXIT[:] = objects


# glibc's mallopt parameters (malloc.h) and the values a replay sets. Why: each step allocates
# and frees arrays of a few MB; by default glibc hands freed memory back to the kernel (trim
# above 128 KiB, large blocks mmapped), and the next step faults the same pages in again,
# zeroed. Measured on bench_e2e's 1 M-frame JSONL replay (6 runs each, alternating, loaded
# machine): minor page faults 114-122 k -> 72 k, system CPU 0.34 -> 0.26 s, process CPU
# 2.40 -> 2.32 s; peak RSS 350 -> 365 MB. A replay is a batch job that ends: memory kept for
# reuse until then costs nothing. Not for `flyvakt run` (a service should give memory back).
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_MALLOPT = (
    (_M_MMAP_THRESHOLD, 32 << 20),  # glibc's largest: blocks below 32 MiB come from the heap
    (_M_TRIM_THRESHOLD, 1 << 30),  # give memory back only when 1 GiB is free at the top
    (_M_TOP_PAD, 64 << 20),  # grow the heap 64 MiB at a time (fewer, larger extensions)
)


def keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed memory for reuse (see ``_MALLOPT``); False where
    there is no glibc (macOS, musl): results never depend on it, only speed."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
    except (ValueError, OSError, AttributeError):  # no such name: not glibc
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, glibc's among them
        return all(libc.mallopt(param, value) == 1 for param, value in _MALLOPT)
    except (OSError, AttributeError):
        return False


# Arrow's own allocator (mimalloc in the wheels) hands freed memory back to the kernel within
# milliseconds, so each batch's Parquet page buffers and CSV/JSON columns were faulted in again:
# measured on bench_e2e's 1 M-frame corpus (3 runs each, alternating, load ~1-2), system CPU
# 0.28-0.37 -> 0.20-0.23 s and process CPU 1.96 -> 1.81 s (Beast), 2.06 -> 1.83 s (AVR),
# 2.23 -> 2.11 s (JSONL). Arrow reads this variable when it makes its default pool (on first
# use, after this runs); a value the user set is kept. The same bytes are written either way.
_ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def arrow_uses_glibc() -> None:
    """Have Arrow allocate from glibc's heap (which ``keep_freed_memory`` keeps), unless the
    user chose a pool in ``ARROW_DEFAULT_MEMORY_POOL``."""
    os.environ.setdefault(_ARROW_POOL_ENV, "system")


def output_problem(path: str | None) -> str | None:
    """Why ``path`` cannot be written (checked before any work), or None."""
    if not path:
        return None
    p = Path(path)
    if p.is_dir():
        return f"{path}: is a directory"
    parent = p.resolve().parent
    if not parent.is_dir():
        return f"{path}: no such directory {str(parent)!r}"
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        return f"{path}: not writable"
    return None


def _open_store(path: str, all_points: bool = False) -> Any:
    from flyvakt.store import StoreWriter

    return _BlockingStore(StoreWriter(path, thin_positions=not all_points))


def _store_label(store: Any, inputs: list[str], given: str | None) -> None:
    """The store's ``data_label`` (the map's watermark) from --data-label or the inputs' labels."""
    from flyvakt.sim.label import DATA_LABEL_KEY, labels_of
    from flyvakt.store.records import MetaRecord

    label = given if given is not None else labels_of(inputs)
    if label:
        store.offer(MetaRecord(DATA_LABEL_KEY, " ".join(label.split())))
        print(f"data label: {label}", file=sys.stderr)


class _BlockingStore:
    """A replay must not drop data when the disk is slower than the decoder: wait instead."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def offer(self, item: Any) -> None:
        while not self.writer.offer(item):
            self.writer.drops -= 1  # waited, not dropped
            time.sleep(0.01)

    def close(self) -> None:
        self.writer.close()


def _event_line(e: Event, reader_tz: str | None) -> str:
    from flyvakt.cli._format import event_row

    return event_row(e, reader_tz)


def _seen(seen: npt.NDArray[np.uint32], positions: Any) -> npt.NDArray[np.uint32]:
    """``seen`` with the addresses of ``positions`` added. The tracker forgets aircraft silent
    for 5 min, so its table at the end undercounts the aircraft a replay saw."""
    import numpy as np

    from flyvakt.model.runs import distinct_sorted

    if not len(positions):
        return seen
    icao = positions.icao24
    # Sorted by address, as the tracker hands its positions over: the distinct addresses
    # are where it changes, one pass (np.unique sorts every row again: ~2 ms per 65,536
    # rows, about 1 % of a state-vector replay).
    new = distinct_sorted(icao if not (icao[1:] < icao[:-1]).any() else np.sort(icao))
    new = new.astype(np.uint32)
    if len(seen):  # most steps see no new aircraft: keep ``seen`` (the same array) then
        at = np.minimum(np.searchsorted(seen, new), len(seen) - 1)
        if bool((seen[at] == new).all()):
            return seen
    return _union(seen, new)


def _union(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``np.union1d(a, b)`` (sorted, distinct) without ``np.unique``, which imports
    ``numpy.ma`` on first use (to rule out a masked array): ~20 ms, for two plain arrays."""
    import numpy as np

    from flyvakt.model.runs import distinct_sorted

    return distinct_sorted(np.sort(np.concatenate((a, b))))


def _summary(
    state: Any,
    src: Any,
    elapsed_s: float,
    args: argparse.Namespace,
    duplicates: int = 0,
    late: int = 0,
    n_seen: int | None = None,
    sort: Any = None,
) -> None:
    st = state.stats
    skipped = Counter(src.skipped)
    skipped.update(st.decode_dropped)
    lines = [
        f"read {src.records:,} records ({st.frames:,} frames) in {elapsed_s:.2f} s",
        f"aircraft seen: {len(state.tracker.table) if n_seen is None else n_seen:,}; "
        f"positions accepted: {st.positions:,}; "
        f"events: {st.events:,}",
    ]
    if duplicates:
        lines.append(
            f"frames heard by several receivers, counted once: {duplicates:,} copies dropped"
        )
    if sort is not None and sort.sorted_records:  # runtime/filesort.py
        lines.append(f"input not in time order: sorted by time ({sort.sorted_records:,} records)")
    if sort is not None and sort.too_large:
        from flyvakt.runtime.filesort import MAX_SORT_BYTES

        lines.append(
            f"input not in time order and larger than {MAX_SORT_BYTES >> 30} GiB decoded, "
            f"not sorted whole: {', '.join(sort.too_large)}"
        )
    if late:  # runtime/reorder.py
        from flyvakt.runtime.reorder import REORDER_WINDOW_S

        lines.append(
            f"records out of time order by more than {REORDER_WINDOW_S:g} s: {late:,} "
            "(kept, replayed in their own runs)"
        )
    for title, counts in (
        ("skipped", skipped),
        ("dropped at the edge", st.edge_dropped),
        ("rejected by tracker", st.track_rejected),
    ):
        if counts:
            lines.append(f"{title}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    lines += [f"  skipped {msg}" for msg in src.bad_lines]
    if src.stopped:
        lines.append(f"stopped early: {src.stopped}")
    if st.step_errors:
        lines.append(f"batches that failed and were skipped (see the log): {st.step_errors:,}")
    if args.positions_out:
        lines.append(f"positions written to {args.positions_out}")
    if args.events_jsonl:
        lines.append(f"events written to {args.events_jsonl}")
    print("\n".join(lines), file=sys.stderr)
