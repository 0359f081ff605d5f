"""Documentation that must not drift from the code (datasette-style)."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

from flyvakt.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _fenced_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_opens_with_the_two_setup_commands() -> None:
    cmds = _fenced_commands()
    assert len(cmds) >= 2
    run, test = cmds[0], cmds[1]
    assert "flyvakt replay" in run or "flyvakt run" in run
    assert "pytest" in test
    # Both come before any other section's code.
    assert README.index(run) < README.index("## What it does")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    test_cmd = _fenced_commands()[1]
    assert test_cmd in ci.splitlines(), "'.ci/run' must run the README's test command verbatim"


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in subs.choices:
        assert f"`flyvakt {name}" in README, f"flyvakt {name} is not documented in README.md"


def test_every_benchmark_is_in_the_readme() -> None:
    listed = re.findall(r"^\.venv/bin/python (benchmarks/bench_\w+\.py)", README, re.M)
    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        rel = path.relative_to(ROOT).as_posix()
        assert rel in listed, f"{rel} is not in README.md's benchmark list"


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("cli_doc", ROOT / "scripts/cli_doc.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == mod.render(), (
        "docs/cli.md is out of date: run python scripts/cli_doc.py --write"
    )


def test_every_tuning_constant_of_detection_has_a_reason() -> None:
    text = (ROOT / "src/flyvakt/detect/rules.py").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(text):
        if re.match(r"^[A-Z_]+ = ", line):
            j = i - 1
            while j >= 0 and re.match(r"^[A-Z_]+ = ", text[j]):
                j -= 1  # a group of constants shares one comment
            assert text[j].startswith("#"), f"rules.py:{i + 1}: {line} has no why-comment"
