"""``flyvakt replay`` asks glibc to keep freed memory for reuse (cli/replay.py, _MALLOPT): a
step's arrays of a few MB then come back without the kernel faulting in fresh zeroed pages."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.cli.replay import arrow_uses_glibc, keep_freed_memory


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):
        return False


def _step() -> int:
    """Arrays of a step's sizes (2.4-16 MB), written whole, then freed."""
    arrays = [np.ones(n) for n in (300_000, 700_000, 1_100_000, 2_000_000)]
    return sum(int(a.sum()) for a in arrays)


def test_freed_arrays_are_reused_without_page_faults() -> None:
    assert keep_freed_memory() is _glibc()
    if not _glibc():
        return  # elsewhere the allocator is left as it is (speed only, never results)
    _step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    total = sum(_step() for _ in range(10))
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert total == 10 * 4_100_000
    # glibc's defaults: ~18,000 faults here (freed blocks handed back, then faulted in again).
    assert faults < 200, f"{faults} page faults for reused blocks"


def test_arrow_allocates_from_glibc_unless_the_user_chose_a_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Arrow's mimalloc gives freed memory back at once (system CPU per batch); a replay has
    Arrow use glibc's heap instead, but a pool the user named stays."""
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    arrow_uses_glibc()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    arrow_uses_glibc()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_a_replay_writes_parquet_through_the_system_pool(tmp_path: Path) -> None:
    """End to end, in a fresh process (the bundled real AFR34ZG sample): the pool Arrow made is
    glibc's, and the file is whole."""
    code = (
        "import sys\n"
        "from flyvakt.cli.main import main\n"
        "rc = main(['replay', '--quiet', '--no-events', '--positions-out', sys.argv[1]])\n"
        "import pyarrow as pa\n"
        "print(pa.default_memory_pool().backend_name)\n"
        "sys.exit(rc)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = tmp_path / "p.parquet"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    expected = "system" if _glibc() else None
    if expected:
        assert done.stdout.split()[-1] == expected
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows > 100
