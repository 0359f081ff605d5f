"""Several receivers merged by time, duplicates counted once (readsb-style), on real frames.

The second receiver's file is SYNTHETIC: it is made from the real AFR34ZG recording by keeping
a random 60 % of its frames and jittering their times by up to ±20 ms, as a second receiver
under the same sky would hear them (fewer frames, its own clock noise).
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np

from flyvakt.model import FrameBatch
from flyvakt.runtime.merge import DUPLICATE_WINDOW_S, MergeStats, dedupe_frames, merge_by_time
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
AFR = DATA / "traffic" / "full_flight_short.jsonl.gz"


def _second_receiver(tmp_path: Path, keep: float = 0.6, jitter_s: float = 0.02) -> Path:
    """SYNTHETIC second receiver: a subsample of the real frames with jittered times."""
    rng = random.Random(14)
    out = tmp_path / "receiver2.jsonl"
    with gzip.open(AFR, "rt") as f, out.open("w") as g:
        for line in f:
            if rng.random() < keep:
                rec = json.loads(line)
                g.write(
                    json.dumps(
                        {
                            "timestamp": rec["timestamp"] + rng.uniform(-jitter_s, jitter_s),
                            "frame": rec["frame"],
                        }
                    )
                    + "\n"
                )
    return out


def _split(tmp_path: Path) -> tuple[Path, Path]:
    """SYNTHETIC: the real frames dealt to two receivers by their bytes, so that no frame
    (and no copy of it) is heard by both."""
    a, b = tmp_path / "odd.jsonl", tmp_path / "even.jsonl"
    with gzip.open(AFR, "rt") as f, a.open("w") as fa, b.open("w") as fb:
        for line in f:
            frame = json.loads(line)["frame"]
            (fa if int(frame[-2:], 16) % 2 else fb).write(line)
    return a, b


def test_two_receivers_give_one_track_without_duplicates(tmp_path: Path) -> None:
    one = replay_files([str(AFR)])
    two = replay_files([str(AFR), str(_second_receiver(tmp_path))])
    p = two.positions
    # One aircraft, one track: as many fixes as the first receiver alone gives.
    assert np.unique(p.icao24).tolist() == [0x393322]
    assert len(p) == len(one.positions)
    # No duplicate positions added: the same fixes as the first receiver alone, each at its
    # earliest reception (a jittered copy may come first). The real recording itself holds
    # 43 pairs of identical frames stamped at the same instant (OpenSky's own merge of
    # receivers); one receiver's file is passed through as it is, so those stay.
    q = one.positions
    assert p.lat_deg.tolist() == q.lat_deg.tolist()
    assert p.lon_deg.tolist() == q.lon_deg.tolist()
    assert float(np.max(np.abs(p.time_s - q.time_s))) <= 0.02
    assert len(q) - len(np.unique(q.time_s)) == 43
    assert len(p) - len(np.unique(p.time_s)) <= 43
    assert bool(np.all(np.diff(p.time_s) >= 0))
    # Every copy the second receiver heard was recognised as a duplicate.
    frames_b = sum(1 for _ in (tmp_path / "receiver2.jsonl").open())
    assert two.merge_stats.duplicates == frames_b
    # Both receiver ids appear; fixes heard by both carry both.
    masks = set(p.receivers.tolist())
    assert masks == {0b01, 0b11}
    assert [(e.type, e.time_iso) for e in two.events] == [(e.type, e.time_iso) for e in one.events]


def test_receivers_that_hear_different_frames_add_up(tmp_path: Path) -> None:
    a, b = _split(tmp_path)
    ra = replay_files([str(a)], detect=False)
    rb = replay_files([str(b)], detect=False)
    both = replay_files([str(a), str(b)], detect=False)
    assert both.merge_stats.duplicates == 0
    assert len(both.positions) > max(len(ra.positions), len(rb.positions))
    assert set(both.positions.receivers.tolist()) == {0b01, 0b10}
    assert bool(np.all(np.diff(both.positions.time_s) >= 0))


def test_files_are_merged_by_time_not_read_one_after_the_other(tmp_path: Path) -> None:
    # The later half given first: the merged stream must still run forward in time.
    a, b = tmp_path / "late.jsonl", tmp_path / "early.jsonl"
    with gzip.open(AFR, "rt") as f:
        lines = f.read().splitlines()
    half = len(lines) // 2
    a.write_text("\n".join(lines[half:]) + "\n")
    b.write_text("\n".join(lines[:half]) + "\n")
    res = replay_files([str(a), str(b)])
    assert bool(np.all(np.diff(res.positions.time_s) >= 0))
    assert [e.type for e in res.events] == ["takeoff", "landing"]


def _frames(times: list[float], receivers: list[int], payloads: list[str]) -> FrameBatch:
    fb = FrameBatch.from_hex(payloads, times)
    fb.receiver[:] = receivers
    return fb


FRAME = "8d393322990cb9ac6804891f0b6c"  # a real DF17 velocity frame of 393322 (AFR34ZG)


def test_repeats_by_one_receiver_are_not_duplicates() -> None:
    fb = _frames([0.0, 0.2, 0.4], [0, 0, 0], [FRAME] * 3)
    kept, dropped = dedupe_frames(fb)
    assert dropped == 0 and len(kept) == 3


def test_kth_copy_of_each_receiver_pairs_up_and_keeps_the_receiver_set() -> None:
    # Receiver 0 hears the frame twice (two transmissions); receiver 3 hears both, 20 ms later;
    # receiver 5 only the first.
    fb = _frames(
        [0.0, 0.5, 0.02, 0.52, 0.01, 9.0],
        [0, 0, 3, 3, 5, 5],
        [FRAME] * 5 + ["8d39332258c386a5a0ea58aed7ad"],
    )
    kept, dropped = dedupe_frames(fb)
    assert dropped == 3
    assert kept.time_s.tolist() == [0.0, 0.5, 9.0]
    assert kept.receivers.tolist() == [(1 << 0) | (1 << 3) | (1 << 5), (1 << 0) | (1 << 3), 0]


def test_copies_further_apart_than_the_window_are_kept() -> None:
    fb = _frames([0.0, DUPLICATE_WINDOW_S + 0.5], [0, 1], [FRAME] * 2)
    assert dedupe_frames(fb)[1] == 0


def test_merge_finds_copies_across_batch_boundaries() -> None:
    # Receiver 0's copy ends one batch, receiver 1's copy (later) starts its next batch.
    r0 = [_frames([0.0, 10.0], [0, 0], [FRAME, FRAME]), _frames([20.0], [0], [FRAME])]
    r1 = [
        _frames([5.0], [1], ["8d39332258c386a5a0ea58aed7ad"]),
        _frames([10.03, 30.0], [1, 1], [FRAME, FRAME]),
    ]
    st = MergeStats()
    out = list(merge_by_time([r0, r1], stats=st))
    times = np.concatenate([b.time_s for b in out])
    assert times.tolist() == [0.0, 5.0, 10.0, 20.0, 30.0]
    assert st.duplicates == 1
