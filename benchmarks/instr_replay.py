"""bench_instr's ``replay`` and ``svreplay`` measures: the whole ``flyvakt replay FILE
--positions-out X`` command in instructions, split by phase (issue 12: every input format at
>= 5x rs1090 end to end).

Run as a script, this is the child that callgrind runs (``--dump-before=os_getppid``): it
wraps the replay's top-level functions (table ``PHASES``) so that entering and leaving each one
calls ``os.getppid()``, which cuts the profile there, and notes which phase was running in the
part that just ended (the innermost one: a phase's figure is exclusive of the phases inside
it). Then it runs the real command, ``flyvakt.cli.main.main``, and ends as the ``flyvakt``
command does (``exit_at_once``). Whatever runs outside every wrapped function is "start-up"
before the replay command's own function, "replay loop" inside it, "exit" after it. The
wrappers cost a few thousand instructions per call (~10 calls per 65,536-frame batch):
noise next to a batch's ~1 G.

    python instr_replay.py LABELS.json -- replay FILE --positions-out X ...
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# label, module, attribute ("Class.method" for a method). Order matters only for the report.
PHASES: tuple[tuple[str, str, str], ...] = (
    ("start-up: detector, world", "flyvakt.runtime.setup", "make_detector"),
    ("read: Beast framing", "flyvakt.sources.beast", "BeastParser.feed"),
    ("read: Beast framing", "flyvakt.sources.beast", "BeastParser.finish"),
    ("read: file, sort, merge, reorder", "flyvakt.runtime.replay", "merged_batches"),
    # State-vector CSV (``svreplay``): Arrow's parse, then the columns made observations.
    ("read: state-vector CSV (Arrow)", "flyvakt.sources.svcsv", "read_sv_csv"),
    ("read: columns to observations", "flyvakt.sources.reader", "FileReader._arrow"),
    ("step: validation, glue", "flyvakt.runtime.guard", "guarded_step"),
    ("step: validation, glue", "flyvakt.pipeline", "flush"),
    ("step: validation, glue", "flyvakt.pipeline", "finish"),
    ("decode", "flyvakt.pipeline", "decode_into"),
    ("track", "flyvakt.pipeline", "track_step"),
    ("detect", "flyvakt.pipeline", "EventDetector.step"),
    ("detect", "flyvakt.pipeline", "EventDetector.finish"),
    ("detect: fleets", "flyvakt.pipeline", "EventDetector._fleets"),
    ("positions out", "flyvakt.cli._outputs", "PositionsWriter.write"),
    ("positions out", "flyvakt.cli._outputs", "PositionsWriter.close"),
    ("progress", "flyvakt.cli.progress", "ReplayProgress.update"),
    ("progress", "flyvakt.cli.progress", "ReplayProgress.close"),
    ("summary", "flyvakt.cli.replay", "_seen"),
    ("summary", "flyvakt.cli.replay", "_summary"),
)
# The name a phase's function had in older code (``--compare-src`` runs this table on it too):
# the step called ``decode_indexed`` until session 14 (``decode.ahead.decode_into`` wraps it).
OLDER_NAMES = {("flyvakt.pipeline", "decode_into"): "decode_indexed"}
OUTER = ("start-up", "replay loop", "exit")  # outside every phase: before, in, after run_replay
GENERATORS = {"merged_batches", "read_sv_csv"}  # their cost is in next(), not in the call


def attribute(parts: dict[int, int], labels: Sequence[str]) -> dict[str, int]:
    """Ir per phase: part i (1-based) ran in phase ``labels[i - 1]``; the last part (after
    the last marker) is the process's end and goes to the label "exit"."""
    if sorted(parts) != list(range(1, len(labels) + 2)):
        raise ValueError(f"{len(parts)} profile parts for {len(labels)} markers")
    out: dict[str, int] = {}
    for i, label in enumerate([*labels, "exit"]):
        out[label] = out.get(label, 0) + parts[i + 1]
    return out


class Marks:
    """The stack of running phases and the label of every profile part so far."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.stack: list[str] = [OUTER[0]]

    def cut(self) -> None:
        self.labels.append(self.stack[-1])
        os.getppid()

    def enter(self, label: str) -> None:
        self.cut()
        self.stack.append(label)

    def leave(self) -> None:
        self.cut()
        self.stack.pop()

    def wrap(self, label: str, fn: Callable[..., Any], generator: bool) -> Callable[..., Any]:
        def call(*args: Any, **kw: Any) -> Any:
            self.enter(label)
            try:
                return fn(*args, **kw)
            finally:
                self.leave()

        def gen(*args: Any, **kw: Any) -> Iterator[Any]:
            it = iter(call(*args, **kw))
            while True:
                self.enter(label)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    self.leave()
                yield item

        return gen if generator else call


def install(marks: Marks) -> None:
    """Wrap every function of ``PHASES`` and the replay command itself."""
    for label, module, attr in PHASES:
        owner: Any = importlib.import_module(module)
        *cls, name = attr.split(".")
        for c in cls:
            owner = getattr(owner, c)
        if not hasattr(owner, name):
            name = OLDER_NAMES.get((module, attr), name)
        setattr(owner, name, marks.wrap(label, getattr(owner, name), name in GENERATORS))
    replay = importlib.import_module("flyvakt.cli.replay")
    replay.run_replay = marks.wrap(OUTER[1], replay.run_replay, False)  # type: ignore[attr-defined]


def main(argv: Sequence[str]) -> None:
    labels_path, sep, *command = argv
    assert sep == "--", "usage: instr_replay.py LABELS.json -- replay FILE ..."
    marks = Marks()
    install(marks)  # the imports it does are the command's own start-up, counted there
    from flyvakt.cli import main as cli

    rc = cli.main(command)
    marks.stack[-1] = OUTER[2]
    marks.cut()
    with open(labels_path, "w") as fh:
        json.dump(marks.labels, fh)
    getattr(cli, "exit_at_once", sys.exit)(rc)


if __name__ == "__main__":
    main(sys.argv[1:])
