"""The replay progress bar: %, rate and ETA from file sizes; off for --quiet and non-terminals.

Data: real recordings (AFR34ZG jet1090 JSONL.gz, the Beast capture near LFBO).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from flyvakt.cli.main import main
from flyvakt.cli.progress import ReplayProgress, wanted
from flyvakt.sources import FileReader

DATA = Path(__file__).resolve().parents[2] / "data"
AFR = DATA / "traffic" / "full_flight_short.jsonl.gz"


class _Sized:
    def __init__(self, total: int | None, done: int) -> None:
        self.total, self.done = total, done

    def bytes_total(self) -> int | None:
        return self.total

    def bytes_done(self) -> int:
        return self.done


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_percent_rate_eta_and_counts() -> None:
    out = io.StringIO()
    readers = [_Sized(1000, 0), _Sized(3000, 0)]
    bar = ReplayProgress(readers, out, enabled=True)
    readers[0].done, readers[1].done = 1000, 1000
    assert bar.bar is not None
    bar.bar.mininterval = 0  # draw every update (the default rate-limits to 2 a second)
    bar.update(12_345, 7, 2)
    text = out.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert "50%" in text and "1.95k/3.91k" in text  # KiB: 2000/4000 bytes
    assert "B/s" in text and "<" in text  # rate, elapsed<remaining
    assert "12,345 frames, 7 aircraft, 2 events" in text
    bar.close()


def test_standard_input_has_no_total_but_a_rate() -> None:
    out = io.StringIO()
    reader = _Sized(None, 0)
    bar = ReplayProgress([reader], out, enabled=True)
    assert bar.bar is not None and bar.bar.total is None
    bar.bar.mininterval = 0
    reader.done = 5000
    bar.update(10, 1, 0)
    last = out.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert "%" not in last and "B/s" in last and "10 frames" in last
    bar.close()


def test_disabled_bar_writes_nothing() -> None:
    out = io.StringIO()
    bar = ReplayProgress([_Sized(10, 5)], out, enabled=False)
    bar.update(1, 1, 1)
    bar.close()
    assert out.getvalue() == ""


def test_wanted_only_on_a_terminal_without_quiet() -> None:
    assert wanted(False, _Tty())
    assert not wanted(True, _Tty())
    assert not wanted(False, io.StringIO())


def test_reader_progress_in_on_disk_bytes() -> None:
    r = FileReader(str(AFR), batch_size=4096)
    total = r.bytes_total()
    assert total == AFR.stat().st_size
    seen = []
    for _ in r:
        seen.append(r.bytes_done())
    assert seen == sorted(seen) and 0 < seen[0] < total  # compressed offset, growing
    assert r.bytes_done() == total  # done: all of it


def test_replay_to_a_pipe_prints_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--no-events", str(DATA / "traffic" / "sample_dump1090.bin"),
                 "--start-time", "2020-02-12T10:07:00Z"]) == 0  # fmt: skip
    cap = capsys.readouterr()
    assert "\r" not in cap.err and "%|" not in cap.err
    assert "read 239 records" in cap.err + cap.out
