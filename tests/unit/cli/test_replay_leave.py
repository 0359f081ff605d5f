"""A finished ``flyvakt replay`` leaves its events and state to the process's end
(cli/replay.py ``leave_to_exit``): not freed one by one as ``run_replay`` returns, and only
the last run's held."""

from __future__ import annotations

import json
from pathlib import Path

from flyvakt.cli import replay
from flyvakt.cli.main import main
from flyvakt.pipeline import PipelineState

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_last_runs_events_and_state_are_held(tmp_path: Path) -> None:
    rec = str(DATA / "traffic" / "full_flight_short.jsonl.gz")
    held = []
    for i in range(2):
        out = tmp_path / f"ev{i}.jsonl"
        assert main(["replay", rec, "--quiet", "--events-jsonl", str(out)]) == 0
        events, state, *_ = replay._LEFT_TO_EXIT
        written = [json.loads(line) for line in out.read_text().splitlines()]
        assert written and [e.type for e in events] == [w["type"] for w in written]
        assert isinstance(state, PipelineState) and state.stats.positions > 0
        held.append(events)
    assert replay._LEFT_TO_EXIT[0] is held[1] and held[0] is not held[1]
