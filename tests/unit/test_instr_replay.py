"""benchmarks/instr_replay.py's pure parts: which phase each profile part is charged to (the
callgrind run itself needs valgrind: run by hand, ``bench_instr.py --only replay``)."""

from __future__ import annotations

import importlib.util
import inspect
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "instr_replay", ROOT / "benchmarks/instr_replay.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


R = _load()


def test_parts_are_summed_per_phase_and_the_tail_is_exit() -> None:
    parts = {1: 100, 2: 7, 3: 50, 4: 3, 5: 1}
    got = R.attribute(parts, ["start-up", "decode", "replay loop", "decode"])
    assert got == {"start-up": 100, "decode": 10, "replay loop": 50, "exit": 1}


def test_a_missing_part_is_an_error() -> None:
    with pytest.raises(ValueError, match="3 profile parts for 3 markers"):
        R.attribute({1: 1, 2: 2, 3: 3}, ["a", "b", "c"])


def test_a_part_is_charged_to_the_innermost_running_phase(monkeypatch: Any) -> None:
    monkeypatch.setattr(os, "getppid", lambda: 0)
    marks = R.Marks()

    def inner() -> int:
        return 1

    wrapped_inner = marks.wrap("decode", inner, False)

    def outer() -> int:
        return wrapped_inner() + 1

    assert marks.wrap("step", outer, False)() == 2
    # cuts: entering step (start-up ran), entering decode (step ran), leaving decode (decode
    # ran), leaving step (step ran)
    assert marks.labels == ["start-up", "step", "decode", "step"]
    assert marks.stack == ["start-up"]


def test_a_generator_phase_is_charged_per_item_and_left_on_error(monkeypatch: Any) -> None:
    monkeypatch.setattr(os, "getppid", lambda: 0)
    marks = R.Marks()

    def items() -> Any:
        yield 1
        yield 2

    got = list(marks.wrap("read", items, True)())
    assert got == [1, 2]
    assert marks.stack == ["start-up"]
    # the call, then three next()s (two items and the end), each entered and left
    assert marks.labels == ["start-up", "read"] * 4

    def failing() -> int:
        raise RuntimeError("x")

    with pytest.raises(RuntimeError):
        marks.wrap("detect", failing, False)()
    assert marks.stack == ["start-up"]


def test_every_phase_names_a_function_that_exists() -> None:
    for _label, module, attr in R.PHASES:
        owner: Any = importlib.import_module(module)
        for part in attr.split("."):
            owner = getattr(owner, part)
        assert callable(owner), (module, attr)


def test_every_phase_names_a_function_of_flyvakt() -> None:
    """A renamed or moved function would leave its phase unwrapped and its cost charged to the
    phase around it, silently: every entry of PHASES must resolve, and a generator function
    must be in GENERATORS (else its phase would get only the call that makes the generator;
    ``merged_batches`` returns one without being one)."""
    for _label, module, attr in R.PHASES:
        owner: Any = importlib.import_module(module)
        for part in attr.split("."):
            owner = getattr(owner, part)  # AttributeError: the table is out of date
        assert callable(owner), (module, attr)
        if owner.__code__.co_flags & inspect.CO_GENERATOR:
            assert attr.split(".")[-1] in R.GENERATORS, (module, attr)
