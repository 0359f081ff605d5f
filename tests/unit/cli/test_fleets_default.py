"""One fleets default for every command: the bundled example unless --fleets is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyvakt.cli._fleets_default import fleets_or_bundled
from flyvakt.cli.main import build_parser, main
from flyvakt.fleets import example_fleets_path


def test_default_is_the_bundled_example() -> None:
    assert fleets_or_bundled(None) == str(example_fleets_path())
    assert fleets_or_bundled("mine.toml") == "mine.toml"


def test_fleets_list_without_a_file_here_lists_the_bundled_fleets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./fleets.toml here
    assert main(["fleets", "list"]) == 0
    assert "ru-gov" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve --db x.db", "run", "replay", "verify", "timeline"])
def test_every_command_states_the_default_in_its_help(command: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    p = sub.choices[command.split()[0]]  # type: ignore[index]
    [opt] = [a for a in p._actions if "--fleets" in a.option_strings]
    assert opt.default is None and "bundled example" in (opt.help or "")
