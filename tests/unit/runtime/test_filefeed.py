"""``flyvakt run FILE`` gives an out-of-order file the treatment ``replay`` gives it: sorted
whole by time, then the reorder window (runtime/filefeed.py, runtime/filesort.py).

Real data: three real-ga cuts of Watsonville, 2025-12-13 (adsb.lol, ODbL; tests/data/
PROVENANCE.md), each one aircraft's rows, overlapping in time, concatenated one after the other
(a file sorted by aircraft, then time, as traffic/OpenSky exports often are).
"""

from __future__ import annotations

import asyncio
import gzip
import logging
from pathlib import Path
from typing import Any

import pytest

from flyvakt.runtime.engine import EngineSummary, run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
CUTS = [DATA / "real-ga" / f"kwvi1213_{a}.csv.gz" for a in ("a3688d", "a0cd27", "a6380b")]


@pytest.fixture(scope="module")
def by_aircraft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filefeed") / "by_aircraft.csv"
    head = ""
    rows: list[str] = []
    for cut in CUTS:
        head, *more = gzip.decompress(cut.read_bytes()).decode().splitlines()
        rows.extend(more)
    path.write_text("\n".join([head, *rows]) + "\n")
    return path


def _key(e: Any) -> tuple[float, str, str]:
    return (e.time_s, e.icao24, e.type)


def _run(path: Path, batch_frames: int | None) -> tuple[EngineSummary, Hub]:
    async def go() -> tuple[EngineSummary, Hub]:
        hub = Hub()
        summary = await asyncio.wait_for(
            run_engine(
                [str(path)],
                db_path=None,
                hub=hub,
                stop_event=asyncio.Event(),
                clock=lambda: 0.0,
                keep_events=True,
                file_batch_frames=batch_frames,
            ),
            120,
        )
        return summary, hub

    return asyncio.run(go())


@pytest.mark.parametrize("batch_frames", [None, 100])
def test_run_file_out_of_order_gives_the_events_of_replay(
    by_aircraft: Path, batch_frames: int | None, caplog: pytest.LogCaptureFixture
) -> None:
    replayed = replay_files([str(by_aircraft)])
    want = sorted((e.as_dict() for e in replayed.events), key=str)
    assert len(want) > 5 and any(e["type"] in ("landing", "takeoff") for e in want)
    with caplog.at_level(logging.WARNING, logger="flyvakt.runtime"):
        summary, hub = _run(by_aircraft, batch_frames)
    assert summary.files_done and summary.positions == replayed.stats.positions > 600
    got = sorted((e.as_dict() for e in summary.events), key=str)
    assert got == want
    progress = hub.sources[str(by_aircraft)]
    assert progress["sorted_records"] == 651 and progress["late"] == 0
    assert "not in time order: sorted by time (651 records)" in caplog.text, caplog.text


def test_run_file_names_the_lines_it_skipped(
    by_aircraft: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The real file with a garbage line inserted and its last line cut short.
    head, *rows = by_aircraft.read_text().splitlines()
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join([head, *rows[:50], "a8b764,garbage,,,xx", *rows[50:-1],
                                  rows[-1][:40]]) + "\n")  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="flyvakt.runtime"):
        summary, _hub = _run(damaged, None)
    assert summary.files_done and sum(summary.source_skipped.values()) == 2
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("skipped ")]
    assert len(said) == 2 and "line 52:" in said[0] and "garbage" in said[0]
