"""benchmarks/bench_instr.py's pure parts: reading callgrind's output, cutting it at the markers,
and the "k passes minus 1" arithmetic (the measurement itself needs valgrind: run by hand)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_instr", ROOT / "benchmarks/bench_instr.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


B = _bench()

# The head of a real part file (callgrind 3.x, --dump-before=os_getppid), then its totals.
PART = """# callgrind format
version: 1
creator: callgrind-3.22.0
pid: 17058
cmd:  /root/.pyenv/versions/3.11.7/bin/python3.11 t.py
part: 3

desc: I1 cache:
desc: Trigger: --dump-before=os_getppid

positions: line
events: Ir
summary: 46526249

fn=(1) main
0 12
totals: 46526249
"""


def test_a_part_file_gives_its_number_and_instructions() -> None:
    assert B.parse_part(PART) == (3, 46526249)


def test_without_a_summary_line_totals_is_read() -> None:
    assert B.parse_part("events: Ir\ntotals: 17 4\n") == (1, 17)


def test_a_file_without_counts_is_refused() -> None:
    with pytest.raises(ValueError, match="summary"):
        B.parse_part("# callgrind format\nevents: Ir\n")


def test_parts_are_labelled_by_the_marker_that_ends_them() -> None:
    parts = {1: 100, 2: 7, 3: 50, 4: 9, 5: 3}  # part 5: program end, after the last marker
    labels = ["setup", "dt", "setup", "dtd"]
    assert B.label_parts(parts, labels) == [("setup", 100), ("dt", 7), ("setup", 50), ("dtd", 9)]


def test_a_stray_marker_call_is_an_error_not_a_shifted_label() -> None:
    with pytest.raises(ValueError, match="profile parts"):
        B.label_parts({1: 1, 2: 2, 3: 3, 4: 4}, ["setup", "dt"])


def test_setup_parts_are_left_out_of_the_variants() -> None:
    got = B.per_variant([("setup", 9), ("dt", 7), ("setup", 9), ("dt", 8), ("dtd", 11)])
    assert got == {"dt": [7, 8], "dtd": [11]}


def test_k_minus_1_drops_the_first_pass() -> None:
    assert B.k_minus_1([130, 100, 102]) == 101.0  # (332 - 130) / 2
    assert B.k_minus_1([130, 100]) == 100.0
    assert B.k_minus_1([130]) == 130.0  # one pass: itself, first-use costs included


def test_detection_on_top_and_the_sweep_share() -> None:
    sizes = {"pipeline": 2_000_000, "sweep1000": 1000, "sweep50000": 1000}
    pipe = B.summarise("pipeline", {"dt": [9, 100], "dtd": [9, 125]}, sizes)
    assert pipe["dt_per_1M"] == 50.0
    assert pipe["on_top_pct"] == 25.0
    ir = {
        "1000/dt": [1, 7000],
        "1000/dtd": [1, 8000],
        "50000/dt": [1, 7000],
        "50000/dtd": [1, 10000],
    }
    sweep = B.summarise("sweep", ir, sizes)
    assert sweep["dt_rate_pct"] == 100.0
    assert sweep["dtd_rate_pct"] == 80.0  # 8,000 / 10,000 Ir per message: the rate is 80 %
