"""Issue 15: the pipeline through a real Kafka-protocol broker (Tansu, started here) and two
`flyvakt worker` processes over 4 partitions gives the same events as in-process, also when
one worker is killed mid-stream and the other takes its partitions over from the checkpoints.

Data: the bundled AFR34ZG recording (real; traffic package, MIT) plus a SYNTHETIC corpus of
40 aircraft over Europe (flyvakt.sim.corpus) in the same minutes, so that all four partitions
carry aircraft (the recording alone is one aircraft, one partition)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.corpus import generate_corpus
from flyvakt.sources import FileReader
from flyvakt.stream.kafka import create_topics, feed_batches, parse_kafka_url, read_outputs
from flyvakt.stream.wire import frame_addresses, partition_of
from tests.helpers.kafka_broker import (
    kill_after_checkpoint,
    required_broker,
    split,
    stop_workers,
    wait_committed,
    worker_process,
)

pytestmark = pytest.mark.slow
BATCH = 16384


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    with required_broker() as addr:
        yield addr


@pytest.fixture(scope="module")
def frames() -> FrameBatch:
    real = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    synth = generate_corpus(n_aircraft=40, n_frames=24_000, seed=3, start_s=float(real.time_s[0]))
    fb = FrameBatch.concat([real, synth])
    return fb.take(np.argsort(fb.time_s, kind="stable"))


def batches(fb: FrameBatch) -> list[FrameBatch]:
    return split(fb, BATCH)


def key(e: object) -> tuple[str, str, float, str]:
    ap = getattr(e, "airport", None)
    return (e.type, e.icao24, round(e.time_s, 3), ap.icao if ap else "")  # type: ignore[attr-defined]


def in_process(fb: FrameBatch) -> tuple[set[tuple[str, str, float, str]], int]:
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    out: list[object] = []
    pos: set[tuple[int, float]] = set()
    for b in batches(fb):
        state, o = step(state, b, cfg, det)
        out += o.events
        pos |= set(zip(o.positions.icao24.tolist(), o.positions.time_s.tolist(), strict=True))
    return {key(e) for e in out}, pos


def test_frames_spread_over_all_partitions(frames: FrameBatch) -> None:
    counts = np.bincount(partition_of(frame_addresses(frames), 4), minlength=4)
    assert (counts > 1000).all(), counts


@pytest.mark.parametrize("kill", [False, True])
def test_broker_and_two_workers_give_the_in_process_events(
    broker: str, frames: FrameBatch, tmp_path: Path, kill: bool
) -> None:
    prefix = f"t{int(kill)}"
    url = parse_kafka_url(f"kafka://{broker}/{prefix}")
    create_topics(url, 4)
    assert feed_batches(url, batches(frames)) == len(frames)
    a = worker_process(broker, prefix, tmp_path)
    b = worker_process(broker, prefix, tmp_path)
    procs = [a, b]
    if kill:  # worker A, mid-stream, as soon as it has checkpointed something
        kill_after_checkpoint(a, tmp_path)
        # Recovery as an operator runs it: a replacement worker joins the group (whichever of
        # the survivors gets the killed worker's partitions restores their checkpoints).
        procs.append(worker_process(broker, prefix, tmp_path))
    wait_committed(broker, f"{prefix}-workers", url.topic("frames"))
    stop_workers(procs, killed=a if kill else None, spare=procs[-1] if kill else None)
    positions, events = read_outputs(url)
    got = {key(e) for e in events.values()}
    want, want_positions = in_process(frames)
    assert want, "the in-process run found events to compare"
    assert got == want, (sorted(want - got)[:5], sorted(got - want)[:5])
    # The same positions (duplicates from a re-processed batch are the sink's to drop).
    got_positions = set(zip(positions.icao24.tolist(), positions.time_s.tolist(), strict=True))
    assert got_positions == want_positions and len(want_positions) > 10_000
