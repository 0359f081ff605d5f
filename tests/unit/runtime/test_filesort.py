"""A replayed file out of time order is sorted whole by time (flyvakt.runtime.filesort).

Real data: three real-ga cuts of Watsonville, 2025-12-13 (adsb.lol, ODbL; tests/data/
PROVENANCE.md), each one aircraft's rows, overlapping in time. Concatenated one after the
other (a file sorted by aircraft, then time, as traffic/OpenSky exports often are), they must
give the events of the same rows merged by time, at any batch size. calfire.json.gz (traffic,
MIT) is grouped per aircraft too.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.cli.main import main
from flyvakt.model import ObservationBatch
from flyvakt.runtime.filesort import SortStats, last_known_time, sorted_file
from flyvakt.runtime.replay import replay_files
from flyvakt.sources import FileReader

DATA = Path(__file__).resolve().parents[2] / "data"
CUTS = [DATA / "real-ga" / f"kwvi1213_{a}.csv.gz" for a in ("a3688d", "a0cd27", "a6380b")]
CALFIRE = DATA / "traffic" / "calfire.json.gz"


def _lines(path: Path) -> tuple[str, list[str]]:
    head, *rows = gzip.decompress(path.read_bytes()).decode().splitlines()
    return head, rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(per aircraft: the cuts one after the other, merged: the same rows by time)."""
    d = tmp_path_factory.mktemp("filesort")
    head = _lines(CUTS[0])[0]
    rows = [r for c in CUTS for r in _lines(c)[1]]
    by_aircraft, merged = d / "by_aircraft.csv", d / "merged.csv"
    by_aircraft.write_text("\n".join([head, *rows]) + "\n")
    # ISO times in the first column: text order is time order; Python's sort is stable.
    merged.write_text("\n".join([head, *sorted(rows, key=lambda r: r.split(",")[0])]) + "\n")
    return by_aircraft, merged


def _events(path: Path, batch: int) -> list[dict[str, Any]]:
    res = replay_files([str(path)], batch_size=batch)
    return [e.as_dict() for e in res.events]


def test_per_aircraft_file_gives_the_events_of_the_time_merged_file(
    files: tuple[Path, Path],
) -> None:
    by_aircraft, merged = files
    stats = SortStats()
    t = np.concatenate([b.time_s for b in sorted_file(FileReader(str(by_aircraft)), stats)])
    assert stats.sorted_records == len(t) == 651 and bool(np.all(np.diff(t) >= 0))
    want = _events(merged, 65536)
    assert len(want) > 5 and any(e["type"] in ("landing", "takeoff") for e in want)
    for batch in (65536, 100, 7):
        assert _events(by_aircraft, batch) == want, batch


def test_time_ordered_file_passes_as_read(files: tuple[Path, Path]) -> None:
    stats = SortStats()
    reader = FileReader(str(files[1]), batch_size=100)
    sizes = [len(b) for b in sorted_file(reader, stats)]
    assert stats.sorted_records == 0 and sizes[0] == 100 and sum(sizes) == 651


def test_a_file_over_the_size_bound_falls_back_and_is_named(files: tuple[Path, Path]) -> None:
    stats = SortStats()
    reader = FileReader(str(files[0]), batch_size=100)
    out = list(sorted_file(reader, stats, max_bytes=1000))
    t = np.concatenate([b.time_s for b in out])
    assert stats.sorted_records == 0 and stats.too_large == ["by_aircraft.csv"]
    assert len(t) == 651 and bool(np.any(np.diff(t) < 0))  # as read: the window's job now


def test_untimed_rows_stay_after_the_timed_row_before_them() -> None:
    t = np.array([np.nan, 5.0, np.nan, 3.0, np.nan])
    assert last_known_time(t).tolist() == [-np.inf, 5.0, 5.0, 3.0, 3.0]


def test_calfire_is_sorted_and_the_summary_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(CALFIRE), "--quiet", "--batch-size", "1000"]) == 0
    err = capsys.readouterr().err
    n = len(ObservationBatch.concat([b for b in FileReader(str(CALFIRE))]))  # type: ignore[misc]
    assert f"input not in time order: sorted by time ({n:,} records)" in err
    assert "out of time order by more than" not in err  # nothing left late after the sort


def test_calfire_sorted_gives_the_same_events_at_any_batch_size_as_a_presorted_copy(
    tmp_path: Path,
) -> None:
    """calfire sorted whole: the events of its pre-sorted copy in one batch, at 5,000 and
    1,000 records per batch too. Its aircraft are silent for days between flights, so this
    also holds the detector's 24 h forget rule inside a batch (detect/detector.py step)."""
    import json

    rows = json.loads(gzip.decompress(CALFIRE.read_bytes()))  # a list of records
    presorted = tmp_path / "calfire_sorted.json"
    presorted.write_text(json.dumps(sorted(rows, key=lambda r: r["timestamp"])))  # stable
    want = _events(presorted, 65536)
    assert len(want) > 3000
    for batch in (65536, 5000, 1000):
        assert _events(CALFIRE, batch) == want, batch


def test_an_ordered_file_lets_go_of_each_batch_as_it_is_handed_on(
    files: tuple[Path, Path],
) -> None:
    """An ordered file's batches, held until its end to learn whether any record is late, are
    let go of one by one as the replay takes them (they were all kept to the last step: ~140 MB
    on the 1.07 M-row benchmark corpus, at the peak beside the positions kept)."""
    import weakref

    merged = files[1]
    it = sorted_file(FileReader(str(merged), batch_size=100), SortStats())
    first = next(it)
    gone = weakref.ref(first)
    del first
    second = next(it)
    assert gone() is None and len(second) == 100
    assert len(list(it)) == 5  # 651 rows: 100 a batch
