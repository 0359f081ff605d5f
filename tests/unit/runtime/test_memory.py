"""Issue 10: a long ``flyvakt run`` gives freed heap back and reports its memory.

The soak's RSS drift was SQLite's page cache filling (bounded now: tests/unit/store/
test_cache_bound.py) and glibc keeping the pages of freed blocks; the engine trims the heap
once a minute and shows ``rss_mb``, ``sqlite_mb`` and the store's cache in /api/status and
/metrics.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import itertools
from pathlib import Path

import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime import engine as engine_mod
from flyvakt.runtime import memory
from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.serve.metrics import prometheus_text

GLIBC = memory._libc() is not None


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's; elsewhere trim_heap is a no-op")
def test_trim_heap_gives_freed_pages_back() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    # 2 x 400 blocks of 64 KiB, below any mmap threshold: on the heap, side by side.
    size, n = 64 * 1024, 400
    blocks, guards = [], []
    for _ in range(n):
        for keep in (blocks, guards):
            p = libc.malloc(size)
            ctypes.memset(p, 1, size)  # touched: resident
            keep.append(p)
    # Every other block freed: 25 MiB of holes between live blocks, which free() cannot
    # return by shrinking the heap's top (what the engine's steps leave behind, in small).
    for p in blocks:
        libc.free(p)
    before = memory.rss_mb()
    assert memory.trim_heap()
    after = memory.rss_mb()
    for g in guards:
        libc.free(g)
    assert before is not None and after is not None
    assert before - after > 20, (before, after)  # most of the 25 MiB of holes went back


def test_rss_reads_proc_status(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tflyvakt\nVmRSS:\t  204800 kB\nThreads:\t9\n")
    assert memory.rss_mb(str(status)) == 200.0
    assert memory.rss_mb(str(tmp_path / "nosuch")) is None


def test_engine_trims_and_reports_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[bool] = []
    real_trim = memory.trim_heap
    monkeypatch.setattr(memory, "trim_heap", lambda: trims.append(real_trim()))
    # The wall clock as the engine sees it: 20 s per reading, so a trim is due every 3rd.
    ticks = itertools.count(1_700_000_000.0, 20.0)

    async def go() -> Hub:
        hub = Hub()
        await asyncio.wait_for(
            run_engine(
                [bundled_sample()],
                db_path=str(tmp_path / "m.db"),
                hub=hub,
                stop_event=asyncio.Event(),
                clock=lambda: next(ticks),
                status_interval_s=0.01,
                speed=200.0,  # ~2 s of replay: several status ticks
            ),
            60,
        )
        return hub

    hub = asyncio.run(go())
    assert engine_mod.TRIM_EVERY_S == 60.0
    assert trims and all(t == GLIBC for t in trims)
    st = hub.status()
    assert st["rss_mb"] > 10
    assert st["store_cache_kib"] >= 4096
    text = prometheus_text(st)
    assert "flyvakt_resident_memory_megabytes " in text
    assert "flyvakt_store_cache_kibibytes " in text
    if memory.sqlite_memory_mb() is not None:
        assert st["sqlite_mb"] > 0
        assert "flyvakt_sqlite_memory_megabytes " in text
