"""#9: ``flyvakt timeline --db`` reads what a live feed stored, withdrawals included: a landing
withdrawn later is not printed as a landing (``--all`` prints both, the record of what was
said when). Real events: calfire a54127 at one record per batch (tests/data/cuts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyvakt.cli.main import main
from flyvakt.store import StoreWriter
from tests.unit.detect.test_gap_rejudge import _run


def test_a_withdrawn_landing_is_not_in_the_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    w = StoreWriter(db, queue_size=1000)
    assert w.offer(_run(True)[0])
    w.close()
    assert main(["timeline", "--db", str(db), "--lang", "en"]) == 0
    assert "landed" not in capsys.readouterr().out
    assert main(["timeline", "--db", str(db), "--lang", "en", "--all"]) == 0
    out = capsys.readouterr().out
    assert "appears to have landed in Santa Rosa" in out and "is withdrawn" in out, out
