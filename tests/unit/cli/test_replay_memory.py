"""``flyvakt replay`` asks glibc to keep freed memory for reuse (cli/replay.py, _MALLOPT): a
step's arrays of a few MB then come back without the kernel faulting in fresh zeroed pages."""

from __future__ import annotations

import os
import resource

import numpy as np

from flyvakt.cli.replay import keep_freed_memory


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
