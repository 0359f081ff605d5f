"""rs1090's decode-only rate per CPU second, the reference every flyvakt benchmark compares with.

``rs1090.decode(list, timestamps)`` splits the list into batches of 1,000 and decodes them on
rayon's thread pool (one thread per core by default). ``time.process_time`` counts every
thread, and a pool's threads spend CPU on hand-offs and on spinning while they wait for work,
by an amount that moves with the machine's load (docs/performance.md, session 18, has the
figures). flyvakt's replay runs on one core, so
the fair reference is rs1090 on one core too: ``RAYON_NUM_THREADS=1``, read by rayon once,
when its pool starts. A pool cannot be restarted in a process, so each rate is taken in a
fresh child process (this file, run as a script) with that variable set.

    rate(hexes, times, repeat)              # one thread: the reference
    rate(hexes, times, repeat, threads=0)   # rayon's default pool, for comparison
"""

from __future__ import annotations

import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child(path: str, repeat: int) -> None:
    import rs1090

    with open(path, "rb") as f:
        hexes, times = pickle.load(f)
    runs = []
    for _ in range(repeat):
        t = time.process_time()
        rs1090.decode(hexes, times)
        runs.append(time.process_time() - t)
    print(json.dumps(runs))


def cpu_runs(hexes: list[str], times: list[float], repeat: int, threads: int = 1) -> list[float]:
    """CPU seconds of ``repeat`` decodes of the whole list, in a fresh process whose rayon pool
    has ``threads`` threads (0: rayon's default, one per core)."""
    env = dict(os.environ)
    env.pop("RAYON_NUM_THREADS", None)
    if threads > 0:
        env["RAYON_NUM_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frames.pickle"
        with open(path, "wb") as f:
            pickle.dump((hexes, times), f)
        proc = subprocess.run(
            [sys.executable, __file__, str(path), str(repeat)],
            env=env,
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        raise SystemExit(f"rs1090 reference process failed: {proc.stderr[-2000:]}")
    runs: list[float] = json.loads(proc.stdout.splitlines()[-1])
    return runs


def rate(hexes: list[str], times: list[float], repeat: int, threads: int = 1) -> float:
    """Messages per CPU second, median of ``repeat`` runs."""
    return len(hexes) / statistics.median(cpu_runs(hexes, times, repeat, threads))


def best_rate(hexes: list[str], times: list[float], repeat: int, threads: int = 1) -> float:
    """Messages per CPU second, best of ``repeat`` runs."""
    return len(hexes) / min(cpu_runs(hexes, times, repeat, threads))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
